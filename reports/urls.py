"""Report, bundle and hand-over routes (included at the site root)."""

from django.urls import path

from reports import views

urlpatterns = [
    path("cases/<int:case_id>/reports/", views.report_list, name="report_list"),
    path("cases/<int:case_id>/reports/new/", views.report_new, name="report_new"),
    path("cases/<int:case_id>/reports/impact/", views.impact, name="report_impact"),
    path("cases/<int:case_id>/reports/<str:report_id>/", views.report_detail, name="report_detail"),
    path("cases/<int:case_id>/reports/<str:report_id>/status/", views.report_status, name="report_status"),
    path("cases/<int:case_id>/reports/<str:report_id>/download/<str:what>/", views.report_download, name="report_download"),
    path("cases/<int:case_id>/reports/<str:report_id>/delete/", views.report_delete, name="report_delete"),
    path("cases/<int:case_id>/reports/<str:report_id>/links/", views.handover_new, name="handover_new"),
    path("cases/<int:case_id>/reports/<str:report_id>/links/<int:handover_id>/stop/", views.handover_revoke, name="handover_revoke"),
    # The link's secret travels in the query string (GET) or the form body (POST), never in the path, so server
    # logs (which record paths only, see scripts/run.sh) never hold it.
    path("handover/", views.handover, name="handover"),
    path("handover/<str:what>/", views.handover_download, name="handover_download"),
]
