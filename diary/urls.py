"""The diary: quick notes, incidents, the timeline and the integrity page."""

from django.urls import path

from diary import views

urlpatterns = [
    path("guide/behaviours", views.behaviours_help, name="behaviours_help"),
    path("quick/", views.quick_capture_any, name="quick_capture_any"),
    path("sample/", views.load_sample, name="load_sample"),
    path("cases/<int:case_id>/quick/", views.quick_capture, name="quick_capture"),
    path("cases/<int:case_id>/timeline/", views.timeline, name="timeline"),
    path("cases/<int:case_id>/integrity/", views.integrity, name="integrity"),
    path("cases/<int:case_id>/incidents/new/", views.incident_new, name="incident_new"),
    path("cases/<int:case_id>/incidents/<int:number>/", views.incident_detail, name="incident_detail"),
    path("cases/<int:case_id>/incidents/<int:number>/edit/", views.incident_edit, name="incident_edit"),
    path("cases/<int:case_id>/incidents/<int:number>/retract/", views.incident_retract, name="incident_retract"),
]
