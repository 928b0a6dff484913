"""Safeguarding concerns (design 3.4): raised at once by anyone who works with the client, without consent and
out of hours; the safeguarding lead told (a casework alert) and reviewing; referrals to children's social care,
the MASH, adult safeguarding and the LADO with their outcomes chased; children's details; consent paths.

Every write is one transaction: the rows, a chained snapshot of the whole concern (``safeguarding.step``) and its
audit row (care/ledger.py). Withdrawing consent is one more step: nothing is erased, nothing is frozen.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from care import ledger, rules
from care.models import (
    CONSENT_NEEDS_NOTE,
    Agency,
    ConcernStatus,
    ConsentPath,
    SafeguardingConcern,
    SafeguardingReferral,
    Subject,
    attach,
)
from casework.models import Alert, AlertKind, Client
from kernel.canonical import day, ts
from organisations.access import Staff

KIND = "safeguarding.step"
PARENT = ("yes", "no", "unknown")


def subject_of(concern: SafeguardingConcern) -> str:
    return f"safeguarding/{concern.uuid}"


def _member(m: Any) -> str | None:
    return str(m) if m else None


def state(concern: SafeguardingConcern) -> dict[str, Any]:
    """The whole concern as chained (canonical: strings, integers, booleans, null)."""
    return {
        "concern": str(concern.uuid),
        "number": concern.number,
        "subject": concern.subject,
        "status": concern.status,
        "raised_at": ts(concern.raised_at),
        "raised_by": _member(concern.raised_by_id),
        "out_of_hours": concern.out_of_hours,
        "summary": concern.summary,
        "consent": concern.consent,
        "consent_note": concern.consent_note,
        "children": concern.children or [],
        "reviewed_at": ts(concern.reviewed_at),
        "reviewed_by": _member(concern.reviewed_by_id),
        "review_note": concern.review_note,
        "closed_at": ts(concern.closed_at),
        "closed_by": _member(concern.closed_by_id),
        "outcome": concern.outcome,
        "referrals": [
            {
                "referral": str(r.uuid),
                "agency": r.agency,
                "made_at": ts(r.made_at),
                "made_by": _member(r.made_by_id),
                "outcome_due": day(r.outcome_due),
                "outcome_on": day(r.outcome_on),
                "last_chased_on": day(r.last_chased_on),
                "reference": r.reference,
                "outcome": r.outcome,
            }
            for r in attach(concern.referrals.order_by("made_at", "pk"), concern.client)
        ],
    }


def current(client: Client) -> dict[str, dict[str, Any]]:
    return {subject_of(c): state(c) for c in attach(SafeguardingConcern.objects.filter(client=client), client)}


def _chain(staff: Staff, concern: SafeguardingConcern, action: str, audit: str) -> None:
    ledger.append(
        concern.client,
        staff=staff,
        kind=KIND,
        subject=subject_of(concern),
        action=action,
        state=state(concern),
        audit=audit,
        target=f"{concern.reference} {action}",
    )


def _consent(path: str, note: str, errors: dict[str, str]) -> str:
    if path not in ConsentPath.values:
        errors["consent"] = "Choose how consent stands."
    note = rules.text(note, "consent_note", rules.MEDIUM, errors)
    if path in CONSENT_NEEDS_NOTE and not note and "consent" not in errors:
        errors["consent_note"] = "Say who decided and why (for example the capacity assessment, or the risk that meant acting without consent)."
    return note


def child(data: dict[str, Any], subject: str, errors: dict[str, str]) -> dict[str, Any]:
    """One child's details, checked: a name (not needed for an unborn child, who has an expected date instead)."""
    name = rules.text(data.get("name", ""), "child_name", rules.SHORT, errors, required="" if subject == Subject.UNBORN else "Enter the child's name.")
    born: dt.date | None = data.get("date_of_birth")
    expected: dt.date | None = data.get("expected_on")
    rules.not_future(born, "child_date_of_birth", errors, "A date of birth")
    if born and born < rules.today() - dt.timedelta(days=365 * 18 + 5) and subject == Subject.CHILD:
        errors["child_date_of_birth"] = "A child is under 18: check the date of birth, or raise the concern for an adult at risk."
    if expected and expected < rules.today() - dt.timedelta(days=31):
        errors["child_expected_on"] = "The expected date is long past: enter the date of birth instead."
    if subject == Subject.UNBORN and not expected and not born:
        errors["child_expected_on"] = "Enter the expected date of birth."
    parent = data.get("suspect_is_parent") or "unknown"
    if parent not in PARENT:
        errors["child_suspect_is_parent"] = "Choose yes, no or not known."
    return {
        "name": name,
        "date_of_birth": day(born),
        "expected_on": day(expected),
        "school": rules.text(data.get("school", ""), "child_school", rules.SHORT, errors),
        "suspect_is_parent": parent,
        "lives_with_person": bool(data.get("lives_with_person")),
        "contact_arrangements": rules.text(data.get("contact_arrangements", ""), "child_contact_arrangements", rules.MEDIUM, errors),
    }


