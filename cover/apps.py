from django.apps import AppConfig


class CoverConfig(AppConfig):
    name = "cover"
    verbose_name = "Cover, supervision and staff safety"

    def ready(self) -> None:
        from casework.policy import register_reach  # noqa: PLC0415
        from cover.reach import sees, visible  # noqa: PLC0415
        from cover.selectors import home_notices  # noqa: PLC0415
        from organisations.home import register  # noqa: PLC0415

        register_reach(sees, visible)
        register(home_notices)
