from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = "Casework (referrals, triage, clients)"

    def ready(self) -> None:
        from casework.selectors import home_notices  # noqa: PLC0415
        from organisations.home import register  # noqa: PLC0415

        register(home_notices)
