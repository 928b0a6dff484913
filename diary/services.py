"""Writes to the diary. Every write is one transaction that also appends to the case's hash chain
and writes an audit row. Incidents are append-only: an edit or a retraction is a new version."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.services import record
from cases.models import Case, CrimeReference, Order
from chain import refs
from chain import services as chain
from diary import rules, taxonomy
from diary.models import Incident, IncidentBehaviour, IncidentVersion, SearchToken, WeekCount
from kernel.canonical import day, sha256_hex, ts
from kernel.localtime import week_of

SCHEMA = "daybook.incident.v1"


@dataclass
class IncidentData:
    """Everything a person can say about an incident. Validated by diary.rules before it gets here."""

    occurred_at: dt.datetime
    description: str = ""
    time_precision: str = "exact"
    ended_at: dt.datetime | None = None
    location_kind: str = ""
    location: str = ""
    channel: str = ""
    how_many: int | None = None
    behaviours: list[str] = field(default_factory=list)
    witnesses: list[dict[str, str]] = field(default_factory=list)
    feelings: str = ""
    impact: str = ""
    reported: bool | None = None  # None: not said (never asked, or not answered): never shown as "No"
    reported_on: dt.date | None = None
    report_how: str = ""
    report_officer: str = ""
    crime_reference: CrimeReference | None = None
    breached_order: Order | None = None
    felt_in_danger: bool | None = None  # None: not said
    notes: str = ""

    @classmethod
    def from_incident(cls, incident: Incident) -> IncidentData:
        return cls(
            occurred_at=incident.occurred_at,
            description=incident.description,
            time_precision=incident.time_precision,
            ended_at=incident.ended_at,
            location_kind=incident.location_kind,
            location=incident.location,
            channel=incident.channel,
            how_many=incident.how_many,
            behaviours=incident.behaviour_codes,
            witnesses=incident.witnesses or [],
            feelings=incident.feelings,
            impact=incident.impact,
            # A quick note recorded before "not said" was kept apart never asked about reporting: not "No".
            reported=None if incident.needs_detail and incident.reported is False else incident.reported,
            reported_on=incident.reported_on,
            report_how=incident.report_how,
            report_officer=incident.report_officer,
            crime_reference=incident.crime_reference,
            breached_order=incident.breached_order,
            felt_in_danger=incident.felt_in_danger,
            notes=incident.notes,
        )


def _clean_witnesses(witnesses: list[dict[str, str]]) -> list[dict[str, str]]:
    out = []
    for w in witnesses or []:
        item = {k: (w.get(k) or "").strip() for k in ("name", "contact", "saw")}
        if any(item.values()):
            out.append(item)
    return out


def _apply(incident: Incident, data: IncidentData) -> None:
    incident.occurred_at = data.occurred_at
    incident.time_precision = data.time_precision
    incident.ended_at = data.ended_at
    incident.location_kind = data.location_kind
    incident.location = data.location.strip()
    incident.channel = data.channel
    incident.how_many = data.how_many
    incident.behaviours = " ".join(sorted(set(data.behaviours)))
    incident.description = data.description.strip()
    incident.witnesses = _clean_witnesses(data.witnesses)
    incident.feelings = data.feelings.strip()
    incident.impact = data.impact.strip()
    incident.reported = data.reported
    incident.reported_on = data.reported_on if data.reported else None
    incident.report_how = data.report_how.strip() if data.reported else ""
    incident.report_officer = data.report_officer.strip() if data.reported else ""
    incident.crime_reference = data.crime_reference
    incident.breached_order = data.breached_order
    incident.felt_in_danger = data.felt_in_danger
    incident.notes = data.notes.strip()


def head_snapshot(incident: Incident, meta: IncidentVersion | dict[str, Any]) -> dict[str, Any]:
    """The canonical payload of an incident's current state under a version's metadata."""
    if isinstance(meta, IncidentVersion):
        meta = {
            "version": meta.version,
            "action": meta.action,
            "recorded_at": meta.recorded_at,
            "recorded_by": meta.recorded_by_id,
        }
    return {
        "schema": SCHEMA,
        "case": str(incident.case.uuid),
        "incident": incident.number,
        "version": meta["version"],
        "action": meta["action"],
        "recorded_at": ts(meta["recorded_at"]),
        "recorded_by": str(meta["recorded_by"]) if meta["recorded_by"] is not None else None,
        "first_recorded_at": ts(incident.created_at),
        "occurred_at": ts(incident.occurred_at),
        "time_precision": incident.time_precision,
        "ended_at": ts(incident.ended_at),
        "location_kind": incident.location_kind,
        "location": incident.location,
        "channel": incident.channel,
        "how_many": incident.how_many,
        "behaviours": incident.behaviour_codes,
        "description": incident.description,
        "witnesses": incident.witnesses or [],
        "feelings": incident.feelings,
        "impact": incident.impact,
        "reported": incident.reported,
        "reported_on": day(incident.reported_on),
        "report_how": incident.report_how,
        "report_officer": incident.report_officer,
        "crime_reference": str(incident.crime_reference.uuid) if incident.crime_reference_id else None,
        "breached_order": str(incident.breached_order.uuid) if incident.breached_order_id else None,
        "felt_in_danger": incident.felt_in_danger,
        "needs_detail": incident.needs_detail,
        "notes": incident.notes,
        "retracted": incident.retracted,
        "retraction_reason": incident.retraction_reason,
    }


META_KEYS = {"schema", "case", "incident", "version", "action", "recorded_at", "recorded_by", "first_recorded_at"}


def snapshot_from_version(version: IncidentVersion) -> dict[str, Any]:
    cipher = version.incident.case.get_cipher()
    text = cipher.open(version.snapshot_enc, "incidentversion.snapshot")
    return json.loads(text)


def _bump_week(case: Case, moment: dt.datetime, delta: int) -> None:
    week = week_of(moment)
    updated = WeekCount.objects.filter(case=case, week=week).update(count=F("count") + delta)
    if not updated:
        WeekCount.objects.create(case=case, week=week, count=delta)


def _reindex(incident: Incident) -> None:
    case = incident.case
    IncidentBehaviour.objects.filter(incident=incident).delete()
    IncidentBehaviour.objects.bulk_create([IncidentBehaviour(case=case, incident=incident, code=c) for c in incident.behaviour_codes])
    SearchToken.objects.filter(incident=incident).delete()
    tokens = case.get_cipher().search_tokens(*_index_texts(incident))
    SearchToken.objects.bulk_create([SearchToken(case=case, incident=incident, token=t) for t in sorted(tokens)])


def _index_texts(incident: Incident) -> tuple[str, ...]:
    """The texts of an incident whose words go into the search index (blind tokens)."""
    witnesses = " ".join(" ".join(w.values()) for w in (incident.witnesses or []))
    return (
        incident.description,
        incident.location,
        witnesses,
        incident.feelings,
        incident.impact,
        incident.notes,
        incident.report_officer,
        incident.report_how,
    )


def _write_version(incident: Incident, user: Any, action: str, changed: list[str]) -> IncidentVersion:
    now = incident.updated_at
    meta = {"version": incident.version, "action": action, "recorded_at": now, "recorded_by": getattr(user, "pk", None)}
    payload = head_snapshot(incident, meta)
    digest = sha256_hex(payload)
    cipher = incident.case.get_cipher()
    version = IncidentVersion.objects.create(
        incident=incident,
        version=incident.version,
        action=action,
        recorded_at=now,
        recorded_by=user if getattr(user, "pk", None) else None,
        changed_fields=changed,
        snapshot_enc=cipher.seal(json.dumps(payload, ensure_ascii=False, sort_keys=True), "incidentversion.snapshot"),
        payload_sha256=digest,
    )
    chain.append(incident.case, "incident.version", refs.incident_ref(incident.number, incident.version), digest, now)
    return version


class IncidentRefused(ValueError):
    """The incident breaks a rule of diary.rules; ``errors`` maps each field to the person's words."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))


