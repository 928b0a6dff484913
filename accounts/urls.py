from django.urls import path

from accounts import views_settings

urlpatterns = [
    path("settings/", views_settings.account_settings, name="account_settings"),
]
