"""The police referral API, version 1 (design 8). Token-authenticated only: no session, no cookies."""

from django.urls import path

from api import views

urlpatterns = [
    path("openapi.json", views.openapi_document, name="api_openapi"),
    path("referrals", views.referrals, name="api_referrals"),
    path("referrals/<str:referral_id>", views.referral_outcome, name="api_referral"),
    path("updates", views.updates, name="api_updates"),
    path("withdrawals", views.withdrawals, name="api_withdrawals"),
]
