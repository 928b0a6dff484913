from django.apps import AppConfig


class CircleConfig(AppConfig):
    name = "circle"
    verbose_name = "The person's circle: shares with support services and trusted contacts"

    def ready(self) -> None:
        from circle import chain_kinds  # noqa: F401
