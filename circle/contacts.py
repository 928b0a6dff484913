"""Trusted contacts: the person's invitations, the contact's sightings, and what the person makes of them.

A contact's link carries 32 random bytes; only their SHA-256 is stored. A link that is stopped, expired or unknown
finds nothing (the view answers 404). Each sighting is written with its own chain entry (``sighting.recorded``)
and an audit row, in one transaction under the case lock; a photo goes through the evidence locker (sealed,
hashed, its own exhibit entries). Nothing here sends a message, except a neutral notice the person asked for (circle/notices.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from cases.models import Case
from chain import refs
from chain import services as chain
from circle import notices
from circle.models import PersonPresent, Sighting, TrustedContact
from diary.models import Incident
from diary.rules import check_when
from diary.services import IncidentData, create_incident, edit_incident
from evidence.services import Details, ingest
from kernel.canonical import sha256_hex, ts
from kernel.words import day_text

SCHEMA = "daybook.sighting.v1"
KIND = "sighting.recorded"
MAX_DAYS = 90  # the longest a link may be valid
MAX_WHERE = 200
MAX_WHAT = 2_000
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PER_HOUR = 6  # sightings one link may add in an hour
PER_DAY = 20  # and in a day
OLDEST_DAYS = 366  # a sighting more than a year old belongs in a statement, not here


@dataclass(frozen=True)
class NewContact:
    contact: TrustedContact
    token: str  # shown once


def token_hash(token: str) -> str:
    return hashlib.sha256(f"daybook.trusted-contact.v1:{token}".encode()).hexdigest()


def contact_invite(*, user: Any, case: Case, name: str, days: int) -> NewContact:
    if case.owner_id != getattr(user, "pk", None):
        raise ValidationError({"case": "Choose one of your own cases"})
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter a name you will recognise"
    elif len(name) > 100:
        errors["name"] = "Keep the name under 100 characters"
    if not 1 <= days <= MAX_DAYS:
        errors["days"] = f"Choose from 1 to {MAX_DAYS} days"
    if errors:
        raise ValidationError(errors)
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        contact = TrustedContact(case=case, token_hash=token_hash(token), expires_at=timezone.now() + dt.timedelta(days=days))
        contact.name = name
        contact.save()
        record(user, AuditAction.CONTACT_INVITED, case, f"contact {contact.pk}")
    return NewContact(contact, token)


def contact_revoke(*, user: Any, contact: TrustedContact) -> None:
    with transaction.atomic():
        if TrustedContact.objects.filter(pk=contact.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            record(user, AuditAction.CONTACT_REVOKED, contact.case, f"contact {contact.pk}")


def contact_for(token: str | None) -> TrustedContact | None:
    """The contact whose link this is, while it is valid; None otherwise (stopped, expired, unknown)."""
    if not token or len(token) > 100:
        return None
    return TrustedContact.objects.select_related("case").filter(token_hash=token_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now()).first()


# --- Sightings --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SightingInput:
    seen_at: dt.datetime
    where: str
    what: str
    person_present: str
    photo: Iterable[bytes] | None = None
    photo_name: str = ""
    photo_size: int = 0


def _limits(contact: TrustedContact, now: dt.datetime) -> str | None:
    rows = Sighting.objects.filter(contact=contact)
    if rows.filter(recorded_at__gte=now - dt.timedelta(hours=1)).count() >= int(getattr(settings, "DAYBOOK_SIGHTINGS_PER_HOUR", PER_HOUR)):
        return "You have added several sightings in the last hour. Please wait a while before adding another."
    if rows.filter(recorded_at__gte=now - dt.timedelta(days=1)).count() >= int(getattr(settings, "DAYBOOK_SIGHTINGS_PER_DAY", PER_DAY)):
        return "You have added the most sightings one link can add in a day. Please try again tomorrow."
    return None


def check_sighting(data: SightingInput) -> dict[str, str]:
    errors = {}
    when = check_when(data.seen_at)
    if when:
        errors["seen_on"] = when.get("date", "Check the date")
    elif data.seen_at < timezone.now() - dt.timedelta(days=OLDEST_DAYS):
        errors["seen_on"] = "Only sightings from the last year can be added here"
    if not data.where.strip():
        errors["where"] = "Say where you saw it"
    elif len(data.where) > MAX_WHERE:
        errors["where"] = f"Keep this under {MAX_WHERE} characters"
    if not data.what.strip():
        errors["what"] = "Say what you saw"
    elif len(data.what) > MAX_WHAT:
        errors["what"] = f"Keep this under {MAX_WHAT:,} characters"
    if data.person_present not in PersonPresent.values:
        errors["person_present"] = "Choose one of the options"
    if data.photo is not None and data.photo_size > MAX_PHOTO_BYTES:
        errors["photo"] = f"The photo must be smaller than {MAX_PHOTO_BYTES // (1024 * 1024)} MB"
    return errors


def payload(sighting: Sighting, contact_name: str, exhibit_number: int | None) -> dict[str, Any]:
    """The canonical snapshot of a sighting, as chained (schema ``daybook.sighting.v1``)."""
    return {
        "schema": SCHEMA,
        "case": str(sighting.case.uuid),
        "sighting": sighting.number,
        "contact": str(sighting.contact.uuid),
        "contact_name": contact_name,
        "recorded_at": ts(sighting.recorded_at),
        "seen_at": ts(sighting.seen_at),
        "where": sighting.where,
        "what": sighting.what,
        "person_present": sighting.person_present,
        "exhibit": exhibit_number,
    }


def sighting_add(*, contact: TrustedContact, data: SightingInput) -> Sighting:
    """Add a contact's sighting to the person's case: refused (ValidationError) when wrong or over the limits."""
    errors = check_sighting(data)
    if errors:
        raise ValidationError(errors)
    case = contact.case
    now = timezone.now()
    problem = _limits(contact, now)
    if problem:
        raise ValidationError({"__all__": problem})
    name = contact.name
    exhibit = None
    if data.photo is not None:
        details = Details(description=f"Photo from a sighting added by {name}", obtained_on=data.seen_at.date(), obtained_by=f"{name} (trusted contact)")
        exhibit = ingest(case, None, data.photo, name=(data.photo_name or "photo")[:200], details=details).exhibit
    with transaction.atomic():
        locked = chain.lock(case)
        number = (Sighting.objects.filter(case=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        sighting = Sighting(
            case=locked, contact=contact, number=number, seen_at=data.seen_at, recorded_at=now, person_present=data.person_present, exhibit=exhibit
        )
        sighting.where = data.where.strip()
        sighting.what = data.what.strip()
        body = payload(sighting, name, exhibit.number if exhibit else None)
        sighting.payload_sha256 = sha256_hex(body)
        sighting.snapshot_enc = locked.get_cipher().seal(json.dumps(body, ensure_ascii=False, sort_keys=True), "sighting.snapshot", str(sighting.uuid))
        sighting.save()
        chain.append(locked, KIND, refs.sighting_ref(number), sighting.payload_sha256, now)
        record(None, AuditAction.SIGHTING_ADDED, locked, f"sighting {number}", by_owner=False)
        notices.notice_later(case.owner)  # a neutral notice only if the person asked for one (issue 17, item 5)
    case.chain_seq, case.chain_head = locked.chain_seq, locked.chain_head
    sighting.case = case
    return sighting


def snapshot(sighting: Sighting) -> dict[str, Any]:
    """The chained snapshot, re-opened (the contact's name as it was when the sighting was added)."""
    return json.loads(sighting.case.get_cipher().open(sighting.snapshot_enc, "sighting.snapshot", str(sighting.uuid)))


def account(sighting: Sighting) -> dict[str, str]:
    """The sighting as a witness account of an incident: the contact's own words and their time of recording."""
    body = snapshot(sighting)
    recorded = timezone.localtime(sighting.recorded_at)
    name = f"{body['contact_name']}, trusted contact (their own account, recorded in Daybook on {day_text(recorded.date())} at {recorded:%H:%M})"
    present = dict(PersonPresent.choices)[sighting.person_present].lower()
    return {"name": name[:300], "contact": "", "saw": f"{body['where']}: {body['what']} (You were there: {present}.)"}


def sighting_to_incident(*, user: Any, sighting: Sighting) -> Incident:
    """A new incident in the person's diary made from the sighting, with the contact's account as its witness."""
    if sighting.incident_id:
        raise ValidationError({"__all__": "This sighting is already part of an incident."})
    body = snapshot(sighting)
    data = IncidentData(
        occurred_at=sighting.seen_at,
        description=f"Seen by {body['contact_name']}: {body['what']}"[:5000],
        location=body["where"][:300],
        witnesses=[account(sighting)],
        notes=f"Made from sighting {sighting.number}, added by a trusted contact.",
    )
    with transaction.atomic():
        incident = create_incident(sighting.case, user, data)
        Sighting.objects.filter(pk=sighting.pk).update(incident=incident)
        record(user, AuditAction.SIGHTING_USED, sighting.case, f"sighting {sighting.number} -> incident {incident.number}")
    return incident


def sighting_attach(*, user: Any, sighting: Sighting, incident: Incident) -> Incident:
    """Add the sighting to ``incident`` (of the same case) as a witness account: a new version of the incident."""
    if incident.case_id != sighting.case_id:
        raise ValidationError({"incident": "Choose an incident from this case"})
    if sighting.incident_id:
        raise ValidationError({"__all__": "This sighting is already part of an incident."})
    data = IncidentData.from_incident(incident)
    data.witnesses = [*data.witnesses, account(sighting)]
    with transaction.atomic():
        edit_incident(incident, user, data)
        Sighting.objects.filter(pk=sighting.pk).update(incident=incident)
        record(user, AuditAction.SIGHTING_USED, sighting.case, f"sighting {sighting.number} -> incident {incident.number}")
    return incident
