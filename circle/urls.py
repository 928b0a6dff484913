"""The person's side of the circle, and a trusted contact's page (its secret in the query string or the form body,
never in the path, so server logs never hold it)."""

from django.urls import path

from circle import views

urlpatterns = [
    path("circle/", views.circle_home, name="circle_home"),
    path("circle/support/", views.support, name="circle_support"),
    path("circle/code/", views.code_enter, name="circle_code"),
    path("circle/code/confirm/", views.code_confirm, name="circle_code_confirm"),
    path("circle/shares/<str:share_id>/", views.share_detail, name="circle_share"),
    path("circle/contacts/new/", views.contact_new, name="circle_contact_new"),
    path("circle/contacts/<str:contact_id>/stop/", views.contact_stop, name="circle_contact_stop"),
    path("cases/<int:case_id>/sightings/", views.sighting_list, name="circle_sightings"),
    path("cases/<int:case_id>/sightings/<int:number>/", views.sighting_detail, name="circle_sighting"),
    path("seen/", views.seen, name="circle_seen"),
]
