from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports and evidence bundles"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reports import chain_kinds  # noqa: F401, PLC0415 - registers the handover.download chain kind
