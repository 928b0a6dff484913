from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from cases import chain_kinds  # noqa: F401, PLC0415 - registers the case.opened chain kind
