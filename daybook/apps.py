"""The project's own wiring as an app: system checks and the administration site."""

from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class DaybookConfig(AppConfig):
    name = "daybook"
    verbose_name = "Daybook"

    def ready(self) -> None:
        from daybook import checks  # noqa: F401, PLC0415  (registers the checks)


class DaybookAdminConfig(AdminConfig):
    """Django's admin, with Daybook's site: behind the ordinary sign-in, its second step and its limits."""

    default_site = "daybook.admin_site.DaybookAdminSite"
