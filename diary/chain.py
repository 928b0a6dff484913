"""The per-case hash chain and its verification.

Entry ``n`` of a case commits to its payload and to entry ``n-1``::

    entry = {"case": <case uuid>, "seq": n, "kind": k, "ref": r, "at": t,
             "payload_sha256": SHA-256(canonical(payload)), "prev": <entry_hash of n-1, or 64 zeros>}
    entry_hash = SHA-256(canonical(entry))

Kinds: ``case.opened`` (payload: case uuid and time), ``incident.version`` (payload: the full
canonical snapshot of one incident version, see diary.services.snapshot), ``exhibit.sealed`` (an
exhibit's first event: its SHA-256, size, type, name and the facts read from it) and ``exhibit.event``
(every later change, link or hand-over; see evidence.services). docs/ARCHITECTURE.md describes the
layout so a third party can recompute every hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cases.models import Case
from diary.models import ChainEntry, Incident, IncidentVersion
from kernel.canonical import sha256_hex, ts
from kernel.crypto import DecryptionError

GENESIS = "0" * 64


def entry_dict(case_uuid: str, seq: int, kind: str, ref: str, at: str, payload_sha256: str, prev: str) -> dict[str, Any]:
    return {
        "case": case_uuid,
        "seq": seq,
        "kind": kind,
        "ref": ref,
        "at": at,
        "payload_sha256": payload_sha256,
        "prev": prev,
    }


def append(case: Case, kind: str, ref: str, payload_sha256: str, at: dt.datetime | None = None) -> ChainEntry:
    """Append an entry. The caller holds the case row locked inside a transaction."""
    seq = case.chain_seq + 1
    at_s = ts(at or timezone.now())
    assert at_s is not None
    entry_hash = sha256_hex(entry_dict(str(case.uuid), seq, kind, ref, at_s, payload_sha256, case.chain_head))
    entry = ChainEntry.objects.create(
        case=case,
        seq=seq,
        kind=kind,
        ref=ref,
        at=at_s,
        payload_sha256=payload_sha256,
        prev_hash=case.chain_head,
        entry_hash=entry_hash,
    )
    case.chain_seq = seq
    case.chain_head = entry_hash
    Case.objects.filter(pk=case.pk).update(chain_seq=seq, chain_head=entry_hash)
    return entry


def case_opened_payload(case: Case) -> dict[str, Any]:
    return {"schema": "daybook.case.v1", "case": str(case.uuid), "opened_at": ts(case.created_at)}


@dataclass
class Verification:
    ok: bool
    entries: int
    head: str
    checked_at: dt.datetime
    problem: str = ""
    broken_seq: int | None = None
    details: list[str] = field(default_factory=list)
    # One result per stored original (evidence.integrity.FileCheck) when the files were checked.
    files: list[Any] = field(default_factory=list)
    files_checked: bool = False


def verify(case: Case, files: bool = True) -> Verification:
    """Recompute every hash of the case and report "intact" or the first broken link.

    With ``files`` (the default), every stored original exhibit is also read back, decrypted and re-hashed."""
    from diary.services import head_snapshot, snapshot_from_version  # noqa: PLC0415
    from evidence import integrity as evidence  # noqa: PLC0415

    now = timezone.now()
    prev = GENESIS
    expected_seq = 1
    versions = {f"incident/{v.incident.number}/v{v.version}": v for v in IncidentVersion.objects.filter(incident__case=case).select_related("incident")}
    for v in versions.values():
        v.incident.case = case  # one case object: no query and no key unwrap per version
    exhibit_events = evidence.events_by_ref(case)
    exhibit_latest: dict[int, dict[str, Any]] = {}
    seen_refs: set[str] = set()
    count = 0

    def fail(seq: int | None, problem: str) -> Verification:
        return Verification(False, count, prev, now, problem=problem, broken_seq=seq)

    for entry in ChainEntry.objects.filter(case=case).order_by("seq").iterator(chunk_size=2000):
        if entry.seq != expected_seq:
            return fail(expected_seq, f"Entry {expected_seq} is missing from the chain.")
        if entry.prev_hash != prev:
            return fail(entry.seq, f"Entry {entry.seq} does not link to entry {entry.seq - 1}.")
        recomputed = sha256_hex(entry_dict(str(case.uuid), entry.seq, entry.kind, entry.ref, entry.at, entry.payload_sha256, entry.prev_hash))
        if recomputed != entry.entry_hash:
            return fail(entry.seq, f"Entry {entry.seq} has been altered: its hash does not match its contents.")
        if entry.kind == "case.opened":
            if entry.seq != 1 or sha256_hex(case_opened_payload(case)) != entry.payload_sha256:
                return fail(entry.seq, "The record of when this case was opened has been altered.")
        elif entry.kind == "incident.version":
            version = versions.get(entry.ref)
            if version is None:
                return fail(entry.seq, f"Entry {entry.seq} points to {entry.ref}, which is missing.")
            try:
                payload = snapshot_from_version(version)
            except (DecryptionError, ValueError) as exc:
                return fail(entry.seq, f"{entry.ref} cannot be read: {exc}.")
            if sha256_hex(payload) != entry.payload_sha256 or version.payload_sha256 != entry.payload_sha256:
                return fail(entry.seq, f"{_human(entry.ref)} has been altered since it was recorded.")
            seen_refs.add(entry.ref)
        elif entry.kind in evidence.KINDS:
            problem = evidence.check_entry(case, entry, exhibit_events, exhibit_latest)
            if problem:
                return fail(entry.seq, problem)
            seen_refs.add(entry.ref)
        else:
            return fail(entry.seq, f"Entry {entry.seq} has an unknown kind {entry.kind!r}.")
        prev = entry.entry_hash
        expected_seq += 1
        count += 1

    recorded = Case.objects.filter(pk=case.pk).values("chain_seq", "chain_head").get()
    case.chain_seq, case.chain_head = recorded["chain_seq"], recorded["chain_head"]
    if count != case.chain_seq or prev != case.chain_head:
        return fail(count + 1, "The end of the chain does not match the case's recorded head: entries were removed.")
    extra = set(versions) - seen_refs
    if extra:
        return fail(None, f"{_human(sorted(extra)[0])} is not in the chain: it was added outside Daybook.")
    # The current state shown in lists must equal the latest chained version of each incident.
    latest: dict[int, IncidentVersion] = {}
    for v in versions.values():
        if v.incident_id not in latest or v.version > latest[v.incident_id].version:
            latest[v.incident_id] = v
    for incident in Incident.objects.filter(case=case).select_related("case", "crime_reference", "breached_order"):
        incident.case = case
        v = latest.get(incident.pk)
        if v is None:
            return fail(None, f"Incident {incident.number} has no recorded version.")
        if incident.version != v.version or sha256_hex(head_snapshot(incident, v)) != v.payload_sha256:
            return fail(None, f"Incident {incident.number} has been changed outside Daybook: it no longer matches version {v.version}.")
    problem = evidence.check_current(case, exhibit_events, seen_refs & set(exhibit_events), exhibit_latest)
    if problem:
        return fail(None, problem)
    if files:
        checks = evidence.check_files(case, exhibit_latest)
        broken = [c for c in checks if not c.ok]
        result = Verification(not broken, count, prev, now, files=checks, files_checked=True)
        if broken:
            result.problem = broken[0].problem
            result.details = [c.problem for c in broken]
        return result
    return Verification(True, count, prev, now)


def _human(ref: str) -> str:
    parts = ref.split("/")
    if len(parts) == 3 and parts[0] == "incident":
        return f"Incident {parts[1]}, version {parts[2][1:]},"
    return ref
