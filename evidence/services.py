"""Chained writes to the evidence locker. Each write that changes an exhibit is one transaction that locks the
case, writes an ``ExhibitEvent`` with a sealed canonical snapshot (evidence.snapshots), appends it to the case's
hash chain (chain.services) and writes an audit row, exactly like the diary's incident versions.

Files come in two ways, both streaming and both ending in :func:`register`:

* :func:`ingest`: one pass over a stream of plaintext chunks (hash, encrypt, write). Used by imports, tests and
  the ingest benchmark.
* Resumable uploads (evidence.uploads): the parts are sealed in place into one blob, then registered here.

Also here: references (JB/1), physical items, edits, links and the chain of custody. The limits and refusal
messages are in evidence.limits; clearing leftovers in evidence.sweep.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import record
from cases.models import Case
from chain import refs
from chain import services as chain
from diary.models import Incident
from evidence import facts as facts_mod
from evidence import names, sniff
from evidence.limits import EMPTY_MESSAGE, REFERENCE_MAX, SPACE_MESSAGE, UploadError, max_upload_bytes, too_big_message
from evidence.models import Blob, Exhibit, ExhibitEvent, ExhibitLink, UploadSession
from evidence.snapshots import SCHEMA, exhibit_state
from evidence.sweep import delete_parts
from evidence.tasks import enqueue_processing
from kernel.canonical import day, sha256_hex, ts
from vault import keys, store, stream


@dataclass
class Ingested:
    exhibit: Exhibit
    created: bool  # False when the same file was already in the case
    duplicate: bool = False


def _write_event(
    locked: Case,
    exhibit: Exhibit,
    user: Any,
    action: str,
    changed: list[str],
    *,
    continuity: dict[str, str] | None = None,
    happened_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> ExhibitEvent:
    now = at or timezone.now()
    payload = {
        "schema": SCHEMA,
        "case": str(locked.uuid),
        "exhibit": exhibit.number,
        "event": exhibit.version,
        "action": action,
        "recorded_at": ts(now),
        "recorded_by": str(user.pk) if getattr(user, "pk", None) is not None else None,
        "happened_on": day(happened_on),
        "changed": sorted(changed),
        "continuity": continuity,
        "state": exhibit_state(exhibit),
    }
    digest = sha256_hex(payload)
    event = ExhibitEvent.objects.create(
        exhibit=exhibit,
        seq=exhibit.version,
        action=action,
        happened_on=happened_on,
        recorded_at=now,
        recorded_by=user if getattr(user, "pk", None) else None,
        changed_fields=sorted(changed),
        snapshot_enc=locked.get_cipher().seal(json.dumps(payload, ensure_ascii=False, sort_keys=True), "exhibitevent.snapshot"),
        payload_sha256=digest,
    )
    kind = "exhibit.sealed" if exhibit.version == 1 else "exhibit.event"
    chain.append(locked, kind, refs.exhibit_ref(exhibit.number, exhibit.version), digest, now)
    return event


def _exhibit_for_update(exhibit: Exhibit, locked: Case) -> Exhibit:
    # of=("self",): PostgreSQL cannot lock the nullable side of the outer joins that select_related adds.
    current = Exhibit.objects.select_for_update(of=("self",)).select_related("original", "photo_of").get(pk=exhibit.pk)
    current.case = locked
    return current


def _prefix_of(reference: str) -> str | None:
    m = re.fullmatch(r"(.*?)[/ -]?(\d+)", reference.strip())
    return m.group(1) if m and m.group(1) else None


def _initials(user: Any) -> str:
    full = (getattr(user, "get_full_name", lambda: "")() or "").strip()
    letters = "".join(part[0] for part in full.split() if part[:1].isalpha()).upper()
    return letters[:4] or "EX"


def next_reference(case: Case, user: Any) -> str:
    """The person's initials (from their latest reference, or their name) and the next free number."""
    rows = list(Exhibit.objects.filter(case=case).order_by("-number").only("case_id", "reference_enc"))
    for row in rows:
        row.case = case
    existing = [row.reference for row in rows]
    prefix = None
    for ref in existing:
        prefix = _prefix_of(ref)
        if prefix:
            break
    prefix = prefix or f"{_initials(user)}/"
    if not prefix.endswith(("/", "-", " ")):
        prefix += "/"
    used = {keys.normalise_reference(r) for r in existing}
    highest = 0
    for ref in existing:
        if ref.startswith(prefix) and ref[len(prefix) :].isdigit():
            highest = max(highest, int(ref[len(prefix) :]))
    n = highest + 1
    while keys.normalise_reference(f"{prefix}{n}") in used:
        n += 1
    return f"{prefix}{n}"


