"""Import routes (included at the site root)."""


urlpatterns: list = []