def check(case: Case, data: IncidentData) -> None:
    """Refuse what the forms would refuse (IncidentRefused), before anything is written."""
    errors = rules.check_incident(data, case.pk)
    if errors:
        raise IncidentRefused(errors)


def create_incident(case: Case, user: Any, data: IncidentData, quick: bool = False, submission: str = "") -> Incident:
    """Record one incident. ``submission`` is the form's one-time key: when an incident of this case already holds it
    (the same form sent twice), that incident is returned with ``repeated`` set and nothing new is written."""
    check(case, data)
    with transaction.atomic():
        locked = chain.lock(case)
        if submission and (done := Incident.objects.filter(case=locked, submission=submission).first()) is not None:
            done.repeated = True  # type: ignore[attr-defined]
            done.case = case
            return done
        number = locked.incident_seq + 1
        Case.objects.filter(pk=case.pk).update(incident_seq=number)
        now = timezone.now()
        incident = Incident(case=locked, number=number, created_at=now, updated_at=now, created_by=user, version=1)
        _apply(incident, data)
        incident.needs_detail = quick
        incident.submission = submission
        incident.save()
        _reindex(incident)
        _bump_week(locked, incident.occurred_at, 1)
        _write_version(incident, user, "created", [])
        record(user, "incident.quick_recorded" if quick else "incident.recorded", locked, f"incident {number}")
    case.chain_seq, case.chain_head, case.incident_seq = locked.chain_seq, locked.chain_head, number
    incident.case = case
    return incident


