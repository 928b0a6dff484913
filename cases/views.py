"""Thin views for cases, crime references and orders. Access always goes through cases.policy."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cases import selectors as case_selectors
from cases import services
from cases.forms import CaseForm, CrimeReferenceForm, OrderForm
from cases.models import CrimeReference, Order
from cases.policy import Action, case_for, child_or_404
from diary import selectors


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "cases/landing.html")
    return render(request, "cases/home.html", {"summaries": case_selectors.summaries(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest) -> HttpResponse:
    form = CaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = services.create_case(request.user, **form.cleaned_data)
        messages.success(request, "Case started. You can now record what has happened.")
        return redirect("case_detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "creating": True})


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    context = {
        "case": case,
        "total": selectors.total_incidents(case),
        "latest": selectors.latest_incident_date(case),
        "weeks": selectors.weekly_counts(case, weeks=12),
        "chart_width": 120,
        "needing_detail": selectors.needing_detail(case),
        "refs": case.crime_references.all(),
        "orders": case.orders.all(),
    }
    return render(request, "cases/case_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    initial = {name: getattr(case, name) for name in services.CASE_TEXT_FIELDS}
    initial.update(relationship=case.relationship, started_on=case.started_on)
    form = CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.update_case(case, request.user, **form.cleaned_data)
        messages.success(request, "Case details saved.")
        return redirect("case_detail", case_id=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "case": case, "creating": False})


@login_required
@require_http_methods(["GET", "POST"])
def reference_form(request: HttpRequest, case_id: int, ref_id: str | None = None) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    ref = child_or_404(CrimeReference, case, uuid=ref_id) if ref_id else None
    initial = {}
    if ref is not None:
        initial = {"reference": ref.reference, "force": ref.force, "given_on": ref.given_on, "officer": ref.officer, "notes": ref.notes}
    form = CrimeReferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_crime_reference(case, request.user, ref, **form.cleaned_data)
        messages.success(request, "Crime reference number saved. Give it each time you report an incident.")
        return redirect("case_detail", case_id=case.pk)
    return render(request, "cases/reference_form.html", {"form": form, "case": case, "ref": ref})


@login_required
@require_http_methods(["GET", "POST"])
def order_form(request: HttpRequest, case_id: int, order_id: str | None = None) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    order = child_or_404(Order, case, uuid=order_id) if order_id else None
    initial = {}
    if order is not None:
        initial = {"order_type": order.order_type, "starts_on": order.starts_on, "ends_on": order.ends_on, "court": order.court, "conditions": order.conditions}
    form = OrderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.save_order(case, request.user, order, **form.cleaned_data)
        messages.success(request, "Order saved.")
        return redirect("case_detail", case_id=case.pk)
    return render(request, "cases/order_form.html", {"form": form, "case": case, "order": order})


@login_required
def case_activity(request: HttpRequest, case_id: int) -> HttpResponse:
    """Everything done to this case and by whom: the person can see every access to their data."""
    case = case_for(request.user, case_id, Action.VIEW)
    rows = case_selectors.activity(case)
    return render(request, "cases/activity.html", {"case": case, "rows": rows, "others": sum(1 for r in rows if not r["by_owner"])})
