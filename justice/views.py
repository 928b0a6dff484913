"""Thin views of the justice pages in the staff area: a client's risk, status and orders, onward referrals, the
due list, referrals received from other organisations, the local protocol.

Every view goes through organisations.access.staff_view (membership, MFA, idle timeout) and casework.gate.client_gate
(casework.policy: allocation, restriction, break-glass); a refusal is a missing page. Every read of a client is
written to the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.actions import AuditAction
from audit.services import record_staff
from casework.gate import client_gate
from casework.models import Client
from casework.services import client_read
from justice import forms as f
from justice import marac, onward, orders, risk, selectors
from justice.models import Assessment, ClientEntry, Onward, OnwardKind, OnwardState, Order, Protocol, Review, Task
from justice.rules import is_team_lead
from organisations.access import Can, Staff, staff_view
from organisations.forms import add_errors

ORDER_EVENTS_SHOWN = 200  # an order's latest steps on its page, in date order


def _back(staff: Staff, client: Client) -> HttpResponse:
    return redirect("justice_client", slug=staff.organisation.slug, client_id=client.pk)


def _form_page(
    request: HttpRequest,
    staff: Staff,
    client: Client,
    form: forms.Form,
    save: Callable[[dict[str, Any]], Any],
    template: str,
    done: str,
    context: dict[str, Any] | None = None,
    after: Callable[[Any], HttpResponse] | None = None,
) -> HttpResponse:
    """GET shows the form; POST validates it, calls ``save`` (a service) and goes back, or shows the errors."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save(form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, done)
            return after(result) if after else _back(staff, client)
    if request.method == "GET":
        client_read(staff=staff, client=client, action=AuditAction.JUSTICE_VIEWED, target=f"client {client.pk} ({template.split('/')[-1][:-5]})")
    return render(request, template, {"staff": staff, "client": client, "form": form, **(context or {})}, status=400 if form.errors else 200)