def already_saved(cases: Sequence[Case], submission: str) -> Incident | None:
    """The incident, in one of these cases, that a form with this one-time key already saved (``repeated`` set)."""
    if not submission:
        return None
    done = Incident.objects.filter(case__in=list(cases), submission=submission).first()
    if done is not None:
        done.repeated = True  # type: ignore[attr-defined]
    return done


BULK_CHUNK = 1000  # incidents prepared and written at a time by create_incidents (memory stays bounded)


def create_incidents(case: Case, user: Any, items: Sequence[IncidentData]) -> list[Incident]:
    """Record many incidents at once, each exactly as :func:`create_incident` would record it, in ONE transaction.

    The case is locked once; the incidents are numbered in the order given; their rows, behaviour rows, search
    tokens, week counts, first versions (sealed canonical snapshots), hash-chain entries (appended in number order,
    the same canonical payloads and hashes as one create_incident after another) and one audit row each are
    written with bulk inserts. All the incidents share one recording time. Returns the incidents, numbered."""
    items = list(items)
    if not items:
        return []
    for item in items:
        check(case, item)
    user_pk = getattr(user, "pk", None)
    made: list[Incident] = []
    with transaction.atomic():
        locked = chain.lock(case)
        cipher = locked.get_cipher()
        now = timezone.now()
        number = locked.incident_seq
        weeks: Counter[dt.date] = Counter()
        for start in range(0, len(items), BULK_CHUNK):
            incidents = []
            for data in items[start : start + BULK_CHUNK]:
                number += 1
                incident = Incident(case=locked, number=number, created_at=now, updated_at=now, created_by=user, version=1)
                _apply(incident, data)
                incident.needs_detail = False
                incidents.append(incident)
            Incident.objects.bulk_create(incidents)
            if any(i.pk is None for i in incidents):  # a database that does not return ids from a bulk insert
                ids = dict(Incident.objects.filter(case=locked, number__gte=incidents[0].number, number__lte=number).values_list("number", "pk"))
                for i in incidents:
                    i.pk = ids[i.number]
            behaviours, tokens, versions, entries, audits = [], [], [], [], []
            for incident in incidents:
                behaviours += [IncidentBehaviour(case=locked, incident=incident, code=c) for c in incident.behaviour_codes]
                tokens += [(locked.pk, incident.pk, t) for t in sorted(cipher.search_tokens(*_index_texts(incident)))]
                weeks[week_of(incident.occurred_at)] += 1
                meta = {"version": 1, "action": "created", "recorded_at": now, "recorded_by": user_pk}
                payload = head_snapshot(incident, meta)
                digest = sha256_hex(payload)
                versions.append(
                    IncidentVersion(
                        incident=incident,
                        version=1,
                        action="created",
                        recorded_at=now,
                        recorded_by=user if user_pk else None,
                        changed_fields=[],
                        snapshot_enc=cipher.seal(json.dumps(payload, ensure_ascii=False, sort_keys=True), "incidentversion.snapshot"),
                        payload_sha256=digest,
                    )
                )
                entries.append(chain.Entry("incident.version", refs.incident_ref(incident.number, 1), digest))
                audits.append(("incident.recorded", f"incident {incident.number}"))
            IncidentBehaviour.objects.bulk_create(behaviours)
            _insert_tokens(tokens)
            IncidentVersion.objects.bulk_create(versions)
            chain.append_many(locked, entries, now, actor=user, audits=audits)
            made += incidents
        existing = set(WeekCount.objects.filter(case=locked, week__gte=min(weeks), week__lte=max(weeks)).values_list("week", flat=True))
        for week in sorted(existing & set(weeks)):
            WeekCount.objects.filter(case=locked, week=week).update(count=F("count") + weeks[week])
        WeekCount.objects.bulk_create([WeekCount(case=locked, week=w, count=n) for w, n in sorted(weeks.items()) if w not in existing])
        Case.objects.filter(pk=locked.pk).update(incident_seq=number)
    case.chain_seq, case.chain_head, case.incident_seq = locked.chain_seq, locked.chain_head, number
    for incident in made:
        incident.case = case
    return made


