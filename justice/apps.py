from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "justice"
    verbose_name = "Justice (risk, suspect status, orders, onward referral, MARAC and MASIP)"

    def ready(self) -> None:
        from justice import chain_kinds  # noqa: F401, PLC0415 - registers the client chain kinds
        from justice.selectors import home_notices  # noqa: PLC0415
        from organisations.home import register  # noqa: PLC0415

        register(home_notices)