def _check_reference(case: Case, reference: str, exclude: Exhibit | None = None) -> str:
    reference = facts_mod.clean(reference, REFERENCE_MAX + 1)
    if not reference:
        raise ValueError("Give the exhibit a reference, like your initials and a number: JB/1.")
    if len(reference) > REFERENCE_MAX:
        raise ValueError(f"Keep the reference to {REFERENCE_MAX} characters or fewer.")
    token = keys.reference_token(case, reference)
    clash = Exhibit.objects.filter(case=case, reference_token=token)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValueError(f"Another exhibit in this case already has the reference {reference}. Each reference must be different.")
    return reference


# ---------------------------------------------------------------- ingest


@dataclass
class Details:
    """What the person says about an exhibit (all optional)."""

    description: str = ""
    obtained_on: dt.date | None = None
    obtained_time: dt.time | None = None
    obtained_where: str = ""
    obtained_by: str = ""
    incident: Incident | None = None
    photo_of: Exhibit | None = None


def _inspect(case: Case, blob: Blob, name: str) -> tuple[sniff.Sniffed, dict[str, str | int]]:
    """Type from the content and facts from inside the file, read back from the sealed blob."""
    with store.open_reader(case, blob) as reader:
        head = reader.read(sniff.HEAD_BYTES)
        reader.seek(max(0, reader.size - sniff.TAIL_BYTES))
        tail = reader.read(sniff.TAIL_BYTES)
        found = sniff.sniff(head, tail, reader.size, name)
        extracted = facts_mod.extract(reader, found.kind)
    if names.had_hidden_characters(name):
        found.notes.append(
            "The file's name contained hidden characters or folder parts (used to disguise a file's type). They are removed when it is shown or downloaded."
        )
    return found, extracted


def ingest(case: Case, user: Any, chunks: Iterable[bytes], *, name: str, details: Details | None = None) -> Ingested:
    """Seal a file given as a stream of plaintext chunks and make it an exhibit (or find its duplicate)."""
    try:
        blob, sha = store.write_blob(case, Blob(case=case, purpose="original"), chunks, max_size=max_upload_bytes())
    except stream.TooLarge as exc:
        raise UploadError(too_big_message(), 413) from exc
    except store.OutOfSpace as exc:
        raise UploadError(SPACE_MESSAGE, 507) from exc
    if blob.size == 0:
        store.discard_blob(blob)
        raise UploadError(EMPTY_MESSAGE, 400)
    return register(case, user, blob, sha, name, details or Details())


def register(case: Case, user: Any, blob: Blob, sha: str, name: str, details: Details, upload: UploadSession | None = None) -> Ingested:
    """Make a just-written blob an exhibit, in one transaction with its event, chain entry and audit row.

    If the same file is already in the case (or the upload was already finished), the new blob is thrown away."""
    try:
        found, extracted = _inspect(case, blob, name)
        token = keys.dedupe_token(case, sha)
        with transaction.atomic():
            locked = chain.lock(case)
            result = _existing(locked, user, token, details, upload)
            if result is None:
                result = Ingested(_create_file_exhibit(locked, user, blob, sha, name, token, found, extracted, details), created=True)
            if upload is not None:
                UploadSession.objects.filter(pk=upload.pk).update(status="complete", exhibit=result.exhibit, updated_at=timezone.now())
    except BaseException:
        if upload is None:  # an upload keeps its blob: finishing again reads it back and registers it then
            store.discard_blob(blob)
        raise
    if not result.created:
        store.discard_blob(blob)
    case.chain_seq, case.chain_head = locked.chain_seq, locked.chain_head
    result.exhibit.case = case
    if upload is not None:
        delete_parts(upload)
    if result.created:
        enqueue_processing(result.exhibit)
    return result


