from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Message and call-log imports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from imports import chain_kinds  # noqa: F401, PLC0415 - registers the import.items chain kind
