"""Risk assessment on the service side: the S-DASH and the DASH by question ID (through the one instrument
registry, insights/instruments.py), the professional judgement and its reason, the level and its history.

Raising a level, or keeping it, takes effect at once. Lowering one waits for a team lead's review (another team
lead than the assessor): until then the client keeps the higher level. Enforced here, whoever calls.

The criteria are shown as what they are, never as a score or a prediction: 14 or more DASH ticks is the MARAC
criterion of visible high risk for domestic abuse; the S-DASH has no threshold; escalation and a repeat are what
the local MARAC protocol says (justice.models.Protocol, an organisation setting).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from casework.models import Client, Referral
from insights import instruments
from justice import ledger
from justice.models import LEVEL_RANK, Assessment, Level, LevelReview, Onward, OnwardKind, OnwardState, Protocol, Review, Task, TaskKind
from justice.rules import clean_text, is_team_lead, may_work_on, remind, today
from organisations.access import Staff

STAFF_INSTRUMENTS = ("sdash-2009", "dash-2009")
ANSWERS = {"yes", "no", "unknown"}
DASH_MARAC_TICKS = 14  # SafeLives: 14 or more "yes" answers on the Dash: refer to MARAC (visible high risk)
REPEAT_WINDOW_DAYS = 365  # a repeat: a new incident within 12 months of the last MARAC (SafeLives criteria)


def staff_instrument(instrument_id: str) -> instruments.Instrument:
    inst = instruments.get(instrument_id) if instrument_id in STAFF_INSTRUMENTS else None
    if inst is None or "staff" not in inst.audience:
        raise ValidationError("Choose the S-DASH or the DASH.")
    return inst


def current_level(client: Client) -> str:
    """The level in force: the latest assessment that took effect (never one waiting for review)."""
    latest = Assessment.objects.filter(client=client, review__in=[Review.NOT_NEEDED, Review.AGREED]).order_by("-at", "-pk").first()
    return latest.level if latest else ""


def _clean_answers(inst: instruments.Instrument, answers: dict[str, str]) -> dict[str, str]:
    ids = set(inst.ids)
    unknown = sorted(set(answers) - ids)
    if unknown:
        raise ValidationError(f"{inst.short_name} has no question {unknown[0][:20]}.")
    out = {}
    for qid in inst.ids:
        value = answers.get(qid) or "unknown"
        if value not in ANSWERS:
            raise ValidationError(f"Answer {qid} with yes, no or not known.")
        out[qid] = value
    return out


def assessment_record(*, staff: Staff, client: Client, instrument: str, answers: dict[str, str], level: str, judgement: str, domestic: bool) -> Assessment:
    """Record an assessment. A lower level than the one in force waits for a team lead's review."""
    may_work_on(staff, client)
    inst = staff_instrument(instrument)
    answers = _clean_answers(inst, answers)
    if level not in Level.values:
        raise ValidationError("Choose a level: standard, medium or high.")
    judgement = clean_text(judgement, "your professional judgement and its reason", required=True, minimum=10)
    with transaction.atomic():
        locked = ledger.lock(client)
        before = current_level(locked) or (client.risk if client.risk in Level.values else "")
        lowering = LEVEL_RANK[level] < LEVEL_RANK.get(before, -1)
        row = Assessment(
            client=locked,
            by=staff.membership,
            at=timezone.now(),
            instrument=inst.id,
            instrument_version=inst.version,
            answers=answers,
            domestic=domestic,
            level=level,
            level_before=before,
            review=Review.AWAITING if lowering else Review.NOT_NEEDED,
        )
        row.judgement = judgement
        row.save()
        ledger.append(locked, row, staff=staff, action=AuditAction.RISK_ASSESSED)
        if lowering:
            remind(locked, TaskKind.LOWERING_REVIEW, today(), f"assessment/{row.uuid}")
        else:
            Client.objects.filter(pk=client.pk).update(risk=level)
    return row


