from django.contrib import admin
from django.urls import include, path

from accounts.views import exit_now
from cases import views as case_views
from diary import views as diary_views
from support import views as support_views

urlpatterns = [
    path("", case_views.home, name="home"),
    path("exit/", exit_now, name="exit"),
    path("account/", include("accounts.urls")),
    path("account/", include("allauth.urls")),
    path("help/", support_views.help_page, name="help"),
    path("guide/<slug:slug>/", support_views.guide, name="guide"),
    path("guide/behaviours", diary_views.behaviours_help, name="behaviours_help"),
    path("quick/", diary_views.quick_capture_any, name="quick_capture_any"),
    path("sample/", diary_views.load_sample, name="load_sample"),
    path("cases/new/", case_views.case_new, name="case_new"),
    path("cases/<int:case_id>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/edit/", case_views.case_edit, name="case_edit"),
    path("cases/<int:case_id>/activity/", case_views.case_activity, name="case_activity"),
    path("cases/<int:case_id>/references/new/", case_views.reference_form, name="reference_new"),
    path("cases/<int:case_id>/references/<str:ref_id>/edit/", case_views.reference_form, name="reference_edit"),
    path("cases/<int:case_id>/orders/new/", case_views.order_form, name="order_new"),
    path("cases/<int:case_id>/orders/<str:order_id>/edit/", case_views.order_form, name="order_edit"),
    path("cases/<int:case_id>/quick/", diary_views.quick_capture, name="quick_capture"),
    path("cases/<int:case_id>/timeline/", diary_views.timeline, name="timeline"),
    path("cases/<int:case_id>/integrity/", diary_views.integrity, name="integrity"),
    path("cases/<int:case_id>/evidence/", include("evidence.urls")),
    path("cases/<int:case_id>/incidents/new/", diary_views.incident_new, name="incident_new"),
    path("cases/<int:case_id>/incidents/<int:number>/", diary_views.incident_detail, name="incident_detail"),
    path("cases/<int:case_id>/incidents/<int:number>/edit/", diary_views.incident_edit, name="incident_edit"),
    path("cases/<int:case_id>/incidents/<int:number>/retract/", diary_views.incident_retract, name="incident_retract"),
    path("", include("insights.urls")),
    path("", include("reports.urls")),
    path("", include("imports.urls")),
    path("staff/", include("organisations.urls")),
    path("staff/", include("casework.urls")),
    path("admin/", admin.site.urls),
]
