"""The person's data (under /account/): export, load, deletion, notices."""

from django.urls import path

from takeout import views

urlpatterns = [
    path("data/", views.data_home, name="takeout_home"),
    path("data/exports/<str:export_id>/", views.export_download, name="takeout_download"),
    path("data/load/", views.load, name="takeout_load"),
    path("data/load/<str:load_id>/", views.load_status, name="takeout_load_status"),
    path("data/cases/<int:case_id>/delete/", views.case_delete, name="takeout_case_delete"),
    path("data/delete-account/", views.account_delete, name="takeout_account_delete"),
    path("data/delete-account/cancel/", views.account_delete_cancel, name="takeout_account_delete_cancel"),
    path("notices/", views.notices, name="takeout_notices"),
]
