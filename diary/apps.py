from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "diary"

    def ready(self) -> None:
        from diary import chain_kinds  # noqa: F401, PLC0415 - registers the incident.version chain kind
