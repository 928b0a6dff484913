"""Writing to a case's hash chain: the case lock, one entry, many entries, and their audit rows.

Entry ``n`` of a case commits to its payload and to entry ``n-1``::

    entry = {"case": <case uuid>, "seq": n, "kind": k, "ref": r, "at": t,
             "payload_sha256": SHA-256(canonical(payload)), "prev": <entry_hash of n-1, or GENESIS>}
    entry_hash = SHA-256(canonical(entry))

Every writer locks the case row (:func:`lock`) inside its transaction, writes its own rows, appends here and
writes its audit row in the same transaction. The case is passed in (duck-typed: ``uuid``, ``chain_seq``,
``chain_head``, its model's manager): the chain imports no app above it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from audit.services import record, record_many
from chain.models import ChainEntry
from kernel.canonical import sha256_hex, ts


@dataclass(frozen=True)
class Entry:
    """One entry to append: what kind of thing, which one, and the SHA-256 of its canonical payload."""

    kind: str
    ref: str
    payload_sha256: str


def entry_dict(case_uuid: str, seq: int, kind: str, ref: str, at: str, payload_sha256: str, prev: str) -> dict[str, Any]:
    """The canonical object whose SHA-256 is the entry's hash (the documented layout)."""
    return {
        "case": case_uuid,
        "seq": seq,
        "kind": kind,
        "ref": ref,
        "at": at,
        "payload_sha256": payload_sha256,
        "prev": prev,
    }


def entry_hash(case_uuid: str, seq: int, kind: str, ref: str, at: str, payload_sha256: str, prev: str) -> str:
    return sha256_hex(entry_dict(case_uuid, seq, kind, ref, at, payload_sha256, prev))


def lock(case: Any) -> Any:
    """The case row, locked until the end of the caller's transaction (every chain writer takes it first, so
    appends to one case never interleave). Keeps the caller's unwrapped case key."""
    locked = type(case).objects.select_for_update().get(pk=case.pk)
    locked.__dict__["_cipher"] = case.get_cipher()
    return locked


def append(case: Any, kind: str, ref: str, payload_sha256: str, at: dt.datetime | None = None, *, audit: tuple[Any, str, str] | None = None) -> ChainEntry:
    """Append one entry. The caller holds the case row locked inside a transaction (or has just created it).

    ``audit``: (actor, action, target) of the audit row to write with it, in the same transaction."""
    seq = case.chain_seq + 1
    at_s = ts(at or timezone.now())
    assert at_s is not None
    digest = entry_hash(str(case.uuid), seq, kind, ref, at_s, payload_sha256, case.chain_head)
    entry = ChainEntry.objects.create(
        case=case, seq=seq, kind=kind, ref=ref, at=at_s, payload_sha256=payload_sha256, prev_hash=case.chain_head, entry_hash=digest
    )
    _move_head(case, seq, digest)
    if audit is not None:
        actor, action, target = audit
        record(actor, action, case, target)
    return entry


def append_many(case: Any, entries: Sequence[Entry], at: dt.datetime, *, actor: Any = None, audits: Sequence[tuple[str, str]] = ()) -> list[ChainEntry]:
    """Append ``entries`` in order, all recorded at ``at``, with one bulk insert; then the audit rows ``audits``
    ((action, target) pairs, by ``actor``) with another. The same rows and hashes as :func:`append` one after
    another. The caller holds the case row locked inside a transaction."""
    at_s = ts(at)
    assert at_s is not None
    case_uuid = str(case.uuid)
    seq, prev = case.chain_seq, case.chain_head
    rows = []
    for entry in entries:
        seq += 1
        digest = entry_hash(case_uuid, seq, entry.kind, entry.ref, at_s, entry.payload_sha256, prev)
        rows.append(
            ChainEntry(case=case, seq=seq, kind=entry.kind, ref=entry.ref, at=at_s, payload_sha256=entry.payload_sha256, prev_hash=prev, entry_hash=digest)
        )
        prev = digest
    if not rows:
        return []
    ChainEntry.objects.bulk_create(rows)
    _move_head(case, seq, prev)
    if audits:
        record_many(actor, case, audits)
    return rows


def _move_head(case: Any, seq: int, head: str) -> None:
    case.chain_seq = seq
    case.chain_head = head
    type(case).objects.filter(pk=case.pk).update(chain_seq=seq, chain_head=head)
