"""The project's routes: each app owns its own urls.py; this file only puts them together."""

from django.contrib import admin
from django.urls import include, path

from accounts.views import exit_now

urlpatterns = [
    path("exit/", exit_now, name="exit"),
    path("account/", include("accounts.urls")),
    path("account/", include("allauth.urls")),
    path("", include("support.urls")),
    path("", include("diary.urls")),
    path("", include("cases.urls")),
    path("cases/<int:case_id>/evidence/", include("evidence.urls")),
    path("", include("insights.urls")),
    path("", include("reports.urls")),
    path("", include("imports.urls")),
    path("", include("ops.urls")),
    path("", include("circle.urls")),
    path("staff/", include("organisations.urls")),
    path("staff/", include("casework.urls")),
    path("staff/", include("justice.urls")),
    path("staff/", include("circle.staff_urls")),
    path("staff/", include("care.urls")),
    path("api/v1/", include("api.urls")),
    # issue 15 item 7: cover, supervision and staff safety
    path("staff/", include("cover.urls")),
    path("refer/", include("casework.urls_public")),
    path("admin/", admin.site.urls),
    # Governance: closure, records law, returns (issue 16).
    path("staff/", include("governance.urls")),
    path("account/", include("takeout.urls")),  # my data and notices (issue 17, account17)
]
handler500 = "daybook.errors.server_error"
handler400 = "daybook.errors.bad_request"
