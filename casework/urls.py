from django.urls import path

from casework import views, views_intake

urlpatterns = [
    path("<slug:slug>/queue/", views.queue, name="staff_queue"),
    path("<slug:slug>/referrals/new/", views.referral_new, name="staff_referral_new"),
    path("<slug:slug>/referrals/<int:referral_id>/", views.referral_detail, name="staff_referral"),
    path("<slug:slug>/referrals/<int:referral_id>/screen/", views.referral_screen, name="staff_referral_screen"),
    path("<slug:slug>/referrals/<int:referral_id>/decide/", views.referral_decide, name="staff_referral_decide"),
    path("<slug:slug>/referrals/<int:referral_id>/attempts/", views.referral_attempt, name="staff_referral_attempt"),
    path("<slug:slug>/referrals/<int:referral_id>/contact-log/", views.referral_contact_log, name="staff_referral_contact_log"),
    path("<slug:slug>/clients/", views.client_list, name="staff_clients"),
    path("<slug:slug>/clients/<int:client_id>/", views.client_detail, name="staff_client"),
    path("<slug:slug>/clients/<int:client_id>/allocate/", views.client_allocate, name="staff_client_allocate"),
    path("<slug:slug>/clients/<int:client_id>/restriction/", views.client_restrict, name="staff_client_restrict"),
    path("<slug:slug>/clients/<int:client_id>/break-glass/", views.client_break_glass, name="staff_client_break_glass"),
    path("<slug:slug>/alerts/", views.alerts, name="staff_alerts"),
    path("<slug:slug>/alerts/<int:alert_id>/close/", views.alert_close, name="staff_alert_close"),
    path("<slug:slug>/access-log/", views.access_log, name="staff_audit"),
    path("<slug:slug>/feeds/", views_intake.feeds, name="staff_feeds"),
    path("<slug:slug>/feeds/<int:upload_id>/", views_intake.feed_detail, name="staff_feed"),
    path("<slug:slug>/feeds/<int:upload_id>/rejects/", views_intake.feed_rejects, name="staff_feed_rejects"),
    path("<slug:slug>/feeds/<int:upload_id>/status/", views_intake.feed_status, name="staff_feed_status"),
    path("<slug:slug>/refer/", views_intake.partner_referrals, name="staff_partner_referrals"),
    path("<slug:slug>/clients/<int:client_id>/merge/", views_intake.client_merge, name="staff_client_merge"),
    path("<slug:slug>/merges/<int:merge_id>/undo/", views_intake.merge_undo, name="staff_merge_undo"),
    path("<slug:slug>/clients/<int:client_id>/safe-contact/", views_intake.safe_contact, name="staff_safe_contact"),
]
