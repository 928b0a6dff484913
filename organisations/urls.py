from django.urls import path

from organisations import views

urlpatterns = [
    path("", views.staff_index, name="staff_index"),
    path("join/<str:token>/", views.join, name="staff_join"),
    path("<slug:slug>/", views.staff_home, name="staff_home"),
    path("<slug:slug>/people/", views.people, name="staff_people"),
    path("<slug:slug>/people/<int:member_id>/remove/", views.member_remove, name="staff_member_remove"),
    path("<slug:slug>/people/<int:member_id>/role/", views.member_role, name="staff_member_role"),
    path("<slug:slug>/invitations/<int:invitation_id>/revoke/", views.invitation_revoke, name="staff_invitation_revoke"),
    path("<slug:slug>/settings/", views.settings_page, name="staff_settings"),
    path("<slug:slug>/agreements/", views.agreements, name="staff_agreements"),
    path("<slug:slug>/agreements/<int:agreement_id>/end/", views.agreement_end, name="staff_agreement_end"),
    path("<slug:slug>/api-credentials/", views.api_credentials, name="staff_api_credentials"),
    path("<slug:slug>/api-credentials/<int:credential_id>/<str:action>/", views.api_credential_change, name="staff_api_credential_change"),
    path("<slug:slug>/me/connections/", views.my_connections, name="staff_connections"),
]
