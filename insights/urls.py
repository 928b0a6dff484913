from django.urls import path

from insights import views

urlpatterns = [
    path("check/", views.four_check, name="four_check"),
    path("cases/<int:case_id>/pattern/", views.case_overview, name="case_overview"),
    path("cases/<int:case_id>/screening/", views.screening_index, name="screening_index"),
    path("cases/<int:case_id>/screening/new/<slug:instrument_id>/", views.screening_new, name="screening_new"),
    path("cases/<int:case_id>/screening/<str:screening_id>/", views.screening_detail, name="screening_detail"),
    path("cases/<int:case_id>/screening/<str:screening_id>/print/", views.screening_print, name="screening_print"),
]