@transaction.atomic
def concern_raise(
    *, staff: Staff, client: Client, subject: str, summary: str, consent: str, consent_note: str = "", children: list[dict[str, Any]] | None = None
) -> SafeguardingConcern:
    """Raise a concern at once (no consent needed, any hour) and tell the safeguarding lead."""
    errors: dict[str, str] = {}
    if subject not in Subject.values:
        errors["subject"] = "Choose who the concern is about."
    summary = rules.text(summary, "summary", rules.LONG, errors, required="Say what the concern is.")
    note = _consent(consent, consent_note, errors)
    if consent == ConsentPath.WITHDRAWN:
        errors["consent"] = "A new concern cannot start with consent withdrawn: choose how it stands now."
    kids = [child(c, subject, errors) for c in (children or [])]
    rules.raise_if(errors)
    ledger.lock(client)
    now = timezone.now()
    number = (SafeguardingConcern.objects.filter(client=client).aggregate(m=Max("number"))["m"] or 0) + 1
    concern = SafeguardingConcern(
        organisation=client.organisation,
        client=client,
        number=number,
        subject=subject,
        raised_at=now,
        raised_by=staff.membership,
        out_of_hours=rules.out_of_hours(now, client.organisation.nation),
        consent=consent,
    )
    concern.summary = summary
    concern.consent_note = note
    concern.children = kids
    concern.review_note = ""
    concern.outcome = ""
    concern.save()
    _chain(staff, concern, "raised", AuditAction.SAFEGUARDING_RAISED)
    alert = Alert.objects.create(
        organisation=client.organisation,
        kind=AlertKind.SAFEGUARDING,
        client=client,
        raised_by=staff.membership,
        message=f"Safeguarding concern {concern.reference} ({concern.get_subject_display().lower()}) raised on {client.reference}"
        f"{' out of hours' if concern.out_of_hours else ''}. The safeguarding lead reviews it.",
    )
    record_staff(staff.user, AuditAction.ALERT_RAISED, organisation=client.organisation, client=client, target=f"alert {alert.pk} (safeguarding)")
    return concern


def _open(concern: SafeguardingConcern, errors: dict[str, str]) -> None:
    if concern.status == ConcernStatus.CLOSED:
        errors["__all__"] = "This concern is closed. Raise a new concern if there is a new worry."


@transaction.atomic
def referral_make(
    *, staff: Staff, concern: SafeguardingConcern, agency: str, made_at: dt.datetime | None = None, outcome_due: dt.date | None = None, reference: str = ""
) -> SafeguardingReferral:
    errors: dict[str, str] = {}
    _open(concern, errors)
    if agency not in Agency.values:
        errors["agency"] = "Choose where the referral went."
    now = timezone.now()
    made_at = made_at or now
    if made_at > now + dt.timedelta(minutes=5):
        errors["made_at"] = "The referral cannot be made in the future."
    elif timezone.localtime(made_at).date() < timezone.localtime(concern.raised_at).date():
        errors["made_at"] = "The referral cannot be made before the concern was raised."
    made_day = timezone.localtime(made_at).date()
    due = outcome_due or rules.default_outcome_due(agency, made_day, concern.organisation.nation)
    if due < made_day:
        errors["outcome_due"] = "The outcome cannot be due before the referral was made."
    reference = rules.text(reference, "reference", rules.SHORT, errors)
    rules.raise_if(errors)
    ledger.lock(concern.client)
    referral = SafeguardingReferral(client=concern.client, concern=concern, agency=agency, made_at=made_at, made_by=staff.membership, outcome_due=due)
    referral.reference = reference
    referral.outcome = ""
    referral.save()
    _chain(staff, concern, "referred", AuditAction.SAFEGUARDING_REFERRED)
    return referral


@transaction.atomic
def referral_outcome(*, staff: Staff, referral: SafeguardingReferral, outcome: str, outcome_on: dt.date | None) -> SafeguardingReferral:
    errors: dict[str, str] = {}
    outcome = rules.text(outcome, "outcome", rules.MEDIUM, errors, required="Say what the agency decided.")
    outcome_on = outcome_on or rules.today()
    rules.not_future(outcome_on, "outcome_on", errors, "The date of the outcome")
    if outcome_on < timezone.localtime(referral.made_at).date():
        errors["outcome_on"] = "The outcome cannot come before the referral was made."
    if referral.outcome_on:
        errors["__all__"] = "This referral's outcome is already recorded."
    rules.raise_if(errors)
    ledger.lock(referral.client)
    referral.outcome = outcome
    referral.outcome_on = outcome_on
    referral.save(update_fields=["outcome_enc", "outcome_on"])
    _chain(staff, referral.concern, "outcome", AuditAction.SAFEGUARDING_OUTCOME)
    return referral