def _existing(locked: Case, user: Any, token: str, details: Details, upload: UploadSession | None) -> Ingested | None:
    """The exhibit this file already is: the upload's, if it was finished before, or the case's copy of the same file."""
    if upload is not None:
        current = UploadSession.objects.select_for_update().get(pk=upload.pk)
        if current.status == "complete" and current.exhibit_id:
            return Ingested(Exhibit.objects.get(pk=current.exhibit_id), created=False)
        if current.status != "open":
            raise UploadError("This upload was discarded.", 410)
    duplicate = Exhibit.objects.filter(case=locked, kind="file", dedupe_token=token).order_by("number").first()
    if duplicate is None:
        return None
    duplicate.case = locked
    if details.incident is not None and not ExhibitLink.objects.filter(exhibit=duplicate, incident=details.incident).exists():
        _relink(locked, duplicate, user, added=[details.incident], removed=[])
    record(user, "exhibit.duplicate", locked, f"exhibit {duplicate.number}")
    return Ingested(duplicate, created=False, duplicate=True)


def _create_file_exhibit(
    locked: Case, user: Any, blob: Blob, sha: str, name: str, token: str, found: sniff.Sniffed, extracted: dict[str, str | int], details: Details
) -> Exhibit:
    exhibit = _new_exhibit(locked, user, "file", details)
    now = exhibit.created_at
    number = exhibit.number
    exhibit.original = blob
    exhibit.original_name = name
    exhibit.size = blob.size
    exhibit.media_type = found.media_type
    exhibit.sha256 = sha
    exhibit.dedupe_token = token
    exhibit.facts = extracted
    exhibit.content_notes = found.notes
    exhibit.photo_of = details.photo_of
    exhibit.preview_status = "pending"
    exhibit.save()
    Blob.objects.filter(pk=blob.pk).update(status="complete", completed_at=now)
    if details.incident is not None:
        ExhibitLink.objects.create(case=locked, exhibit=exhibit, incident=details.incident)
    _write_event(locked, exhibit, user, "sealed", [], at=now)
    record(user, "exhibit.added", locked, f"exhibit {number}")
    return exhibit


def _new_exhibit(locked: Case, user: Any, kind: str, details: Details) -> Exhibit:
    """An unsaved exhibit with the case's next number and the person's next reference. The case is locked."""
    now = timezone.now()
    number = (Exhibit.objects.filter(case=locked).aggregate(n=Max("number"))["n"] or 0) + 1
    exhibit = Exhibit(case=locked, number=number, kind=kind, created_at=now, updated_at=now, created_by=user if getattr(user, "pk", None) else None)
    exhibit.reference = next_reference(locked, user)
    exhibit.reference_token = keys.reference_token(locked, exhibit.reference)
    _apply_details(exhibit, details)
    return exhibit


def _apply_details(exhibit: Exhibit, details: Details) -> None:
    exhibit.description = (details.description or "").strip()
    exhibit.obtained_on = details.obtained_on
    exhibit.obtained_time = details.obtained_time if details.obtained_on else None
    exhibit.obtained_where = (details.obtained_where or "").strip()
    exhibit.obtained_by = (details.obtained_by or "").strip()


# ---------------------------------------------------------------- physical items, details, links, continuity


def create_physical(
    case: Case, user: Any, *, description: str, received_on: dt.date | None, arrived_how: str, kept_where: str, details: Details | None = None
) -> Exhibit:
    details = details or Details()
    details.description = description
    with transaction.atomic():
        locked = chain.lock(case)
        exhibit = _new_exhibit(locked, user, "physical", details)
        now, number = exhibit.created_at, exhibit.number
        exhibit.received_on = received_on
        exhibit.arrived_how = (arrived_how or "").strip()
        exhibit.kept_where = (kept_where or "").strip()
        exhibit.preview_status = "none"
        exhibit.save()
        if details.incident is not None:
            ExhibitLink.objects.create(case=locked, exhibit=exhibit, incident=details.incident)
        _write_event(locked, exhibit, user, "sealed", [], at=now)
        record(user, "exhibit.added", locked, f"exhibit {number}")
    case.chain_seq, case.chain_head = locked.chain_seq, locked.chain_head
    exhibit.case = case
    return exhibit


EDITABLE = ["reference", "description", "obtained_on", "obtained_time", "obtained_where", "obtained_by", "received_on", "arrived_how", "kept_where"]


