from django.urls import path

from care import views_plans as plans
from care import views_safeguarding as sg

C = "<slug:slug>/clients/<int:client_id>"

urlpatterns = [
    path(f"{C}/care/", sg.overview, name="care_client"),
    path(f"{C}/care/verify/", sg.verify, name="care_verify"),
    path(f"{C}/safeguarding/new/", sg.concern_new, name="care_concern_new"),
    path(f"{C}/safeguarding/<int:number>/", sg.concern_detail, name="care_concern"),
    path(f"{C}/safeguarding/<int:number>/referrals/<int:referral_id>/<str:step>/", sg.referral_step, name="care_referral_step"),
    path(f"{C}/safeguarding/<int:number>/<str:step>/", sg.concern_step, name="care_concern_step"),
    path(f"{C}/needs/", plans.needs, name="care_needs"),
    path(f"{C}/support-plan/", plans.support_plan, name="care_support_plan"),
    path(f"{C}/support-plan/<str:item>/<int:item_id>/", plans.support_plan_item, name="care_support_plan_item"),
    path(f"{C}/support-plan/<str:step>/", plans.support_plan_step, name="care_support_plan_step"),
    path(f"{C}/safety-plan/", plans.safety_plan, name="care_safety_plan"),
    path(f"{C}/safety-plan/edit/", plans.safety_plan_edit, name="care_safety_plan_edit"),
    path(f"{C}/safety-plan/print/", plans.safety_plan_print, name="care_safety_plan_print"),
    path(f"{C}/safety-plan/share/", plans.safety_plan_share, name="care_safety_plan_share"),
    path("<slug:slug>/safeguarding/", sg.lead_list, name="care_safeguarding"),
    path("<slug:slug>/plans-due/", plans.due, name="care_due"),
]
