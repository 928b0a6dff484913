"""Included under ``cases/<int:case_id>/evidence/``."""

from django.urls import path

from evidence import views

urlpatterns = [
    path("", views.locker, name="evidence"),
    path("add/", views.add_files, name="evidence_add"),
    path("add/send/", views.add_files_form, name="evidence_add_form"),
    path("physical/new/", views.physical_new, name="evidence_physical_new"),
    path("uploads/", views.uploads, name="evidence_uploads"),
    path("uploads/<str:upload_id>/", views.upload, name="evidence_upload"),
    path("uploads/<str:upload_id>/finish/", views.upload_finish, name="evidence_upload_finish"),
    path("uploads/<str:upload_id>/discard/", views.upload_discard, name="evidence_upload_discard"),
    path("<int:number>/", views.exhibit_detail, name="exhibit_detail"),
    path("<int:number>/edit/", views.exhibit_edit, name="exhibit_edit"),
    path("<int:number>/links/", views.exhibit_links, name="exhibit_links"),
    path("<int:number>/continuity/", views.continuity_new, name="exhibit_continuity"),
    path("<int:number>/download/", views.download, name="exhibit_download"),
    path("<int:number>/preview/", views.preview, name="exhibit_preview"),
]