@transaction.atomic
def referral_chase(*, staff: Staff, referral: SafeguardingReferral, next_due: dt.date) -> SafeguardingReferral:
    """The outcome was chased today; it is now expected by ``next_due``."""
    errors: dict[str, str] = {}
    if referral.outcome_on:
        errors["__all__"] = "This referral's outcome is already recorded: nothing to chase."
    if next_due < rules.today():
        errors["next_due"] = "The new date the outcome is expected cannot be in the past."
    rules.raise_if(errors)
    ledger.lock(referral.client)
    referral.last_chased_on = rules.today()
    referral.outcome_due = next_due
    referral.save(update_fields=["last_chased_on", "outcome_due"])
    _chain(staff, referral.concern, "chased", AuditAction.SAFEGUARDING_CHASED)
    return referral


@transaction.atomic
def consent_record(*, staff: Staff, concern: SafeguardingConcern, consent: str, note: str) -> SafeguardingConcern:
    """Record how consent stands now, including its withdrawal: a step like any other. Nothing is erased or
    frozen; a withdrawn consent never closes or hides the concern (safeguarding does not rest on consent)."""
    errors: dict[str, str] = {}
    note = _consent(consent, note, errors)
    if consent == concern.consent == ConsentPath.WITHDRAWN:
        errors["consent"] = "Consent is already recorded as withdrawn."
    rules.raise_if(errors)
    ledger.lock(concern.client)
    concern.consent = consent
    concern.consent_note = note
    concern.save(update_fields=["consent", "consent_note_enc"])
    _chain(staff, concern, "consent_withdrawn" if consent == ConsentPath.WITHDRAWN else "consent", AuditAction.SAFEGUARDING_CONSENT)
    return concern


@transaction.atomic
def child_add(*, staff: Staff, concern: SafeguardingConcern, data: dict[str, Any]) -> SafeguardingConcern:
    errors: dict[str, str] = {}
    _open(concern, errors)
    kid = child(data, concern.subject, errors)
    if concern.subject == Subject.ADULT:
        errors["__all__"] = "This concern is about an adult at risk; raise a concern for the child."
    rules.raise_if(errors)
    ledger.lock(concern.client)
    concern.children = [*(concern.children or []), kid]
    concern.save(update_fields=["children_enc"])
    _chain(staff, concern, "child_added", AuditAction.SAFEGUARDING_CHILD)
    return concern


@transaction.atomic
def concern_review(*, staff: Staff, concern: SafeguardingConcern, note: str) -> SafeguardingConcern:
    """The safeguarding lead's review: their note, and the concern's open alerts closed."""
    errors: dict[str, str] = {}
    note = rules.text(note, "note", rules.MEDIUM, errors, required="Write what you decided on review.")
    rules.raise_if(errors)
    ledger.lock(concern.client)
    now = timezone.now()
    concern.reviewed_at, concern.reviewed_by = now, staff.membership
    concern.review_note = note
    concern.save(update_fields=["reviewed_at", "reviewed_by", "review_note_enc"])
    prefix = f"Safeguarding concern {concern.reference} "
    Alert.objects.filter(client=concern.client, kind=AlertKind.SAFEGUARDING, closed_at__isnull=True, message__startswith=prefix).update(
        closed_at=now, closed_by=staff.membership
    )
    _chain(staff, concern, "reviewed", AuditAction.SAFEGUARDING_REVIEWED)
    return concern


@transaction.atomic
def concern_close(*, staff: Staff, concern: SafeguardingConcern, outcome: str) -> SafeguardingConcern:
    """Close with an outcome, once every referral's outcome is known; without them it is refused."""
    errors: dict[str, str] = {}
    _open(concern, errors)
    outcome = rules.text(outcome, "outcome", rules.MEDIUM, errors, required="A concern cannot be closed without its outcome: say what was done and decided.")
    waiting = [r for r in concern.referrals.all() if not r.outcome_on]
    if waiting:
        names = ", ".join(sorted({r.get_agency_display() for r in waiting}))
        errors["__all__"] = f"A concern cannot be closed while a referral has no outcome ({names}): record or chase it first."
    rules.raise_if(errors)
    ledger.lock(concern.client)
    concern.status, concern.closed_at, concern.closed_by = ConcernStatus.CLOSED, timezone.now(), staff.membership
    concern.outcome = outcome
    concern.save(update_fields=["status", "closed_at", "closed_by", "outcome_enc"])
    _chain(staff, concern, "closed", AuditAction.SAFEGUARDING_CLOSED)
    return concern


def holds_client(client: Client) -> bool:
    """A client with a safeguarding record is kept when its last referral is purged (a late opt-out): withdrawing
    consent never erases a safeguarding record (design 3.4)."""
    return SafeguardingConcern.objects.filter(client=client).exists()


def overdue(referral: SafeguardingReferral, today: dt.date | None = None) -> bool:
    return referral.outcome_on is None and referral.outcome_due < (today or rules.today())
