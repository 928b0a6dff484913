from django.urls import path

from cover import views

C = "<slug:slug>/clients/<int:client_id>"

urlpatterns = [
    path("<slug:slug>/duty/", views.duty, name="cover_duty"),
    path("<slug:slug>/duty/rota/", views.duty_set, name="cover_duty_set"),
    path("<slug:slug>/cover/", views.covers, name="cover_grants"),
    path("<slug:slug>/cover/<int:grant_id>/end/", views.cover_end, name="cover_end"),
    path("<slug:slug>/reallocate/", views.reallocate, name="cover_reallocate"),
    path("<slug:slug>/supervision/", views.supervisions, name="cover_supervisions"),
    path("<slug:slug>/supervision/new/", views.supervision_new, name="cover_supervision_new"),
    path("<slug:slug>/supervision/<int:record_id>/", views.supervision_detail, name="cover_supervision"),
    path("<slug:slug>/visits/", views.my_visits, name="cover_visits"),
    path("<slug:slug>/visits/<int:visit_id>/<str:step>/", views.visit_step, name="cover_visit_step"),
    path(f"{C}/cover/", views.client_cover, name="cover_client"),
    path(f"{C}/cover/staff-risk/<int:risk_id>/end/", views.staff_risk_end, name="cover_staff_risk_end"),
    path(f"{C}/cover/<str:what>/", views.client_cover_add, name="cover_client_add"),
]
