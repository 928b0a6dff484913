"""Public routes of the service side: the self-referral form (no account)."""

from django.urls import path

from casework import views_intake

urlpatterns = [
    path("<slug:slug>/", views_intake.self_referral, name="self_referral"),
    path("<slug:slug>/sent/", views_intake.self_referral_sent, name="self_referral_sent"),
]
