from django.apps import AppConfig


class TakeoutConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "takeout"
    verbose_name = "My data: take it out, bring it back, delete it"
