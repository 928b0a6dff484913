"""The anonymised fact table behind commissioners' returns (design 3.9).

Each function turns one source row into the :class:`~governance.models.Fact` it stands for: categories, yes/no,
whole numbers, a day. Nothing personal and no link back: the key is a one-way hash of the source row's uuid, so
a later change to the same row updates its fact, and deleting the row leaves the fact (and every past return)
as it was. Facts are written when events happen (governance/signals.py) and by ``manage.py backfill_facts``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from care.models import NeedsAssessment, SafeguardingReferral
from casework.models import Client, Offence, Referral, ReferralStatus, Risk
from governance import equality
from governance.models import Closure, ClosureState, EqualityMonitoring, Fact, FactKind, Feedback, RightDelivered
from justice.models import Onward
from kernel.localtime import local_day

MEASURE_RANGE = range(1, 6)
CATCH_UP_OVERLAP = dt.timedelta(minutes=5)  # referrals committed just before the last catch-up started
_OFFENCES = set(Offence.values)


def fact_key(kind: str, source_uuid: object) -> str:
    return hashlib.sha256(f"{kind}:{source_uuid}".encode()).hexdigest()


def _put(kind: str, source_uuid: object, organisation_id: int, values: dict[str, Any]) -> Fact:
    fact, _ = Fact.objects.update_or_create(kind=kind, key=fact_key(kind, source_uuid), defaults={"organisation_id": organisation_id, **values})
    return fact


def referral_values(referral: Referral, *, interpreter: bool | None = None, repeat: bool | None = None) -> dict[str, Any]:
    """The referral's fact as field values (shared by the live hook and the backfill)."""
    client: Client = referral.client
    if interpreter is None:
        interpreter = bool((client.interpreter or "").strip())
    if repeat is None:
        repeat = Referral.objects.filter(client_id=referral.client_id, received_at__lt=referral.received_at).exists()
    attempt = contact = None
    if referral.due_at is not None:
        if referral.first_attempt_at is not None:
            attempt = referral.first_attempt_at <= referral.due_at
        if referral.first_contact_at is not None:
            contact = referral.first_contact_at <= referral.due_at
    wait = None
    if referral.first_contact_at is not None:
        wait = max(0, (local_day(referral.first_contact_at) - local_day(referral.received_at)).days)
    return {
        "on": local_day(referral.received_at),
        "source": referral.source,
        "offences": sorted({o for o in referral.offences or [] if o in _OFFENCES}),
        "accepted": referral.status == ReferralStatus.ACCEPTED,
        "risk": referral.screened_risk or referral.police_risk or Risk.UNKNOWN,
        "attempt_in_time": attempt,
        "contact_in_time": contact,
        "wait_days": wait,
        "repeat": repeat,
        "interpreter": interpreter,
    }


def referral_fact(referral: Referral) -> Fact:
    return _put(FactKind.REFERRAL, referral.uuid, referral.organisation_id, referral_values(referral))


def client_facts(client: Client) -> int:
    """Refresh what the client's referrals' facts take from the client (interpreter use)."""
    keys = [fact_key(FactKind.REFERRAL, u) for u in Referral.objects.filter(client=client).values_list("uuid", flat=True)]
    if not keys:
        return 0
    return Fact.objects.filter(kind=FactKind.REFERRAL, key__in=keys).update(interpreter=bool((client.interpreter or "").strip()))


def safeguarding_fact(row: SafeguardingReferral) -> Fact:
    return _put(FactKind.SAFEGUARDING, row.uuid, row.client.organisation_id, {"on": local_day(row.made_at), "sub": row.agency})


def onward_fact(row: Onward) -> Fact:
    return _put(FactKind.ONWARD, row.uuid, row.client.organisation_id, {"on": local_day(row.at), "sub": row.kind})


def outcomes_fact(row: NeedsAssessment) -> Fact:
    measures = {k: int(v) for k, v in (row.outcomes or {}).items() if isinstance(v, int) and v in MEASURE_RANGE}
    return _put(FactKind.OUTCOMES, row.uuid, row.client.organisation_id, {"on": row.assessed_on, "sub": row.stage, "measures": measures})


def feedback_fact(row: Feedback) -> Fact:
    return _put(FactKind.FEEDBACK, row.uuid, row.organisation_id, {"on": row.received_on, "sub": f"{row.kind}:{row.outcome}"})


