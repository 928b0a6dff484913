"""Bulk generation of realistic cases for the benchmarks.

``generate_case(owner, n)`` writes, with ``bulk_create`` in batches, the same rows that ``n`` calls of
``diary.services.create_incident`` would write, in the same shape:

* ``Incident`` with its text sealed by the case cipher (field values set by ``diary.services._apply``,
  the very function the service uses, so normalisation and sealing are identical);
* ``IncidentBehaviour`` and ``SearchToken`` rows (the blind index, computed as ``services._reindex`` does);
* ``WeekCount`` per Monday (``kernel.localtime.week_of``);
* ``IncidentVersion`` 1 ("created") whose snapshot is ``services.head_snapshot`` sealed, with its SHA-256;
* one ``ChainEntry`` per version, chained exactly as ``chain.services.append`` does, and the case's
  ``chain_seq``, ``chain_head`` and ``incident_seq`` updated at the end;
* one ``AuditEvent`` per incident, as ``audit.services.record`` writes.

The case itself, its crime reference and its order go through the ordinary services (with the clock
set back to the start of the case). ``self_check`` compares the result with the services.

Incidents are spread over ``years`` years ending yesterday, getting more frequent over time (the way
cases escalate), mostly in the evening, over a mix of behaviours and channels; about one in five is a
quick note that was never completed. Generation is deterministic for a given ``seed``.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from unittest import mock

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from cases import services as case_services
from cases.models import Case, CrimeReference, Order
from chain.models import ChainEntry
from chain.refs import incident_ref
from chain.services import entry_hash as chain_entry_hash
from diary import rules, services
from diary.models import Incident, IncidentBehaviour, IncidentVersion, SearchToken, WeekCount
from diary.services import IncidentData
from kernel import localtime
from kernel.canonical import sha256_hex, ts

# --- what incidents say -------------------------------------------------------------------------------

PLACES = [
    "Station Road",
    "the Tesco car park",
    "the bus stop on Mill Lane",
    "outside my office",
    "the school gates",
    "the gym on King Street",
    "my mum's house",
    "the end of my road",
    "the train station",
    "the park by the river",
]
CARS = ["blue Ford Focus", "silver Vauxhall Corsa", "black VW Golf", "white van", "red Fiesta"]
FEELINGS = [
    "Scared.",
    "Could not sleep.",
    "Shaking for an hour afterwards.",
    "Anxious all day.",
    "Frightened to go out.",
    "Upset and angry.",
    "I feel watched all the time.",
    "Sick to my stomach.",
    "",
    "",
    "",
]
IMPACTS = [
    "Changed my route to work.",
    "Stayed at home all weekend.",
    "Took the day off work.",
    "Asked a friend to walk me home.",
    "Turned my phone off.",
    "Moved my car to a different street.",
    "",
    "",
    "",
]
NOTES = [
    "Screenshots saved.",
    "Neighbour's camera may have it.",
    "Kept the card in a bag.",
    "Told my manager.",
    "Call log saved.",
    "",
    "",
    "",
    "",
]


@dataclass(frozen=True)
class Scenario:
    weight: int
    behaviours: tuple[tuple[str, ...], ...]
    channel: str
    location_kind: str
    how_many: tuple[int, int] | None
    texts: tuple[str, ...]
    quick: tuple[str, ...]


SCENARIOS = [
    Scenario(
        30,
        (("CONT.MSG",), ("CONT.MSG", "THRT.ABUSE")),
        "text",
        "online",
        (1, 40),
        (
            "{n} texts between {h} and midnight asking why I will not answer.",
            "{n} texts, some saying sorry and some calling me names.",
            "Texts from a new number: {n} in an hour.",
            "{n} messages saying he will not stop until I talk to him.",
        ),
        ("{n} texts", "texts again", "more messages, new number"),
    ),
    Scenario(
        18,
        (("CONT.CALL",),),
        "phone_call",
        "home",
        (1, 60),
        (
            "{n} calls from a withheld number late at night.",
            "{n} missed calls while I was at work.",
            "He rang {n} times in the morning, most withheld.",
        ),
        ("{n} calls", "calls again last night", "withheld calls"),
    ),
    Scenario(
        10,
        (("CONT.MSG", "SURV.ONLINE"), ("SURV.ONLINE",), ("PUBL.POST",)),
        "social_media",
        "online",
        (1, 8),
        (
            "Commented on my friend's post about where we went on Saturday.",
            "Message on Instagram from a new account about a photo I posted.",
            "Posted about me on Facebook naming my workplace.",
        ),
        ("instagram again", "new account messaging me"),
    ),
    Scenario(
        8,
        (("CONT.MSG",), ("THRT.IMPLIED",)),
        "messaging_app",
        "online",
        (1, 25),
        ("{n} WhatsApp messages, getting angrier when I did not answer.", "Voice notes on WhatsApp, {n} of them."),
        ("whatsapp messages",),
    ),
    Scenario(
        5,
        (("CONT.MSG",),),
        "email",
        "online",
        (1, 5),
        ("{n} long emails saying I owe him an explanation.", "Emailed my work address again."),
        ("emails",),
    ),
    Scenario(
        10,
        (("SURV.LOITER",), ("SURV.LOITER", "CONT.VISIT")),
        "in_person",
        "home",
        None,
        (
            "His {car} parked outside my house for about an hour.",
            "Waiting at {place} when I got home.",
            "Standing across the road from {place} when I arrived.",
        ),
        ("outside the house again", "car at end of road", "he was at {place}"),
    ),
    Scenario(
        7,
        (("SURV.FOLLOW",),),
        "in_person",
        "public",
        None,
        (
            "Followed me from {place} to the station, about ten metres behind.",
            "Drove behind me in the {car} most of the way home.",
        ),
        ("followed me", "followed from {place}"),
    ),
    Scenario(
        5,
        (("CONT.VISIT",),),
        "in_person",
        "work",
        None,
        ("Came into reception at work and asked for me. Security asked him to leave.", "Outside work again at {h}."),
        ("at work again",),
    ),
    Scenario(
        3,
        (("CONT.PROXY",), ("CONT.PROXY", "SURV.INFO")),
        "third_party",
        "online",
        None,
        (
            "My sister got a message from him asking her to tell me to call him.",
            "A friend said he had been asking what time I finish work.",
        ),
        ("contacted my sister",),
    ),
    Scenario(
        2,
        (("CONT.GIFT",), ("CONT.LETTER",)),
        "gift",
        "home",
        None,
        ("Flowers left on my doorstep with a card in his handwriting.", "Letter pushed through the door, no stamp."),
        ("flowers on the doorstep",),
    ),
    Scenario(
        1,
        (("THRT.VIOLENCE",), ("THRT.KILL",), ("THRT.OTHERS",)),
        "text",
        "online",
        None,
        ("Text saying he would hurt me if I went to the police again.", "Text: 'If I can't have you no one will.'"),
        ("threat by text",),
    ),
    Scenario(
        1,
        (("PROP.DAMAGE",), ("PROP.ENTRY",)),
        "in_person",
        "home",
        None,
        ("Both front tyres of my car slashed overnight.", "Came home to find the back door open and my post opened."),
        ("tyres slashed",),
    ),
]
HOURS = [h for h in range(24) for _ in range(1 if h < 7 else 2 if h < 17 else 4)]  # evening-heavy


def _fill(text: str, r: random.Random, n: int | None) -> str:
    return text.format(n=n or 1, h=f"{r.randint(18, 23)}:{r.choice(['00', '15', '30', '45'])}", car=r.choice(CARS), place=r.choice(PLACES))


def plan(
    n: int,
    seed: int,
    years: float = 4.0,
    end: dt.datetime | None = None,
    quick_share: float = 0.2,
    ref: CrimeReference | None = None,
    order: Order | None = None,
) -> list[tuple[dt.datetime, IncidentData, bool]]:
    """``n`` incidents as (recorded at, data, quick), in the order they were recorded."""
    r = random.Random(seed)
    now = timezone.now()
    end = end or (now - dt.timedelta(days=1))
    end_local = localtime.local(end)
    span_days = int(years * 365.25)
    start_date = end_local.date() - dt.timedelta(days=span_days)
    weights = [s.weight for s in SCENARIOS]
    out = []
    for _ in range(n):
        day = start_date + dt.timedelta(days=int(span_days * (r.random() ** 0.6)))
        when = rules.combine(day, dt.time(r.choice(HOURS), r.randrange(60)))
        if when > end:
            when = end - dt.timedelta(minutes=r.randrange(1, 600))
        s = r.choices(SCENARIOS, weights)[0]
        how_many = r.randint(*s.how_many) if s.how_many else None
        codes = list(r.choice(s.behaviours))
        danger = codes[0].startswith(("THRT", "PROP", "SURV.FOLLOW")) or r.random() < 0.08
        quick = r.random() < quick_share
        if quick:
            exact = r.random() < 0.8
            if not exact:
                when = rules.combine(localtime.local_day(when), None)
            data = IncidentData(
                occurred_at=when,
                time_precision="exact" if exact else "date",
                description=_fill(r.choice(s.quick), r, how_many),
                behaviours=codes[:1] if r.random() < 0.7 else [],
                felt_in_danger=danger,
            )
            delay = dt.timedelta(seconds=r.randint(30, 1800))
        else:
            precision = r.choices(["exact", "approx", "date"], [80, 15, 5])[0]
            if precision == "date":
                when = rules.combine(localtime.local_day(when), None)
            ended = when + dt.timedelta(minutes=r.randint(10, 120)) if s.location_kind != "online" and r.random() < 0.3 else None
            reported = ref is not None and r.random() < 0.08
            witnesses = [{"name": "Sam (neighbour)", "contact": "", "saw": "Saw him at the gate"}] if r.random() < 0.05 else []
            data = IncidentData(
                occurred_at=when,
                time_precision=precision,
                ended_at=ended,
                description=_fill(r.choice(s.texts), r, how_many),
                location_kind=s.location_kind,
                location=r.choice(PLACES) if s.location_kind != "online" else "",
                channel=s.channel,
                how_many=how_many if how_many and how_many > 1 else None,
                behaviours=codes,
                witnesses=witnesses,
                feelings=r.choice(FEELINGS),
                impact=r.choice(IMPACTS),
                notes=r.choice(NOTES),
                reported=reported,
                reported_on=localtime.local_day(when) if reported else None,
                report_how=r.choice(["101", "online", "999"]) if reported else "",
                report_officer="PC 4471" if reported else "",
                crime_reference=ref if reported else None,
                breached_order=order if order is not None and order.starts_on and when.date() >= order.starts_on and r.random() < 0.05 else None,
                felt_in_danger=danger,
            )
            delay = dt.timedelta(seconds=r.randint(600, 2 * 86400))
        recorded = min(when + delay, now - dt.timedelta(minutes=1)) + dt.timedelta(microseconds=r.randrange(1_000_000))
        out.append((recorded, data, quick))
    out.sort(key=lambda item: item[0])
    return out


# --- writing -------------------------------------------------------------------------------------------


@contextmanager
def _clock(at: dt.datetime):
    """Run ordinary services as if at ``at`` (so the case opens before its first incident)."""
    with mock.patch.object(timezone, "now", return_value=at):
        yield


@contextmanager
def _explicit_audit_times():
    """Let bulk-created AuditEvents keep the time their incident was recorded (``at`` is auto_now_add)."""
    field = AuditEvent._meta.get_field("at")
    field.auto_now_add = False
    try:
        yield
    finally:
        field.auto_now_add = True


def _tokens(case: Case, incident: Incident) -> list[str]:
    """The blind-index tokens, computed exactly as ``diary.services._reindex`` does."""
    witnesses = " ".join(" ".join(w.values()) for w in (incident.witnesses or []))
    tokens = case.get_cipher().search_tokens(
        incident.description,
        incident.location,
        witnesses,
        incident.feelings,
        incident.impact,
        incident.notes,
        incident.report_officer,
        incident.report_how,
    )
    return sorted(tokens)


def generate_case(
    owner: Any,
    n: int,
    *,
    seed: int | None = None,
    years: float = 4.0,
    quick_share: float = 0.2,
    batch: int = 2000,
    label: str = "",
    progress: bool = False,
) -> Case:
    seed = n if seed is None else seed
    now = timezone.now()
    opened = now - dt.timedelta(days=int(years * 365.25) + 2)
    with _clock(opened):
        case = case_services.create_case(
            owner,
            label=label or f"Benchmark case, {n} incidents",
            relationship="ex_partner",
            suspect_name="Made-up person",
            suspect_vehicles="Blue Ford Focus",
        )
        ref = case_services.save_crime_reference(
            case, owner, None, reference="BENCH/00001/26", force="Sample Police", given_on=opened.date(), officer="PC 4471"
        )
        order = case_services.save_order(
            case,
            owner,
            None,
            order_type="non_molestation",
            starts_on=(opened + dt.timedelta(days=int(years * 365.25 / 2))).date(),
        )
    cipher = case.get_cipher()
    case_uuid = str(case.uuid)
    rows = plan(n, seed, years=years, quick_share=quick_share, ref=ref, order=order)
    weeks: Counter[dt.date] = Counter()
    number = case.incident_seq
    seq, head = case.chain_seq, case.chain_head
    with _explicit_audit_times():
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            incidents = []
            for recorded, data, quick in chunk:
                number += 1
                incident = Incident(case=case, number=number, created_at=recorded, updated_at=recorded, created_by=owner, version=1)
                services._apply(incident, data)
                incident.needs_detail = quick
                incidents.append(incident)
                weeks[localtime.week_of(incident.occurred_at)] += 1
            with transaction.atomic():
                Incident.objects.bulk_create(incidents)
                behaviours, tokens, versions, entries, audits = [], [], [], [], []
                for incident, (_recorded, _data, quick) in zip(incidents, chunk, strict=True):
                    # Ids rather than objects for the many small rows: the same rows, less Python per row.
                    behaviours += [IncidentBehaviour(case_id=case.pk, incident_id=incident.pk, code=c) for c in incident.behaviour_codes]
                    tokens += [SearchToken(case_id=case.pk, incident_id=incident.pk, token=t) for t in _tokens(case, incident)]
                    at = incident.updated_at
                    meta = {"version": 1, "action": "created", "recorded_at": at, "recorded_by": owner.pk}
                    payload = services.head_snapshot(incident, meta)
                    digest = sha256_hex(payload)
                    versions.append(
                        IncidentVersion(
                            incident=incident,
                            version=1,
                            action="created",
                            recorded_at=at,
                            recorded_by=owner,
                            changed_fields=[],
                            snapshot_enc=cipher.seal(json.dumps(payload, ensure_ascii=False, sort_keys=True), "incidentversion.snapshot"),
                            payload_sha256=digest,
                        )
                    )
                    seq += 1
                    ref_s, at_s = incident_ref(incident.number, 1), ts(at)
                    entry_hash = chain_entry_hash(case_uuid, seq, "incident.version", ref_s, at_s, digest, head)
                    entries.append(
                        ChainEntry(
                            case_id=case.pk,
                            seq=seq,
                            kind="incident.version",
                            ref=ref_s,
                            at=at_s,
                            payload_sha256=digest,
                            prev_hash=head,
                            entry_hash=entry_hash,
                        )
                    )
                    head = entry_hash
                    audits.append(
                        AuditEvent(
                            actor_id=owner.pk,
                            case_id=case.pk,
                            action="incident.quick_recorded" if quick else "incident.recorded",
                            target=f"incident {incident.number}",
                            by_owner=True,
                            at=at,
                        )
                    )
                IncidentBehaviour.objects.bulk_create(behaviours)
                SearchToken.objects.bulk_create(tokens)
                IncidentVersion.objects.bulk_create(versions)
                ChainEntry.objects.bulk_create(entries)
                AuditEvent.objects.bulk_create(audits)
                Case.objects.filter(pk=case.pk).update(chain_seq=seq, chain_head=head, incident_seq=number)
            if progress and (start // batch) % 10 == 9:
                print(f"    {start + len(chunk):>7} / {n}", flush=True)
    WeekCount.objects.bulk_create([WeekCount(case=case, week=w, count=c) for w, c in sorted(weeks.items())])
    case.chain_seq, case.chain_head, case.incident_seq = seq, head, number
    return case


class _Rollback(Exception):
    pass


def self_check(case: Case, sample: int = 25) -> list[str]:
    """Compare generated rows with what the services compute; return the problems found (none = fine).

    The chain is checked by ``chain.verification.verify`` separately. Here: for a sample of incidents the
    behaviour rows and search tokens equal what ``services._reindex`` writes (run in a transaction
    that is rolled back), and the week counts equal the incidents per ``kernel.localtime.week_of``.
    """
    problems = []
    numbers = sorted(random.Random(1).sample(range(1, case.incident_seq + 1), min(sample, case.incident_seq)))
    for incident in Incident.objects.filter(case=case, number__in=numbers).select_related("crime_reference", "breached_order"):
        incident.case = case
        ours = (
            sorted(IncidentBehaviour.objects.filter(incident=incident).values_list("code", flat=True)),
            sorted(SearchToken.objects.filter(incident=incident).values_list("token", flat=True)),
        )
        try:
            with transaction.atomic():
                services._reindex(incident)
                theirs = (
                    sorted(IncidentBehaviour.objects.filter(incident=incident).values_list("code", flat=True)),
                    sorted(SearchToken.objects.filter(incident=incident).values_list("token", flat=True)),
                )
                raise _Rollback
        except _Rollback:
            pass
        if ours != theirs:
            problems.append(f"incident {incident.number}: index rows differ from services._reindex")
    expected = Counter(localtime.week_of(o) for o in Incident.objects.filter(case=case, retracted=False).values_list("occurred_at", flat=True))
    stored = Counter({w.week: w.count for w in WeekCount.objects.filter(case=case)})
    if expected != stored:
        problems.append("week counts differ from the incidents")
    return problems
