from django.urls import path

from governance import views_closure as closure
from governance import views_equality as equality
from governance import views_records as rec
from governance import views_retention as retention
from governance import views_returns as ret
from governance import views_rights as rights

C = "<slug:slug>/clients/<int:client_id>"

urlpatterns = [
    path("<slug:slug>/returns/", ret.return_page, name="gov_returns"),
    path("<slug:slug>/returns/return.csv", ret.return_csv, name="gov_returns_csv"),
    path(f"{C}/closure/", closure.closure_page, name="gov_closure"),
    path(f"{C}/closure/decide/", closure.closure_decide, name="gov_closure_decide"),
    path(f"{C}/closure/reopen/", closure.closure_reopen, name="gov_closure_reopen"),
    path("<slug:slug>/closures/", closure.closures_waiting, name="gov_closures"),
    path(f"{C}/records/", rec.records_page, name="gov_records_client"),
    path(f"{C}/records/subject-access/", rec.subject_access, name="gov_subject_access"),
    path(f"{C}/records/chronology/", rec.chronology, name="gov_chronology"),
    path(f"{C}/records/chronology.csv", rec.chronology_csv, name="gov_chronology_csv"),
    path(f"{C}/records/<str:step>/<int:item_id>/", rec.records_step, name="gov_records_item"),
    path(f"{C}/records/<str:step>/", rec.records_step, name="gov_records_step"),
    path("<slug:slug>/records/", rec.requests_log, name="gov_records"),
    path("<slug:slug>/retention/", retention.review, name="gov_retention"),
    path("<slug:slug>/retention/<int:client_id>/delete/", retention.delete, name="gov_retention_delete"),
    path("<slug:slug>/retention/settings/", retention.settings_page, name="gov_settings"),
    # gov16b: Victims' Code rights delivered, equality monitoring (issue 16 item 4)
    path(f"{C}/rights/", rights.rights_page, name="gov_rights"),
    path(f"{C}/rights/<int:item_id>/remove/", rights.rights_remove, name="gov_rights_remove"),
    path(f"{C}/equality/", equality.equality_page, name="gov_equality"),
]