def closure_fact(row: Closure) -> Fact | None:
    if row.state not in (ClosureState.CLOSED, ClosureState.REOPENED) or row.decided_at is None:
        return None
    return _put(
        FactKind.CLOSURE,
        row.uuid,
        row.organisation_id,
        {"on": local_day(row.decided_at), "sub": "exit_measures" if row.exit_measures_taken else "no_exit_measures"},
    )


def right_fact(row: RightDelivered) -> Fact:
    return _put(FactKind.RIGHT, row.uuid, row.organisation_id, {"on": row.delivered_on, "sub": str(row.right)})


def equality_fact(row: EqualityMonitoring) -> Fact:
    """The categories only (answers outside the questions' lists are dropped): question -> answer code."""
    answers = row.answers if isinstance(row.answers, dict) else {}
    kept = {k: v for k, v in answers.items() if k in equality.KEYS and v in dict(equality.choices(k))}
    return _put(FactKind.EQUALITY, row.uuid, row.organisation_id, {"on": row.recorded_on, "measures": kept})


@transaction.atomic
def catch_up(organisation_id: int) -> int:
    """Write the facts of the organisation's referrals created since the last catch-up (those made in bulk send no
    save signal); the settings row is locked so two returns at once do not race. Returns how many were written."""
    from governance.models import GovernanceSettings  # noqa: PLC0415

    settings, _ = GovernanceSettings.objects.get_or_create(organisation_id=organisation_id)
    settings = GovernanceSettings.objects.select_for_update().get(pk=settings.pk)
    now = timezone.now()
    referrals = Referral.objects.filter(organisation_id=organisation_id).select_related("client", "client__organisation")
    if settings.facts_through is not None:
        referrals = referrals.filter(created_at__gte=settings.facts_through - CATCH_UP_OVERLAP)
    n = 0
    for referral in referrals.iterator(chunk_size=500):
        referral_fact(referral)
        n += 1
    settings.facts_through = now
    settings.save(update_fields=["facts_through"])
    return n


@transaction.atomic
def backfill(organisation_id: int | None = None) -> dict[str, int]:
    """Write (or rewrite) the fact of every source row still held; idempotent."""
    counts = dict.fromkeys(FactKind.values, 0)
    referrals = Referral.objects.select_related("client", "client__organisation").order_by("client_id", "received_at")
    if organisation_id is not None:
        referrals = referrals.filter(organisation_id=organisation_id)
    seen_client: int | None = None
    interpreter = False
    for referral in referrals.iterator(chunk_size=500):
        first = referral.client_id != seen_client
        if first:
            seen_client = referral.client_id
            interpreter = bool((referral.client.interpreter or "").strip())
        _put(FactKind.REFERRAL, referral.uuid, referral.organisation_id, referral_values(referral, interpreter=interpreter, repeat=not first))
        counts[FactKind.REFERRAL] += 1
    org_filter = {} if organisation_id is None else {"client__organisation_id": organisation_id}
    for row in SafeguardingReferral.objects.filter(**org_filter).select_related("client").iterator(chunk_size=500):
        safeguarding_fact(row)
        counts[FactKind.SAFEGUARDING] += 1
    for row in Onward.objects.filter(**org_filter).select_related("client").iterator(chunk_size=500):
        onward_fact(row)
        counts[FactKind.ONWARD] += 1
    for row in NeedsAssessment.objects.filter(**org_filter).select_related("client").iterator(chunk_size=500):
        outcomes_fact(row)
        counts[FactKind.OUTCOMES] += 1
    own = {} if organisation_id is None else {"organisation_id": organisation_id}
    for row in Feedback.objects.filter(**own).iterator(chunk_size=500):
        feedback_fact(row)
        counts[FactKind.FEEDBACK] += 1
    for row in Closure.objects.filter(**own).iterator(chunk_size=500):
        if closure_fact(row) is not None:
            counts[FactKind.CLOSURE] += 1
    for row in RightDelivered.objects.filter(**own).iterator(chunk_size=500):
        right_fact(row)
        counts[FactKind.RIGHT] += 1
    for row in EqualityMonitoring.objects.filter(**own).select_related("client").iterator(chunk_size=500):
        equality_fact(row)
        counts[FactKind.EQUALITY] += 1
    return counts
