from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Closure, records law and returns"

    def ready(self) -> None:
        from governance import signals  # noqa: F401  (facts written when events happen)
