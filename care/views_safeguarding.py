"""Thin views of a client's care overview and safeguarding concerns, and the safeguarding lead's list.

Every view passes organisations.access.staff_view (membership, MFA, idle timeout) and care.access (which client,
restriction, break-glass); every read of client content is written to the audit log."""

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
from care import ledger, safeguarding, selectors
from care.access import concern_gate, lead_sees
from care.forms import ChaseForm, ChildForm, CloseForm, ConcernForm, ConsentForm, NoteForm, OutcomeForm, SafeguardingReferralForm
from care.models import ConcernStatus, SafeguardingConcern, attach
from casework.gate import client_page
from casework.models import Client
from casework.policy import hides_name
from casework.services import client_read
from organisations.access import Can, Staff, staff_view
from organisations.forms import add_errors


def read(staff: Any, client: Any, what: str) -> None:
    client_read(staff=staff, client=client, action=AuditAction.CARE_VIEWED, target=what)


@staff_view()
@client_page
def overview(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    read(staff, client, "care overview")
    return render(request, "care/overview.html", {"staff": staff, "client": client, **selectors.overview(client)})


@staff_view()
@client_page
def verify(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    result = ledger.verify(client)
    with transaction.atomic():
        record_staff(staff.user, AuditAction.CARE_VERIFIED, organisation=staff.organisation, client=client, target="intact" if result.ok else "broken")
    return render(request, "care/verify.html", {"staff": staff, "client": client, "result": result})


@staff_view()
@require_http_methods(["GET", "POST"])
@client_page
def concern_new(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    form = ConcernForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            concern = safeguarding.concern_raise(
                staff=staff,
                client=client,
                subject=d["subject"],
                summary=d["summary"],
                consent=d["consent"],
                consent_note=d["consent_note"],
                children=[form.child()] if form.has_child() else [],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Concern {concern.reference} raised. The safeguarding lead has been told.")
            return redirect("care_concern", slug=staff.organisation.slug, client_id=client.pk, number=concern.number)
    return render(request, "care/concern_new.html", {"staff": staff, "client": client, "form": form}, status=400 if form.errors else 200)


FORMS = {
    "refer": SafeguardingReferralForm,
    "child": ChildForm,
    "consent": ConsentForm,
    "review": NoteForm,
    "close": CloseForm,
    "outcome": OutcomeForm,
    "chase": ChaseForm,
}


def _page(request: HttpRequest, staff: Any, client: Any, concern: SafeguardingConcern, bound: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    today = selectors.rules.today()
    referrals = [
        {
            "referral": r,
            "overdue": safeguarding.overdue(r, today),
            "outcome_form": bound.get(("outcome", r.pk)) or OutcomeForm(),
            "chase_form": bound.get(("chase", r.pk)) or ChaseForm(),
        }
        for r in attach(concern.referrals.select_related("made_by"), client)
    ]
    forms = {name: bound.get(name) or cls(prefix=name) for name, cls in FORMS.items() if name not in ("outcome", "chase")}
    context = {
        "staff": staff,
        "client": client,
        "concern": concern,
        "referrals": referrals,
        "forms": forms,
        "open": concern.status == ConcernStatus.OPEN,
        "can_review": staff.can(Can.REVIEW_SAFEGUARDING),
        "sees_client": staff.can(Can.SEE_CLIENTS),
        "steps": ledger.history(client, safeguarding.subject_of(concern)),
    }
    return render(request, "care/concern.html", context, status=status)


@staff_view()
def concern_detail(request: HttpRequest, client_id: int, number: int) -> HttpResponse:
    staff, client, concern, stop = concern_gate(request, client_id, number)
    if stop is not None or concern is None:
        return stop  # type: ignore[return-value]
    read(staff, client, f"safeguarding concern {concern.number}")
    return _page(request, staff, client, concern)


@staff_view()
@require_POST
def concern_step(request: HttpRequest, client_id: int, number: int, step: str) -> HttpResponse:
    staff, client, concern, stop = concern_gate(request, client_id, number)
    if stop is not None or concern is None:
        return stop  # type: ignore[return-value]
    if step not in ("refer", "child", "consent", "review", "close") or (step == "review" and not staff.can(Can.REVIEW_SAFEGUARDING)):
        raise Http404("No such page")
    form = FORMS[step](request.POST, prefix=step)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if step == "refer":
                safeguarding.referral_make(
                    staff=staff, concern=concern, agency=d["agency"], made_at=d["made_at"], outcome_due=d["outcome_due"], reference=d["reference"]
                )
            elif step == "child":
                safeguarding.child_add(staff=staff, concern=concern, data=form.child())
            elif step == "consent":
                safeguarding.consent_record(staff=staff, concern=concern, consent=d["consent"], note=d["note"])
            elif step == "review":
                safeguarding.concern_review(staff=staff, concern=concern, note=d["note"])
            else:
                safeguarding.concern_close(staff=staff, concern=concern, outcome=d["outcome"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Saved, and added to the record's history.")
            return redirect("care_concern", slug=staff.organisation.slug, client_id=client.pk, number=concern.number)
    concern.refresh_from_db()
    return _page(request, staff, client, concern, {step: form}, status=400)


@staff_view()
@require_POST
def referral_step(request: HttpRequest, client_id: int, number: int, referral_id: int, step: str) -> HttpResponse:
    staff, client, concern, stop = concern_gate(request, client_id, number)
    if stop is not None or concern is None:
        return stop  # type: ignore[return-value]
    referral = concern.referrals.filter(pk=referral_id).select_related("concern", "client", "client__organisation").first() if referral_id < 2**31 else None
    if referral is None or step not in ("outcome", "chase"):
        raise Http404("No such page")
    form = FORMS[step](request.POST, prefix=f"{step}{referral.pk}")
    if form.is_valid():
        d = form.cleaned_data
        try:
            if step == "outcome":
                safeguarding.referral_outcome(staff=staff, referral=referral, outcome=d["outcome"], outcome_on=d["outcome_on"])
            else:
                safeguarding.referral_chase(staff=staff, referral=referral, next_due=d["next_due"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Saved, and added to the record's history.")
            return redirect("care_concern", slug=staff.organisation.slug, client_id=client.pk, number=concern.number)
    return _page(request, staff, client, concern, {(step, referral.pk): form}, status=400)


@staff_view(Can.REVIEW_SAFEGUARDING)
def lead_list(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    today = selectors.rules.today()
    rows = []
    for c in selectors.concerns_for_lead(staff):
        reachable = lead_sees(staff, c.client)
        rows.append(
            {
                "concern": c,
                "hidden": hides_name(staff, c.client),
                "reachable": reachable,
                "overdue": sum(1 for r in c.referrals.all() if safeguarding.overdue(r, today)),
            }
        )
    with transaction.atomic():
        record_staff(staff.user, AuditAction.CARE_VIEWED, organisation=staff.organisation, target=f"safeguarding list: {len(rows)} open")
    return render(request, "care/lead_list.html", {"staff": staff, "rows": rows})
