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
    path("staff/", include("organisations.urls")),
    path("staff/", include("casework.urls")),
    path("api/v1/", include("api.urls")),
    path("admin/", admin.site.urls),
]
