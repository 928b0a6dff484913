"""The staff side of a shared diary, beside the client record (each view asks circle.policy.shared_for)."""

from django.urls import path

from circle import staff_views as v

P = "<slug:slug>/clients/<int:client_id>/diary/"
S = P + "<str:share_id>/"

urlpatterns = [
    path(P, v.panel, name="staff_client_diary"),
    path(P + "code/", v.code_new, name="staff_client_diary_code"),
    path(S, v.timeline, name="staff_shared_timeline"),
    path(S + "incidents/<int:number>/", v.incident, name="staff_shared_incident"),
    path(S + "evidence/", v.evidence, name="staff_shared_evidence"),
    path(S + "evidence/<int:number>/file/", v.exhibit_file, name="staff_shared_file"),
    path(S + "reports/", v.reports, name="staff_shared_reports"),
    path(S + "reports/<str:report_id>/pdf/", v.report_pdf, name="staff_shared_report_pdf"),
    path(S + "pattern/", v.pattern, name="staff_shared_pattern"),
    path(S + "keep/", v.keep, name="staff_shared_keep"),
]
