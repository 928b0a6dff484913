from django.urls import path

from justice import views

C = "<slug:slug>/clients/<int:client_id>/justice/"
urlpatterns = [
    path(C, views.client_justice, name="justice_client"),
    path(C + "risk/<str:instrument_id>/", views.assess, name="justice_assess"),
    path(C + "reviews/<int:assessment_id>/", views.review, name="justice_review"),
    path(C + "status/", views.status, name="justice_status"),
    path(C + "orders/new/", views.order_new, name="justice_order_new"),
    path(C + "orders/<int:order_id>/", views.order_detail, name="justice_order"),
    path(C + "court/", views.court, name="justice_court"),
    path(C + "vps/", views.vps, name="justice_vps"),
    path(C + "onward/new/", views.onward_new, name="justice_onward_new"),
    path(C + "onward/<int:onward_id>/", views.onward_detail, name="justice_onward"),
    path(C + "onward/<int:onward_id>/meeting/", views.onward_meeting, name="justice_onward_meeting"),
    path(C + "onward/<int:onward_id>/feedback/", views.onward_feedback, name="justice_onward_feedback"),
    path(C + "onward/<int:onward_id>/actions/", views.onward_action, name="justice_onward_action"),
    path(C + "onward/<int:onward_id>/withdraw/", views.onward_withdraw, name="justice_onward_withdraw"),
    path(C + "onward/<int:onward_id>/pdf/", views.onward_pdf, name="justice_onward_pdf"),
    path("<slug:slug>/due/", views.due, name="justice_due"),
    path("<slug:slug>/due/<int:task_id>/done/", views.task_done, name="justice_task_done"),
    path("<slug:slug>/referrals-in/", views.incoming, name="justice_incoming"),
    path("<slug:slug>/referrals-in/<int:onward_id>/", views.incoming_detail, name="justice_incoming_detail"),
    path("<slug:slug>/marac-protocol/", views.protocol, name="justice_protocol"),
]