def _insert_tokens(rows: list[tuple[int, int, str]]) -> None:
    """Search-token rows with one parameterised ``executemany`` (the values are ready; SQLite and PostgreSQL)."""
    if not rows:
        return
    from django.db import connection  # noqa: PLC0415

    quote = connection.ops.quote_name
    sql = f"INSERT INTO {quote(SearchToken._meta.db_table)} ({quote('case_id')}, {quote('incident_id')}, {quote('token')}) VALUES (%s, %s, %s)"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def edit_incident(incident: Incident, user: Any, data: IncidentData) -> IncidentVersion | None:
    """Record a new version with the person's changes. Returns None when nothing changed."""
    if incident.retracted:
        raise ValueError("A retracted incident cannot be edited.")
    check(incident.case, data)
    with transaction.atomic():
        locked_case = chain.lock(incident.case)
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        current.case = locked_case
        before = head_snapshot(current, {"version": 0, "action": "", "recorded_at": None, "recorded_by": None})
        old_when = current.occurred_at
        was_quick = current.needs_detail
        _apply(current, data)
        current.needs_detail = False
        after = head_snapshot(current, {"version": 0, "action": "", "recorded_at": None, "recorded_by": None})
        changed = sorted(k for k in after if k not in META_KEYS and before.get(k) != after.get(k))
        if not changed:
            return None
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        _reindex(current)
        if week_of(old_when) != week_of(current.occurred_at):
            _bump_week(locked_case, old_when, -1)
            _bump_week(locked_case, current.occurred_at, 1)
        action = "completed" if was_quick else "edited"
        version = _write_version(current, user, action, changed)
        record(user, f"incident.{action}", locked_case, f"incident {current.number} v{current.version}")
    incident.refresh_from_db()
    return version


def retract_incident(incident: Incident, user: Any, reason: str) -> IncidentVersion:
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why this entry is being retracted.")
    if incident.retracted:
        raise ValueError("This entry is already retracted.")
    with transaction.atomic():
        locked_case = chain.lock(incident.case)
        current = Incident.objects.select_for_update().get(pk=incident.pk)
        current.case = locked_case
        current.retracted = True
        current.retraction_reason = reason
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        _bump_week(locked_case, current.occurred_at, -1)
        version = _write_version(current, user, "retracted", ["retracted", "retraction_reason"])
        record(user, "incident.retracted", locked_case, f"incident {current.number}")
    incident.refresh_from_db()
    return version


def version_payloads(incident: Incident) -> list[tuple[IncidentVersion, dict[str, Any]]]:
    return [(v, snapshot_from_version(v)) for v in incident.versions.select_related("incident__case").all()]


FIELD_LABELS = {
    "occurred_at": "When",
    "time_precision": "How exact the time is",
    "ended_at": "When it ended",
    "location_kind": "Kind of place",
    "location": "Where",
    "channel": "How they made contact",
    "how_many": "How many",
    "behaviours": "What they did",
    "description": "What happened",
    "witnesses": "Witnesses",
    "feelings": "How it made me feel",
    "impact": "Effect on daily life",
    "reported": "Reported",
    "reported_on": "Date reported",
    "report_how": "How it was reported",
    "report_officer": "Officer",
    "crime_reference": "Crime reference",
    "breached_order": "Order breached",
    "felt_in_danger": "I felt in danger",
    "needs_detail": "Needs more detail",
    "notes": "Private notes",
    "retracted": "Retracted",
    "retraction_reason": "Reason for retraction",
}


def describe_change(name: str) -> str:
    return FIELD_LABELS.get(name, name)


__all__ = [
    "IncidentData",
    "create_incident",
    "create_incidents",
    "edit_incident",
    "retract_incident",
    "head_snapshot",
    "snapshot_from_version",
    "taxonomy",
]
