from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "Evidence locker"

    def ready(self) -> None:
        from evidence import chain_kinds  # noqa: F401, PLC0415 - registers the exhibit chain kinds
