"""Import routes (included at the site root)."""

from django.urls import path

from imports import views

urlpatterns = [
    path("cases/<int:case_id>/imports/", views.home, name="imports"),
    path("cases/<int:case_id>/imports/upload/", views.upload, name="import_upload"),
    path("cases/<int:case_id>/imports/<int:import_id>/", views.detail, name="import_detail"),
    path("cases/<int:case_id>/imports/<int:import_id>/undo/", views.undo, name="import_undo"),
]
