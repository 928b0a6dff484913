"""Thin views of closure: the client's closure page (checklist, history), the team lead's decision, reopening,
and the list of closures waiting for approval."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.actions import AuditAction
from casework.gate import client_page
from casework.models import Client, ClientStatus
from casework.policy import hides_name
from casework.services import client_read
from governance import closure as svc
from governance.forms import ClosureForm, DecideForm, ReasonForm
from governance.models import Closure, ClosureState
from organisations.access import Can, Staff, staff_view
from organisations.forms import add_errors


def _page(request: HttpRequest, staff: Staff, client: Client, *, form: Any = None, decide: Any = None, reopen: Any = None, status: int = 200) -> HttpResponse:
    history = list(Closure.objects.filter(client=client).select_related("requested_by", "decided_by", "reopened_by"))
    for c in history:
        c.client = client
    waiting = next((c for c in history if c.state == ClosureState.WAITING), None)
    context = {
        "staff": staff,
        "client": client,
        "history": history,
        "blockers": svc.blockers(client) if client.status == ClientStatus.OPEN else [],
        "exit_measures": svc.has_exit_measures(client),
        "form": form or ClosureForm(),
        "waiting": waiting,
        "can_decide": staff.can(Can.APPROVE_CLOSURE),
        "decide": decide or DecideForm(),
        "reopen": reopen or ReasonForm(),
        "needs_approval": svc.settings_for(staff.organisation).closure_needs_approval,
    }
    return render(request, "governance/closure.html", context, status=status)


@staff_view()
@require_http_methods(["GET", "POST"])
@client_page
def closure_page(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    if request.method == "GET":
        client_read(staff=staff, client=client, action=AuditAction.RECORDS_VIEWED, target="closure")
        return _page(request, staff, client)
    form = ClosureForm(request.POST)
    if form.is_valid():
        try:
            done = svc.closure_request(staff=staff, client=client, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Record closed." if done.state == ClosureState.CLOSED else "Closure sent to a team lead for approval.")
            return redirect("gov_closure", slug=staff.organisation.slug, client_id=client.pk)
    return _page(request, staff, client, form=form, status=400)


@staff_view(Can.APPROVE_CLOSURE)
@require_POST
@client_page
def closure_decide(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    waiting = Closure.objects.filter(client=client, state=ClosureState.WAITING).first()
    if waiting is None:
        raise Http404("No such page")
    form = DecideForm(request.POST)
    if form.is_valid():
        try:
            svc.closure_decide(staff=staff, closure=waiting, approve=form.cleaned_data["decision"] == "approve", note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("gov_closure", slug=staff.organisation.slug, client_id=client.pk)
    return _page(request, staff, client, decide=form, status=400)


@staff_view(Can.APPROVE_CLOSURE)
@require_POST
@client_page
def closure_reopen(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            svc.closure_reopen(staff=staff, client=client, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Record reopened. Its closure stays in the history.")
            return redirect("gov_closure", slug=staff.organisation.slug, client_id=client.pk)
    return _page(request, staff, client, reopen=form, status=400)


@staff_view(Can.APPROVE_CLOSURE)
@require_GET
def closures_waiting(request: HttpRequest) -> HttpResponse:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    rows = list(
        Closure.objects.filter(organisation=staff.organisation, state=ClosureState.WAITING).select_related("client", "client__organisation", "requested_by")
    )
    for c in rows:
        c.shown_name = "" if hides_name(staff, c.client) else c.client.full_name
    return render(request, "governance/closures.html", {"staff": staff, "rows": rows})
