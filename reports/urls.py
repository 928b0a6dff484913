"""Report, bundle and hand-over routes (included at the site root)."""


urlpatterns: list = []
