"""The person's cases, their crime references and orders."""

from django.urls import path

from cases import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:case_id>/activity/", views.case_activity, name="case_activity"),
    path("cases/<int:case_id>/references/new/", views.reference_form, name="reference_new"),
    path("cases/<int:case_id>/references/<str:ref_id>/edit/", views.reference_form, name="reference_edit"),
    path("cases/<int:case_id>/orders/new/", views.order_form, name="order_new"),
    path("cases/<int:case_id>/orders/<str:order_id>/edit/", views.order_form, name="order_edit"),
]
