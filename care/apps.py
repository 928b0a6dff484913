from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "care"
    verbose_name = "Care (safeguarding, needs, support and safety plans)"

    def ready(self) -> None:
        from care import chain_kinds  # noqa: F401, PLC0415
        from care.safeguarding import holds_client  # noqa: PLC0415
        from care.selectors import home_notices  # noqa: PLC0415
        from casework.police import KEEPS  # noqa: PLC0415
        from organisations.home import register  # noqa: PLC0415

        register(home_notices)
        if holds_client not in KEEPS:
            KEEPS.append(holds_client)