@staff_view(Can.SEE_CLIENTS)
def client_justice(request: HttpRequest, client_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    client_read(staff=staff, client=client, action=AuditAction.JUSTICE_VIEWED, target=f"client {client.pk}")
    data = selectors.client_overview(client)
    latest = data["assessments"][0] if data["assessments"] else None
    context = {
        "staff": staff,
        "client": client,
        "level": risk.current_level(client),
        "criteria": risk.criteria(client, latest),
        "instruments": risk.STAFF_INSTRUMENTS,
        "vps": orders.vps_summary(client),
        "entries": ClientEntry.objects.filter(client=client).count(),
        "is_lead": is_team_lead(staff),
        **data,
    }
    return render(request, "justice/client.html", context)


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def assess(request: HttpRequest, client_id: int, instrument_id: str) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    try:
        inst = risk.staff_instrument(instrument_id)
    except ValidationError as exc:
        raise Http404("No such page") from exc
    form = f.AssessmentForm(request.POST or None, instrument=inst, initial={"domestic": risk.is_domestic(client)})

    def save(d: dict[str, Any]) -> Assessment:
        return risk.assessment_record(
            staff=staff, client=client, instrument=inst.id, answers=form.answers(), level=d["level"], judgement=d["judgement"], domestic=d["domestic"]
        )

    def after(a: Assessment) -> HttpResponse:
        if a.review == Review.AWAITING:
            messages.info(request, "This lowers the level: it takes effect when a team lead has reviewed it. Until then the level stays as it was.")
        return _back(staff, client)

    context = {"instrument": inst, "level": risk.current_level(client), "criteria": risk.criteria(client, None, inst.id)}
    return _form_page(request, staff, client, form, save, "justice/assess.html", "Assessment saved.", context, after)


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, client_id: int, assessment_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    assessment = Assessment.objects.filter(client=client, pk=assessment_id, review=Review.AWAITING).select_related("by").first()
    if assessment is None or not is_team_lead(staff):
        raise Http404("No such page")
    assessment.client = client
    form = f.ReviewForm(request.POST or None)

    def save(d: dict[str, Any]) -> Any:
        return risk.level_review(staff=staff, assessment=assessment, agreed=d["decision"] == "agree", reason=d["reason"])

    return _form_page(request, staff, client, form, save, "justice/review.html", "Review saved.", {"assessment": assessment})


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def status(request: HttpRequest, client_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    form = f.StatusForm(request.POST or None)
    done = "Status saved. A risk review is on the due list for today."
    return _form_page(request, staff, client, form, lambda d: orders.status_record(staff=staff, client=client, **d), "justice/status.html", done)


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def order_new(request: HttpRequest, client_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    form = f.OrderForm(request.POST or None)

    def after(order: Order) -> HttpResponse:
        return redirect("justice_order", slug=staff.organisation.slug, client_id=client.pk, order_id=order.pk)

    return _form_page(
        request, staff, client, form, lambda d: orders.order_open(staff=staff, client=client, **d), "justice/order_new.html", "Order added.", after=after
    )


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def order_detail(request: HttpRequest, client_id: int, order_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    order = Order.objects.filter(client=client, pk=order_id).first()
    if order is None:
        raise Http404("No such page")
    order.client = client
    form = f.OrderEventForm(request.POST or None)

    def after(_row: Any) -> HttpResponse:
        return redirect("justice_order", slug=staff.organisation.slug, client_id=client.pk, order_id=order.pk)

    return _form_page(
        request,
        staff,
        client,
        form,
        lambda d: orders.order_event_record(staff=staff, order=order, **d),
        "justice/order.html",
        "Step saved.",
        {"order": order, "events": list(reversed(order.events.order_by("-on", "-pk")[:ORDER_EVENTS_SHOWN]))},
        after,
    )


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def court(request: HttpRequest, client_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    form = f.CourtDateForm(request.POST or None)
    return _form_page(
        request, staff, client, form, lambda d: orders.court_date_record(staff=staff, client=client, **d), "justice/court.html", "Court date saved."
    )


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def vps(request: HttpRequest, client_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    form = f.VpsForm(request.POST or None)
    context = {"vps": orders.vps_summary(client)}
    return _form_page(request, staff, client, form, lambda d: orders.vps_record(staff=staff, client=client, **d), "justice/vps.html", "Saved.", context)


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def onward_new(request: HttpRequest, client_id: int) -> HttpResponse:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return stop
    form = f.OnwardForm(request.POST or None, organisation=staff.organisation)

    def save(d: dict[str, Any]) -> Onward:
        detail = form.detail() if d["kind"] != OnwardKind.ORGANISATION else None
        return onward.onward_send(
            staff=staff,
            client=client,
            kind=d["kind"],
            purpose=d["purpose"],
            basis=form.basis_input(),
            to_organisation=d.get("to_organisation"),
            items=d.get("items"),
            summary=d.get("summary", ""),
            detail=detail,
        )

    def after(o: Onward) -> HttpResponse:
        return redirect("justice_onward", slug=staff.organisation.slug, client_id=client.pk, onward_id=o.pk)

    context = {"domestic": risk.is_domestic(client), "repeat": risk.repeat_within_year(client)}
    return _form_page(request, staff, client, form, save, "justice/onward_new.html", "Referral sent.", context, after)


def _onward(request: HttpRequest, client_id: int, onward_id: int) -> tuple[Staff, Client | None, Onward | None, HttpResponse | None]:
    staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return staff, None, None, stop
    row = Onward.objects.filter(client=client, pk=onward_id).select_related("to_organisation").first()
    if row is None:
        raise Http404("No such page")
    row.client = client
    return staff, client, row, None


@staff_view(Can.SEE_CLIENTS)
def onward_detail(request: HttpRequest, client_id: int, onward_id: int) -> HttpResponse:
    staff, client, row, stop = _onward(request, client_id, onward_id)
    if stop is not None:
        return stop
    assert client is not None and row is not None
    client_read(staff=staff, client=client, action=AuditAction.JUSTICE_VIEWED, target=f"onward {row.pk}")
    context = {
        "staff": staff,
        "client": client,
        "onward": row,
        "events": list(row.events.select_related("by")),
        "actions": list(row.actions.select_related("owner")),
        "feedback_due": onward.feedback_due(row),
        "feedback_late": onward.today_feedback_late(row),
        "meeting_form": f.MeetingForm(initial={"meeting_on": row.meeting_on}),
        "feedback_form": f.FeedbackForm(),
        "action_form": f.ActionForm(organisation=staff.organisation),
        "items": [onward.ITEMS[i] for i in row.items],
        "live": row.state != OnwardState.WITHDRAWN,
    }
    return render(request, "justice/onward.html", context)


def _onward_post(
    request: HttpRequest, client_id: int, onward_id: int, form_class: type[forms.Form], save: Callable[..., Any], done: str, **form_kwargs: Any
) -> HttpResponse:
    staff, client, row, stop = _onward(request, client_id, onward_id)
    if stop is not None:
        return stop
    assert client is not None and row is not None
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            save(staff, row, form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done)
    else:
        messages.error(request, "Check the form: " + " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("justice_onward", slug=staff.organisation.slug, client_id=client.pk, onward_id=row.pk)


@staff_view(Can.SEE_CLIENTS)
@require_POST
def onward_meeting(request: HttpRequest, client_id: int, onward_id: int) -> HttpResponse:
    return _onward_post(
        request,
        client_id,
        onward_id,
        f.MeetingForm,
        lambda s, o, d: onward.meeting_set(staff=s, onward=o, **d),
        "Meeting date saved. Feedback to the person is on the due list.",
    )


@staff_view(Can.SEE_CLIENTS)
@require_POST
def onward_feedback(request: HttpRequest, client_id: int, onward_id: int) -> HttpResponse:
    return _onward_post(request, client_id, onward_id, f.FeedbackForm, lambda s, o, d: onward.feedback_record(staff=s, onward=o, **d), "Feedback recorded.")


@staff_view(Can.SEE_CLIENTS)
@require_POST
def onward_action(request: HttpRequest, client_id: int, onward_id: int) -> HttpResponse:
    return _onward_post(
        request,
        client_id,
        onward_id,
        f.ActionForm,
        lambda s, o, d: onward.action_add(staff=s, onward=o, **d),
        "Action added.",
        organisation=request.staff.organisation,
    )


@staff_view(Can.SEE_CLIENTS)
@require_http_methods(["GET", "POST"])
def onward_withdraw(request: HttpRequest, client_id: int, onward_id: int) -> HttpResponse:
    staff, client, row, stop = _onward(request, client_id, onward_id)
    if stop is not None:
        return stop
    assert client is not None and row is not None
    form = f.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _row, lost = onward.onward_withdraw(staff=staff, onward=row, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return render(request, "justice/withdrawn.html", {"staff": staff, "client": client, "onward": row, "lost": lost})
    return render(
        request,
        "justice/withdraw.html",
        {"staff": staff, "client": client, "onward": row, "form": form, "lost": onward.cannot_recall(row)},
        status=400 if form.errors else 200,
    )


@staff_view(Can.SEE_CLIENTS)
def onward_pdf(request: HttpRequest, client_id: int, onward_id: int) -> HttpResponse:
    staff, client, row, stop = _onward(request, client_id, onward_id)
    if stop is not None:
        return stop
    assert row is not None
    if row.kind == OnwardKind.ORGANISATION or row.state == OnwardState.WITHDRAWN:
        raise Http404("No such page")
    made = marac.render(row, staff.membership.display_name)
    onward.pdf_made(staff=staff, onward=row)
    response = HttpResponse(made.data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{row.kind}-referral-{row.reference}.pdf"'
    return response


@staff_view(Can.SEE_CLIENTS)
def due(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    return render(request, "justice/due.html", {"staff": staff, "rows": selectors.due_list(staff)})


@staff_view(Can.SEE_CLIENTS)
@require_POST
def task_done(request: HttpRequest, task_id: int) -> HttpResponse:
    staff = request.staff
    task = selectors.open_tasks(staff).filter(pk=task_id).first()
    if task is None:
        raise Http404("No such page")
    with transaction.atomic():
        Task.objects.filter(pk=task.pk, done_at__isnull=True).update(done_at=timezone.now(), done_by=staff.membership)
        record_staff(staff.user, AuditAction.TASK_DONE, organisation=staff.organisation, client=task.client, target=f"task {task.pk} ({task.kind})")
    messages.success(request, "Marked done.")
    return redirect("justice_due", slug=staff.organisation.slug)


@staff_view(Can.TRIAGE)
def incoming(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    return render(request, "justice/incoming.html", {"staff": staff, "rows": list(selectors.incoming(staff)[:200])})


@staff_view(Can.TRIAGE)
@require_http_methods(["GET", "POST"])
def incoming_detail(request: HttpRequest, onward_id: int) -> HttpResponse:
    staff = request.staff
    row = selectors.incoming(staff).filter(pk=onward_id).first()
    if row is None:
        raise Http404("No such page")
    form = f.AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            onward.recipient_decide(staff=staff, onward=row, state=form.cleaned_data["state"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Answer saved.")
            return redirect("justice_incoming_detail", slug=staff.organisation.slug, onward_id=row.pk)
    shared = onward.recipient_read(staff=staff, onward=row)
    return render(
        request,
        "justice/incoming_detail.html",
        {"staff": staff, "onward": row, "shared": shared, "form": form, "items": [onward.ITEMS[i] for i in row.items]},
        status=400 if form.errors else 200,
    )


@staff_view(Can.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def protocol(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    current = Protocol.objects.filter(organisation=staff.organisation).first()
    initial = {"name": current.name, "escalation": current.escalation, "repeat": current.repeat} if current else {}
    form = f.ProtocolForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            Protocol.objects.update_or_create(organisation=staff.organisation, defaults=form.cleaned_data)
            record_staff(staff.user, AuditAction.PROTOCOL_CHANGED, organisation=staff.organisation, target="marac protocol")
        messages.success(request, "Protocol definitions saved.")
        return redirect("justice_protocol", slug=staff.organisation.slug)
    return render(request, "justice/protocol.html", {"staff": staff, "form": form}, status=400 if form.errors else 200)
