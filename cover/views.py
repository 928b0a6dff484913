"""Thin views of cover, supervision and staff safety. Every view goes through organisations.access.staff_view and,
for a client, casework.policy (restriction, break-glass); a refusal is a missing page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.actions import AuditAction
from audit.services import record_staff
from casework.gate import client_gate, number
from casework.models import Client
from casework.policy import Sight, hides_name, sight
from cover import selectors, services, visits
from cover.forms import CoverForm, DutyForm, HandoverForm, StaffRiskForm, SupervisionForm, VisitForm, colleagues
from cover.models import CoverGrant, HandoverNote, StaffRisk, Supervision, Visit
from organisations.access import Can, Staff, staff_view
from organisations.forms import add_errors
from organisations.models import Membership

SHOWN_NOTES = 20


# --- the duty screen ---


def _duty_page(request: HttpRequest, staff: Staff, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    lead = services.is_lead(staff)
    context = {
        "staff": staff,
        "duty": services.duty_on(staff.organisation),
        "rota": selectors.rota(staff),
        "visits": selectors.visits_today(staff),
        "missed": selectors.open_missed(staff),
        "covers": services.covers_in_force(staff.organisation),
        "is_lead": lead,
        "duty_form": forms.get("duty") or (DutyForm(organisation=staff.organisation) if lead else None),
    }
    return render(request, "cover/duty.html", context, status=status)


@staff_view()
def duty(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    if not selectors.may_see_duty(staff):
        raise Http404("No such page")
    visits.check_visits(staff.organisation)
    with transaction.atomic():
        record_staff(staff.user, AuditAction.DUTY_VIEWED, organisation=staff.organisation, target="duty screen")
    return _duty_page(request, staff)


@staff_view(Can.ALLOCATE)
@require_POST
def duty_set(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = DutyForm(request.POST, organisation=staff.organisation)
    if form.is_valid():
        try:
            services.duty_set(staff=staff, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Duty worker saved.")
            return redirect("cover_duty", slug=staff.organisation.slug)
    return _duty_page(request, staff, {"duty": form}, status=400)


# --- cover grants and reallocation (team leads) ---


@staff_view(Can.ALLOCATE)
@require_http_methods(["GET", "POST"])
def covers(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = CoverForm(request.POST or None, organisation=staff.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            grant = services.cover_grant(staff=staff, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{grant.covering.display_name} now covers {grant.absent.display_name}'s clients.")
            return redirect("cover_grants", slug=staff.organisation.slug)
    rows = CoverGrant.objects.filter(organisation=staff.organisation).select_related("covering", "absent", "granted_by", "ended_by")[:100]
    return render(request, "cover/covers.html", {"staff": staff, "form": form, "rows": rows}, status=400 if form.errors else 200)


@staff_view(Can.ALLOCATE)
@require_POST
def cover_end(request: HttpRequest, grant_id: int) -> HttpResponse:
    staff = request.staff
    grant = CoverGrant.objects.filter(organisation=staff.organisation, pk=number(grant_id)).first()
    if grant is None:
        raise Http404("No such page")
    try:
        services.cover_end(staff=staff, grant=grant)
        messages.success(request, "Cover ended.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cover_grants", slug=staff.organisation.slug)


@staff_view(Can.ALLOCATE)
@require_http_methods(["GET", "POST"])
def reallocate(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    members = list(Membership.objects.filter(organisation=staff.organisation))
    by_id = {m.pk: m for m in members}
    raw = request.POST.get("leaving") if request.method == "POST" else request.GET.get("leaving")
    leaving = None
    if raw:
        leaving = by_id.get(number(raw))
        if leaving is None:
            raise Http404("No such page")
    targets = list(colleagues(staff.organisation))
    error = ""
    if request.method == "POST" and leaving is not None:
        moves = {}
        for key, value in request.POST.items():
            if key.startswith("to_") and value:
                target = by_id.get(number(value))
                moves[number(key[3:])] = target
        try:
            done = services.reallocate(staff=staff, leaving=leaving, moves=moves, reason=request.POST.get("reason", ""))  # type: ignore[arg-type]
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{len(done.moved)} client(s) of {leaving.display_name} reallocated.")
            return redirect("cover_reallocate", slug=staff.organisation.slug)
    clients = services.caseload_of(staff, leaving) if leaving else []
    rows = [{"client": c, "hidden": hides_name(staff, c), "restricted": sight(staff, c) is not Sight.FULL} for c in clients]
    context = {
        "staff": staff,
        "members": members,
        "leaving": leaving,
        "rows": rows,
        "targets": targets,
        "error": error,
        "reason": request.POST.get("reason", ""),
    }
    return render(request, "cover/reallocate.html", context, status=400 if error else 200)


# --- supervision ---


@staff_view(Can.SEE_CLIENTS)
def supervisions(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    qs = Supervision.objects.filter(organisation=staff.organisation).select_related("lead", "caseworker")
    if not services.is_lead(staff):
        qs = qs.filter(caseworker=staff.membership)
    workers = list(colleagues(staff.organisation).exclude(pk=staff.membership.pk)) if services.is_lead(staff) else []
    return render(request, "cover/supervisions.html", {"staff": staff, "rows": qs[:100], "workers": workers})


@staff_view(Can.ALLOCATE)
@require_http_methods(["GET", "POST"])
def supervision_new(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    raw = request.POST.get("caseworker") or request.GET.get("caseworker")
    caseworker = colleagues(staff.organisation).filter(pk=number(raw)).first() if raw else None
    if caseworker is None:
        raise Http404("No such page")
    caseload = list(Client.objects.filter(organisation=staff.organisation, allocated_to=caseworker).order_by("pk")[:200])
    by_id = {c.pk: c for c in caseload}
    choices = [(c.pk, c.reference if hides_name(staff, c) else f"{c.reference} {c.full_name}") for c in caseload]
    form = SupervisionForm(request.POST or None, cases=choices)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            record = services.supervision_record(
                staff=staff,
                caseworker=caseworker,
                held_on=d["held_on"],
                cases=[by_id[int(k)] for k in d["cases"]],
                notes=d["notes"],
                actions=form.action_list(),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Supervision recorded.")
            return redirect("cover_supervision", slug=staff.organisation.slug, record_id=record.pk)
    return render(request, "cover/supervision_new.html", {"staff": staff, "form": form, "caseworker": caseworker}, status=400 if form.errors else 200)


@staff_view(Can.SEE_CLIENTS)
def supervision_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    staff = request.staff
    record = Supervision.objects.filter(organisation=staff.organisation, pk=number(record_id)).select_related("lead", "caseworker", "organisation").first()
    if record is None or not services.may_read_supervision(staff, record):
        raise Http404("No such page")
    with transaction.atomic():
        record_staff(staff.user, AuditAction.SUPERVISION_VIEWED, organisation=staff.organisation, target=f"supervision {record.pk}")
    cases = [{"client": c, "hidden": hides_name(staff, c)} for c in record.cases.all()]
    return render(request, "cover/supervision.html", {"staff": staff, "record": record, "cases": cases})


# --- visits (lone working) ---


@staff_view(Can.SEE_CLIENTS)
def my_visits(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    return render(request, "cover/visits.html", {"staff": staff, "rows": selectors.my_visits(staff)})


STEPS = {"check-in": visits.check_in, "check-out": visits.check_out, "cancel": visits.cancel}


@staff_view(Can.SEE_CLIENTS)
@require_POST
def visit_step(request: HttpRequest, visit_id: int, step: str) -> HttpResponse:
    staff = request.staff
    action = STEPS.get(step)
    visit = Visit.objects.filter(organisation=staff.organisation, pk=number(visit_id)).select_related("client", "client__organisation").first()
    if action is None or visit is None or not (visit.member_id == staff.membership.pk or (step == "cancel" and services.is_lead(staff))):
        raise Http404("No such page")
    try:
        action(staff=staff, visit=visit)
        messages.success(
            request, {"check-in": "Checked in. Check out when you leave.", "check-out": "Checked out. Thank you.", "cancel": "Visit cancelled."}[step]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cover_visits", slug=staff.organisation.slug)


# --- a client's handover notes, visits and risks to staff ---


def _client_page(request: HttpRequest, staff: Staff, client: Client, forms: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    forms = forms or {}
    notes = list(HandoverNote.objects.filter(client=client).select_related("by")[:SHOWN_NOTES])
    for n in notes:
        n.client = client
    client_visits = list(Visit.objects.filter(client=client).select_related("member").order_by("-starts_at")[:SHOWN_NOTES])
    for v in client_visits:
        v.client = client
    context = {
        "staff": staff,
        "client": client,
        "notes": notes,
        "visits": [{"visit": v, "state": visits.state(v)} for v in client_visits],
        "risks": services.staff_risks(client),
        "is_lead": services.is_lead(staff),
        "handover_form": forms.get("handover") or HandoverForm(),
        "risk_form": forms.get("risk") or StaffRiskForm(),
        "visit_form": forms.get("visit") or VisitForm(organisation=staff.organisation, initial={"member": staff.membership.pk}),
    }
    return render(request, "cover/client.html", context, status=status)


@staff_view()
def client_cover(request: HttpRequest, client_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    with transaction.atomic():
        record_staff(staff.user, AuditAction.COVER_VIEWED, organisation=staff.organisation, client=client, target=f"client {client.pk}")
    return _client_page(request, staff, client)


FORMS = {"handover": HandoverForm, "risk": StaffRiskForm, "visit": VisitForm}


@staff_view()
@require_POST
def client_cover_add(request: HttpRequest, client_id: int, what: str) -> HttpResponse:
    if what not in FORMS:
        raise Http404("No such page")
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    form = VisitForm(request.POST, organisation=staff.organisation) if what == "visit" else FORMS[what](request.POST)
    if form.is_valid():
        try:
            if what == "handover":
                services.handover_add(staff=staff, client=client, **form.cleaned_data)
            elif what == "risk":
                services.staff_risk_add(staff=staff, client=client, **form.cleaned_data)
            else:
                services.visit_plan(staff=staff, client=client, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, {"handover": "Handover note added.", "risk": "Risk to staff recorded.", "visit": "Visit planned."}[what])
            return redirect("cover_client", slug=staff.organisation.slug, client_id=client.pk)
    return _client_page(request, staff, client, {what: form}, status=400)


@staff_view(Can.ALLOCATE)
@require_POST
def staff_risk_end(request: HttpRequest, client_id: int, risk_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    risk = StaffRisk.objects.filter(client=client, pk=number(risk_id)).first()
    if risk is None:
        raise Http404("No such page")
    risk.client = client
    try:
        services.staff_risk_end(staff=staff, risk=risk)
        messages.success(request, "Marker ended.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cover_client", slug=staff.organisation.slug, client_id=client.pk)