def level_review(*, staff: Staff, assessment: Assessment, agreed: bool, reason: str) -> LevelReview:
    """A team lead agrees (the lower level takes effect) or not (the level in force stays)."""
    client = assessment.client
    may_work_on(staff, client)
    if not is_team_lead(staff):
        raise ValidationError("Only a team lead can review a lowered risk level.")
    if assessment.by_id == staff.membership.pk:
        raise ValidationError("Another team lead must review a level you lowered yourself.")
    reason = clean_text(reason, "the reason for your review", required=True, minimum=10)
    with transaction.atomic():
        locked = ledger.lock(client)
        fresh = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if fresh.review != Review.AWAITING:
            raise ValidationError("This assessment is not waiting for a review.")
        review = LevelReview(client=locked, by=staff.membership, at=timezone.now(), assessment=fresh, agreed=agreed)
        review.reason = reason
        review.save()
        # The assessment's own row keeps its first state in the chain; the review is the entry that decides it.
        Assessment.objects.filter(pk=fresh.pk).update(review=Review.AGREED if agreed else Review.REFUSED)
        ledger.append(locked, review, staff=staff, action=AuditAction.RISK_REVIEWED)
        Task.objects.filter(client=client, kind=TaskKind.LOWERING_REVIEW, about=f"assessment/{fresh.uuid}", done_at__isnull=True).update(
            done_at=timezone.now(), done_by=staff.membership
        )
        if agreed:
            Client.objects.filter(pk=client.pk).update(risk=fresh.level)
    return review


# ------------------------------------------------------------------- criteria, shown as what they are


@dataclass
class Criteria:
    lines: list[str] = field(default_factory=list)
    meets_visible_high_risk: bool = False
    repeat: bool = False
    protocol: Protocol | None = None


def is_domestic(client: Client) -> bool:
    return Referral.objects.filter(client=client, domestic_abuse=True).exists() or Assessment.objects.filter(client=client, domestic=True).exists()


def last_marac(client: Client, before: dt.date | None = None) -> Onward | None:
    qs = Onward.objects.filter(client=client, kind=OnwardKind.MARAC).exclude(state=OnwardState.WITHDRAWN).exclude(meeting_on__isnull=True)
    if before is not None:
        qs = qs.filter(meeting_on__lt=before)
    return qs.order_by("-meeting_on").first()


def repeat_within_year(client: Client, on: dt.date | None = None) -> bool:
    """A MARAC meeting heard this client within the twelve months before ``on`` (today)."""
    on = on or today()
    last = last_marac(client, before=on + dt.timedelta(days=1))
    return last is not None and last.meeting_on is not None and (on - last.meeting_on).days <= REPEAT_WINDOW_DAYS


def criteria(client: Client, assessment: Assessment | None, instrument: str = "") -> Criteria:
    """The criteria beside an assessment (or beside the form of ``instrument``), as the sources state them."""
    out = Criteria(protocol=Protocol.objects.filter(organisation=client.organisation).first())
    instrument = assessment.instrument if assessment is not None else instrument
    if instrument == "dash-2009":
        rule = (
            f"In domestic abuse cases, {DASH_MARAC_TICKS} or more DASH ticks is the MARAC criterion of visible high risk (SafeLives); "
            "fewer ticks never rule out a referral on professional judgement."
        )
        if assessment is not None:
            ticks = assessment.yes_count
            out.meets_visible_high_risk = assessment.domestic and ticks >= DASH_MARAC_TICKS
            rule = f"{ticks} DASH question(s) ticked yes. {rule}"
        out.lines.append(rule)
    elif instrument:
        out.lines.append(
            "The S-DASH has no threshold: no number of yes answers makes a level. More yes answers mean more concern; "
            "write down the context and link the assessment to the safety plan."
        )
    out.repeat = repeat_within_year(client)
    if out.repeat:
        out.lines.append("A MARAC heard this client within the last twelve months: a new incident is a repeat, itself a referral criterion.")
    out.lines.append("Professional judgement is always a criterion on its own, stated with its reason. It may raise a level, never lower one without review.")
    return out


def history(client: Client) -> list[Assessment]:
    return list(Assessment.objects.filter(client=client).select_related("by", "level_review", "level_review__by").order_by("-at", "-pk"))
