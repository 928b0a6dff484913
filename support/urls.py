"""Help: the contacts page and the safety guides."""

from django.urls import path

from support import views

urlpatterns = [
    path("help/", views.help_page, name="help"),
    path("guide/<slug:slug>/", views.guide, name="guide"),
]