def edit_exhibit(exhibit: Exhibit, user: Any, **fields: Any) -> ExhibitEvent | None:
    """Change what the person says about an exhibit. The file itself is sealed and never changes."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Unknown exhibit field {sorted(unknown)[0]}")
    with transaction.atomic():
        locked = chain.lock(exhibit.case)
        current = _exhibit_for_update(exhibit, locked)
        before = exhibit_state(current)
        if "reference" in fields:
            reference = _check_reference(locked, fields["reference"], exclude=current)
            current.reference = reference
            current.reference_token = keys.reference_token(locked, reference)
        for name in ("description", "obtained_where", "obtained_by", "arrived_how", "kept_where"):
            if name in fields:
                setattr(current, name, (fields[name] or "").strip())
        for name in ("obtained_on", "obtained_time", "received_on"):
            if name in fields:
                setattr(current, name, fields[name])
        if not current.obtained_on:
            current.obtained_time = None
        after = exhibit_state(current)
        changed = _changed(before, after)
        if not changed:
            return None
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        event = _write_event(locked, current, user, "edited", changed, at=current.updated_at)
        record(user, "exhibit.edited", locked, f"exhibit {current.number} e{current.version}")
    exhibit.refresh_from_db()
    return event


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    out = []
    for key in after:
        if isinstance(after[key], dict) and isinstance(before.get(key), dict):
            out += [f"{key}.{k}" for k in after[key] if before[key].get(k) != after[key][k]]
        elif before.get(key) != after[key]:
            out.append(key)
    return sorted(out)


def set_links(exhibit: Exhibit, user: Any, incidents: list[Incident]) -> ExhibitEvent | None:
    """Make the exhibit's incident links exactly ``incidents`` (all of the same case)."""
    with transaction.atomic():
        locked = chain.lock(exhibit.case)
        current = _exhibit_for_update(exhibit, locked)
        if any(i.case_id != locked.pk for i in incidents):
            raise ValueError("An incident of another case cannot be linked.")
        existing = {link.incident_id: link for link in ExhibitLink.objects.filter(exhibit=current).select_related("incident")}
        wanted = {i.pk: i for i in incidents}
        added = [i for pk, i in wanted.items() if pk not in existing]
        removed = [link.incident for pk, link in existing.items() if pk not in wanted]
        if not added and not removed:
            return None
        event = _relink(locked, current, user, added=added, removed=removed)
    exhibit.refresh_from_db()
    return event


def _relink(locked: Case, exhibit: Exhibit, user: Any, *, added: list[Incident], removed: list[Incident]) -> ExhibitEvent:
    ExhibitLink.objects.filter(exhibit=exhibit, incident__in=removed).delete()
    ExhibitLink.objects.bulk_create([ExhibitLink(case=locked, exhibit=exhibit, incident=i) for i in added])
    exhibit.version += 1
    exhibit.updated_at = timezone.now()
    exhibit.save(update_fields=["version", "updated_at"])
    event = _write_event(locked, exhibit, user, "linked", ["incidents"], at=exhibit.updated_at)
    numbers = ", ".join(str(i.number) for i in sorted(added + removed, key=lambda i: i.number))
    record(user, "exhibit.linked", locked, f"exhibit {exhibit.number}: incidents {numbers}")
    return event


CUSTODY_AFTER = {"handed_over": None, "moved": None, "returned": "me", "other": None}


def add_continuity(
    exhibit: Exhibit,
    user: Any,
    *,
    action: str,
    happened_on: dt.date,
    to: str = "",
    officer: str = "",
    reference: str = "",
    location: str = "",
    notes: str = "",
    to_police: bool = False,
) -> ExhibitEvent:
    """Record a hand-over, move or return of an exhibit (the chain of custody)."""
    if action not in CUSTODY_AFTER:
        raise ValueError("Unknown kind of hand-over.")
    continuity = {
        "to": (to or "").strip(),
        "officer": (officer or "").strip(),
        "reference": (reference or "").strip(),
        "location": (location or "").strip(),
        "notes": (notes or "").strip(),
    }
    with transaction.atomic():
        locked = chain.lock(exhibit.case)
        current = _exhibit_for_update(exhibit, locked)
        changed = []
        if action == "handed_over":
            custody = "police" if to_police else "other"
        elif action == "returned":
            custody = "me"
        else:
            custody = current.custody
        if custody != current.custody:
            current.custody = custody
            changed.append("custody")
        if action == "moved" and continuity["location"] and current.kind == "physical" and continuity["location"] != current.kept_where:
            current.kept_where = continuity["location"]
            changed.append("physical.kept_where")
        current.version += 1
        current.updated_at = timezone.now()
        current.save()
        event = _write_event(locked, current, user, action, changed, continuity=continuity, happened_on=happened_on, at=current.updated_at)
        record(user, "exhibit.continuity", locked, f"exhibit {current.number} e{current.version}")
    exhibit.refresh_from_db()
    return event
