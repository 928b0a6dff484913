"""Onward referral (design 3.7): to another organisation in Daybook, to MARAC (a meeting, domestic abuse only)
or to the stalking panel or clinic (MASIP).

The basis rule, enforced here whoever calls: no referral without a recorded basis, either the person's consent
for this recipient and purpose (with its date), or a protocol or safeguarding basis with who decided, whether the
person was told, and the rationale. Another organisation reads only the items the caseworker chose, from a copy
sealed for it; withdrawing stops that at once (the copy is emptied) and says what cannot be recalled.
States: sent, then accepted or declined (with a reason) by the recipient, completed; withdrawn by the sender.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import record_staff
from casework.deadlines import add_working_days
from casework.models import Client
from justice import ledger
from justice.models import Basis, MeetingAction, Onward, OnwardEvent, OnwardKind, OnwardState, Task, TaskKind
from justice.risk import current_level, is_domestic
from justice.rules import clean_text, may_work_on, not_before, not_future, remind, today
from organisations.access import Can, Staff
from organisations.models import Membership, Organisation

FEEDBACK_WORKING_DAYS = 2  # feedback to the person within two working days of the meeting (anchors 7.3)

# What a caseworker may choose to share with another organisation.
ITEMS = {
    "name": "Name",
    "contact": "Safe contact rules and numbers",
    "area": "Area they live in",
    "language": "Language, interpreter and access needs",
    "risk": "The current risk level",
    "summary": "A summary written for this referral",
}
RECIPIENT_STATES = {OnwardState.ACCEPTED, OnwardState.DECLINED, OnwardState.COMPLETED}
NEXT = {
    OnwardState.SENT: {OnwardState.ACCEPTED, OnwardState.DECLINED, OnwardState.WITHDRAWN},
    OnwardState.ACCEPTED: {OnwardState.COMPLETED, OnwardState.WITHDRAWN},
    OnwardState.COMPLETED: {OnwardState.WITHDRAWN},
    OnwardState.DECLINED: set(),
    OnwardState.WITHDRAWN: set(),
}


@dataclass
class BasisInput:
    basis: str
    consent_on: dt.date | None = None
    decided_by: str = ""
    person_told: str = ""
    rationale: str = ""


def check_basis(b: BasisInput) -> BasisInput:
    """The basis rule. Refuses (ValidationError) anything short of a recorded basis."""
    if b.basis not in Basis.values:
        raise ValidationError("Record the basis for sharing: the person's consent, a protocol, or safeguarding. Nothing is shared without one.")
    rationale = clean_text(b.rationale, "the rationale")
    if b.basis == Basis.CONSENT:
        if b.consent_on is None:
            raise ValidationError("Give the date the person consented to sharing with this recipient for this purpose.")
        not_future(b.consent_on, "the date of consent")
        return BasisInput(b.basis, b.consent_on, "", "yes", rationale)
    decided_by = clean_text(b.decided_by, "who decided to share without consent", required=True, limit=120)
    if b.person_told not in ("yes", "no"):
        raise ValidationError("Say whether the person was told about the referral.")
    if not rationale or len(rationale) < 10:
        raise ValidationError("Write why information is shared without consent (and, if the person was not told, why not).")
    return BasisInput(b.basis, None, decided_by, b.person_told, rationale)


def _shared_copy(client: Client, items: list[str], summary: str) -> dict[str, Any]:
    copy: dict[str, Any] = {"reference": client.reference}
    if "name" in items:
        copy["name"] = client.full_name
    if "contact" in items:
        copy["contact"] = {"phones": client.phones, "rules": client.safe_contact}
    if "area" in items:
        copy["area"] = client.address_area
    if "language" in items:
        copy["language"] = {"language": client.language, "interpreter": client.interpreter, "access": client.access_needs}
    if "risk" in items:
        copy["risk"] = current_level(client) or client.risk
    if "summary" in items:
        copy["summary"] = summary
    return copy


def _event(onward: Onward, state: str, staff: Staff, reason: str = "", shared_sha256: str = "") -> OnwardEvent:
    event = OnwardEvent(onward=onward, state=state, by=staff.membership, at=timezone.now(), shared_sha256=shared_sha256)
    event.reason = reason
    event.save()
    return event


def onward_send(
    *,
    staff: Staff,
    client: Client,
    kind: str,
    purpose: str,
    basis: BasisInput,
    to_organisation: Organisation | None = None,
    items: list[str] | None = None,
    summary: str = "",
    detail: dict[str, Any] | None = None,
) -> Onward:
    """Send an onward referral under a recorded basis. MARAC is for domestic abuse only; MASIP for stalking."""
    may_work_on(staff, client)
    if kind not in OnwardKind.values:
        raise ValidationError("Choose where the referral goes.")
    b = check_basis(basis)
    purpose = clean_text(purpose, "the purpose of the referral", required=True, limit=200)
    items = list(dict.fromkeys(items or []))
    summary = clean_text(summary, "the summary")
    if kind == OnwardKind.ORGANISATION:
        if to_organisation is None or to_organisation.pk == client.organisation_id:
            raise ValidationError("Choose another organisation in Daybook to refer to.")
        if not items or not set(items) <= set(ITEMS):
            raise ValidationError("Choose what to share: only what you choose is sent.")
        if "summary" in items and not summary:
            raise ValidationError("Write the summary you chose to share.")
    else:
        to_organisation, items = None, []
        if kind == OnwardKind.MARAC and not is_domestic(client):
            raise ValidationError("MARAC hears domestic abuse cases. For stalking by someone not personally connected, refer to the stalking panel (MASIP).")
        if kind == OnwardKind.MARAC and b.basis == Basis.SAFEGUARDING:
            raise ValidationError("Sharing with MARAC without consent is done under its protocol: choose 'a protocol'.")
    with transaction.atomic():
        locked = ledger.lock(client)
        onward = Onward(
            client=locked,
            by=staff.membership,
            at=timezone.now(),
            kind=kind,
            to_organisation=to_organisation,
            purpose=purpose,
            basis=b.basis,
            consent_on=b.consent_on,
            decided_by=b.decided_by,
            person_told=b.person_told,
            items=items,
        )
        onward.rationale = b.rationale
        shared = _shared_copy(client, items, summary) if kind == OnwardKind.ORGANISATION else {}
        onward.shared = shared
        onward.detail = detail or {}
        onward.save()
        digest = hashlib.sha256(json.dumps(shared, sort_keys=True, ensure_ascii=False).encode()).hexdigest() if shared else ""
        ledger.append(locked, onward, staff=staff, action=AuditAction.ONWARD_SENT, target=f"onward {onward.pk} ({kind})")
        ledger.append(locked, _event(onward, OnwardState.SENT, staff, shared_sha256=digest), staff=staff, action=AuditAction.ONWARD_STATE)
    return onward


def _move(onward: Onward, state: str, staff: Staff, reason: str, action: str) -> Onward:
    with transaction.atomic():
        locked = ledger.lock(onward.client)
        fresh = Onward.objects.select_for_update(of=("self",)).select_related("to_organisation", "client").get(pk=onward.pk)
        if state == OnwardState.WITHDRAWN and fresh.state == OnwardState.WITHDRAWN:
            when = fresh.events.filter(state=OnwardState.WITHDRAWN).values_list("at", flat=True).first()
            raise ValidationError(f"This referral was already withdrawn{f' on {timezone.localtime(when):%d/%m/%Y}' if when else ''}: nothing more is shared.")
        if state not in NEXT[OnwardState(fresh.state)]:
            raise ValidationError(f"A referral that is {fresh.get_state_display().lower()} cannot be marked {OnwardState(state).label.lower()}.")
        fresh.state = state
        if state == OnwardState.WITHDRAWN:
            fresh.shared_enc = ""  # sharing stops at once: the recipient's copy is gone
        fresh.save(update_fields=["state", "shared_enc"])
        ledger.append(locked, fresh, staff=staff, action=action, target=f"onward {fresh.pk} ({state})")
        ledger.append(locked, _event(fresh, state, staff, reason), staff=staff, action=AuditAction.ONWARD_STATE)
    return fresh


def onward_withdraw(*, staff: Staff, onward: Onward, reason: str) -> tuple[Onward, list[str]]:
    """Withdraw (the sender's side): future sharing stops at once. Returns what cannot be recalled, in words to
    tell the person."""
    may_work_on(staff, onward.client)
    reason = clean_text(reason, "why the referral is withdrawn", required=True, minimum=5)
    already = cannot_recall(onward)
    return _move(onward, OnwardState.WITHDRAWN, staff, reason, AuditAction.ONWARD_WITHDRAWN), already


def cannot_recall(onward: Onward) -> list[str]:
    out = []
    if onward.kind == OnwardKind.ORGANISATION:
        reads = AuditEvent.objects.filter(action=AuditAction.ONWARD_READ, target=f"onward {onward.pk}").count()
        if reads:
            out.append(f"{onward.to_organisation} has already read what was shared ({reads} time(s)); Daybook cannot take back what they noted.")
        else:
            out.append(f"{onward.to_organisation} had not opened the referral: nothing was read, and now nothing can be.")
    else:
        meeting = "MARAC" if onward.kind == OnwardKind.MARAC else "the stalking panel"
        if onward.pdf_made_at:
            out.append(f"The referral form made on {timezone.localtime(onward.pdf_made_at):%d/%m/%Y} and sent to {meeting} cannot be recalled.")
        if onward.meeting_on:
            out.append(f"What was shared at the meeting on {onward.meeting_on:%d/%m/%Y} stays with the agencies there, under their protocol.")
        if not out:
            out.append(f"Nothing had been sent to {meeting} yet.")
    return out


def recipient_decide(*, staff: Staff, onward: Onward, state: str, reason: str = "") -> Onward:
    """The receiving organisation accepts, declines (with a reason) or completes."""
    if onward.to_organisation_id != staff.organisation.pk or not staff.can(Can.TRIAGE):
        raise ValidationError("Only the receiving organisation's intake or team lead can answer this referral.")
    if state not in RECIPIENT_STATES:
        raise ValidationError("Choose accept, decline or completed.")
    reason = clean_text(reason, "the reason for declining", required=state == OnwardState.DECLINED, minimum=5 if state == OnwardState.DECLINED else 0)
    return _move(onward, state, staff, reason, AuditAction.ONWARD_ANSWERED)


def recipient_read(*, staff: Staff, onward: Onward) -> dict[str, Any]:
    """The copy the receiving organisation may read (nothing once withdrawn); every read is logged."""
    if onward.to_organisation_id != staff.organisation.pk or not staff.can(Can.TRIAGE):
        raise ValidationError("Not yours to read.")
    with transaction.atomic():
        record_staff(staff.user, AuditAction.ONWARD_READ, organisation=staff.organisation, target=f"onward {onward.pk}")
    return {} if onward.state == OnwardState.WITHDRAWN else (onward.shared or {})


def _live_meeting(staff: Staff, onward: Onward) -> None:
    may_work_on(staff, onward.client)
    if onward.kind == OnwardKind.ORGANISATION:
        raise ValidationError("Meetings belong to MARAC and MASIP referrals.")
    if onward.state == OnwardState.WITHDRAWN:
        raise ValidationError("This referral was withdrawn.")


def meeting_set(*, staff: Staff, onward: Onward, meeting_on: dt.date) -> Onward:
    """The meeting date; it makes the reminder to give the person feedback within two working days."""
    _live_meeting(staff, onward)
    not_before(meeting_on, onward.at.date(), "The meeting cannot be before the referral was made.")
    with transaction.atomic():
        locked = ledger.lock(onward.client)
        onward.meeting_on = meeting_on
        onward.save(update_fields=["meeting_on"])
        ledger.append(locked, onward, staff=staff, action=AuditAction.MEETING_RECORDED, target=f"onward {onward.pk}")
        due = add_working_days(meeting_on, FEEDBACK_WORKING_DAYS, onward.client.organisation.nation)
        Task.objects.filter(client=onward.client, kind=TaskKind.MEETING_FEEDBACK, about=f"onward/{onward.uuid}", done_at__isnull=True).delete()
        remind(locked, TaskKind.MEETING_FEEDBACK, due, f"onward/{onward.uuid}")
    return onward


def feedback_due(onward: Onward) -> dt.date | None:
    if onward.meeting_on is None:
        return None
    return add_working_days(onward.meeting_on, FEEDBACK_WORKING_DAYS, onward.client.organisation.nation)


def feedback_record(*, staff: Staff, onward: Onward, on: dt.date) -> Onward:
    _live_meeting(staff, onward)
    if onward.meeting_on is None:
        raise ValidationError("Record the meeting date first.")
    not_future(on, "the date of feedback")
    not_before(on, onward.meeting_on, "Feedback cannot be given before the meeting.")
    with transaction.atomic():
        locked = ledger.lock(onward.client)
        onward.feedback_on = on
        onward.save(update_fields=["feedback_on"])
        ledger.append(locked, onward, staff=staff, action=AuditAction.MEETING_FEEDBACK, target=f"onward {onward.pk}")
        Task.objects.filter(client=onward.client, kind=TaskKind.MEETING_FEEDBACK, about=f"onward/{onward.uuid}", done_at__isnull=True).update(
            done_at=timezone.now(), done_by=staff.membership
        )
    return onward


def action_add(*, staff: Staff, onward: Onward, what: str, owner: Membership, due_on: dt.date) -> MeetingAction:
    _live_meeting(staff, onward)
    what = clean_text(what, "the action", required=True, limit=1000)
    if owner.organisation_id != staff.organisation.pk or not owner.active:
        raise ValidationError("Choose someone in your organisation to own the action.")
    if onward.meeting_on is not None:
        not_before(due_on, onward.meeting_on, "An action cannot be due before the meeting that set it.")
    with transaction.atomic():
        locked = ledger.lock(onward.client)
        row = MeetingAction(client=locked, by=staff.membership, at=timezone.now(), onward=onward, owner=owner, due_on=due_on)
        row.what = what
        row.save()
        ledger.append(locked, row, staff=staff, action=AuditAction.MEETING_ACTION_ADDED, target=f"onward {onward.pk}")
        remind(locked, TaskKind.MEETING_ACTION, due_on, f"action/{row.uuid}")
    return row


def pdf_made(*, staff: Staff, onward: Onward) -> None:
    with transaction.atomic():
        Onward.objects.filter(pk=onward.pk).update(pdf_made_at=timezone.now())
        record_staff(staff.user, AuditAction.MARAC_PDF_MADE, organisation=staff.organisation, client=onward.client, target=f"onward {onward.pk}")


def today_feedback_late(onward: Onward) -> bool:
    due = feedback_due(onward)
    return due is not None and onward.feedback_on is None and due < today()
