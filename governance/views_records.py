"""Thin views of records law: a client's records page (requests, legal hold, complaints), the subject access pack,
the chronology (HTML and CSV), and the organisation's requests log."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.actions import AuditAction
from casework.gate import client_page
from casework.models import Client
from casework.services import client_read
from governance import records
from governance.forms import FeedbackAnswerForm, FeedbackForm, ReasonForm, RequestDecideForm, RequestForm
from governance.models import Feedback, FeedbackOutcome, LegalHold, RecordsRequest
from governance.redaction import named_as_suspect_elsewhere
from organisations.access import Can, Staff, staff_view
from organisations.forms import add_errors


def _page(request: HttpRequest, staff: Staff, client: Client, forms: dict[str, Form] | None = None, status: int = 200) -> HttpResponse:
    reqs = list(RecordsRequest.objects.filter(client=client).select_related("logged_by", "decided_by"))
    fbs = list(Feedback.objects.filter(client=client))
    holds = list(LegalHold.objects.filter(client=client).select_related("placed_by", "lifted_by"))
    forms = forms or {}
    for row in [*reqs, *fbs, *holds]:
        row.client = client
    # One form per open request or complaint, each with its own ids (the names stay the same).
    for r in reqs:
        bound = forms.get(f"decide_{r.pk}")
        r.form = bound or RequestDecideForm(auto_id=f"d{r.pk}_%s")
    for f in fbs:
        bound = forms.get(f"answer_{f.pk}")
        f.form = bound or FeedbackAnswerForm(auto_id=f"a{f.pk}_%s")
    context: dict[str, Any] = {
        "staff": staff,
        "client": client,
        "requests": reqs,
        "feedback": fbs,
        "holds": holds,
        "hold": records.active_hold(client),
        "suspect_elsewhere": named_as_suspect_elsewhere(client),
        "request_form": RequestForm(initial={"received_on": timezone.localdate()}, auto_id="req_%s"),
        "hold_form": ReasonForm(auto_id="hold_%s"),
        "feedback_form": FeedbackForm(initial={"received_on": timezone.localdate()}, auto_id="fb_%s"),
        "open_outcome": FeedbackOutcome.OPEN,
    }
    context.update({k: v for k, v in forms.items() if not k.startswith(("decide_", "answer_"))})
    return render(request, "governance/records.html", context, status=status)


@staff_view(Can.RECORDS_LAW)
@require_GET
@client_page
def records_page(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    client_read(staff=staff, client=client, action=AuditAction.RECORDS_VIEWED, target="records law")
    return _page(request, staff, client)


def _lookup(model: Any, client: Client, pk: object) -> Any:
    try:
        n = int(pk)  # type: ignore[call-overload]
    except (TypeError, ValueError) as exc:
        raise Http404("No such page") from exc
    row = model.objects.filter(client=client, pk=n).first() if 0 < n < 2**63 else None
    if row is None:
        raise Http404("No such page")
    row.client = client
    return row


@staff_view(Can.RECORDS_LAW)
@require_POST
@client_page
def records_step(request: HttpRequest, staff: Staff, client: Client, step: str, item_id: int = 0) -> HttpResponse:
    steps: dict[str, tuple[str, type[Form], str]] = {
        "request": ("request_form", RequestForm, "req_%s"),
        "decide": (f"decide_{item_id}", RequestDecideForm, f"d{item_id}_%s"),
        "hold": ("hold_form", ReasonForm, "hold_%s"),
        "lift": ("hold_form", Form, "hold_%s"),
        "feedback": ("feedback_form", FeedbackForm, "fb_%s"),
        "answer": (f"answer_{item_id}", FeedbackAnswerForm, f"a{item_id}_%s"),
    }
    if step not in steps:
        raise Http404("No such page")
    name, form_class, auto_id = steps[step]
    target = None
    if step == "decide":
        target = _lookup(RecordsRequest, client, item_id)
    elif step == "answer":
        target = _lookup(Feedback, client, item_id)
    form = form_class(request.POST, auto_id=auto_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "request":
                records.request_log(staff=staff, client=client, **data)
            elif step == "decide":
                records.request_decide(staff=staff, request=target, **data)
            elif step == "hold":
                records.hold_place(staff=staff, client=client, reason=data["reason"])
            elif step == "lift":
                records.hold_lift(staff=staff, client=client)
            elif step == "feedback":
                records.feedback_log(staff=staff, client=client, **data)
            else:
                records.feedback_answer(staff=staff, feedback=target, **data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("gov_records_client", slug=staff.organisation.slug, client_id=client.pk)
    return _page(request, staff, client, {name: form}, status=400)


@staff_view(Can.RECORDS_LAW)
@require_GET
@client_page
def subject_access(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    client_read(staff=staff, client=client, action=AuditAction.SUBJECT_ACCESS_PACK, target="subject access pack")
    context = {"organisation": staff.organisation, "client": client, "sections": records.subject_access_pack(client), "made_on": timezone.localdate()}
    return render(request, "governance/subject_access.html", context)


@staff_view(Can.RECORDS_LAW)
@require_GET
@client_page
def chronology(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    client_read(staff=staff, client=client, action=AuditAction.CHRONOLOGY_EXPORTED, target="chronology")
    return render(request, "governance/chronology.html", {"staff": staff, "client": client, "events": records.chronology(client)})


@staff_view(Can.RECORDS_LAW)
@require_GET
@client_page
def chronology_csv(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    client_read(staff=staff, client=client, action=AuditAction.CHRONOLOGY_EXPORTED, target="chronology csv")
    response = HttpResponse(records.chronology_csv(client), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="chronology-{client.reference}.csv"'
    return response


@staff_view(Can.RECORDS_LAW)
@require_GET
def requests_log(request: HttpRequest) -> HttpResponse:
    """The organisation's requests and complaints: references, kinds, dates and decisions, no content."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    reqs = RecordsRequest.objects.filter(organisation=staff.organisation).select_related("decided_by")[:500]
    fbs = Feedback.objects.filter(organisation=staff.organisation).select_related("client")[:500]
    return render(request, "governance/requests_log.html", {"staff": staff, "requests": reqs, "feedback": fbs, "today": timezone.localdate()})
