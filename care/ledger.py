"""A client's hash chain: the same entry layout as a diary case's (chain/services.py), kept per client.

Entry ``n`` of client ``c`` is ``{"case": <client uuid>, "seq": n, "kind", "ref", "at", "payload_sha256", "prev"}``
hashed with ``chain.services.entry_hash``, so the documented recomputation (docs/ARCHITECTURE.md) holds unchanged
with the client's uuid in the ``case`` field. Each payload is::

    {"schema": "daybook.<kind>.v1", "client": <uuid>, "subject": <what it is about>, "n": <step of that subject>,
     "action": <what happened>, "recorded_at": <timestamp>, "recorded_by": <membership id or null>,
     "state": <the whole subject after the step>}

sealed in a :class:`care.models.Snapshot` (ref ``<subject>/s<n>``). :func:`verify` recomputes every link and hash,
re-reads each snapshot, finds snapshots outside the chain and current rows that differ from their latest chained
state (each kind's ``current`` function, registered in care/chain_kinds.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from audit.services import record_staff
from care.models import ClientChain, ClientChainEntry, Snapshot, attach
from casework.models import Client
from chain.refs import GENESIS
from chain.services import entry_hash
from chain.verification import Verification
from kernel.canonical import sha256_hex, ts
from organisations.access import Staff

# kind -> function(client) giving {subject: current state} for every subject of that kind (care/chain_kinds.py).
CURRENT: dict[str, Callable[[Client], dict[str, dict[str, Any]]]] = {}


def lock(client: Client) -> ClientChain:
    """The client's chain head, locked to the end of the caller's transaction (every writer takes it first)."""
    ClientChain.objects.get_or_create(client=client)
    return ClientChain.objects.select_for_update().get(client=client)


def append(
    client: Client, *, staff: Staff | None, kind: str, subject: str, action: str, state: dict[str, Any], audit: str, target: str, at: dt.datetime | None = None
) -> Snapshot:
    """Seal the step's payload, chain it and write its audit row. The caller is inside a transaction."""
    head = lock(client)
    at = at or timezone.now()
    n = Snapshot.objects.filter(client=client, subject=subject).count() + 1
    member = staff.membership if staff else None
    payload = {
        "schema": f"daybook.{kind}.v1",
        "client": str(client.uuid),
        "subject": subject,
        "n": n,
        "action": action,
        "recorded_at": ts(at),
        "recorded_by": str(member.pk) if member else None,
        "state": state,
    }
    digest = sha256_hex(payload)
    snap = Snapshot(client=client, kind=kind, subject=subject, n=n, ref=f"{subject}/s{n}", at=at, by=member, sha256=digest)
    snap.payload = payload
    snap.save()
    seq = head.seq + 1
    at_s = ts(at)
    assert at_s is not None
    hashed = entry_hash(str(client.uuid), seq, kind, snap.ref, at_s, digest, head.head)
    ClientChainEntry.objects.create(client=client, seq=seq, kind=kind, ref=snap.ref, at=at_s, payload_sha256=digest, prev_hash=head.head, entry_hash=hashed)
    ClientChain.objects.filter(pk=head.pk).update(seq=seq, head=hashed)
    record_staff(staff.user if staff else None, audit, organisation=client.organisation, client=client, target=target)
    return snap


def history(client: Client, subject: str, latest: int | None = None) -> list[Snapshot]:
    """Every chained step of one subject, oldest first (or only the ``latest`` few)."""
    qs = Snapshot.objects.filter(client=client, subject=subject).select_related("by")
    if latest is not None:
        return attach(reversed(qs.order_by("-n")[:latest]), client)
    return attach(qs.order_by("n"), client)


def verify(client: Client) -> Verification:
    """Recompute the client's chain: every link, every hash, every snapshot, and each current row against its
    latest chained state. Reports "intact" or the first problem, in words."""
    now = timezone.now()
    prev, count = GENESIS, 0
    snaps = {s.ref: s for s in attach(Snapshot.objects.filter(client=client), client)}
    seen: set[str] = set()
    latest: dict[str, dict[str, Any]] = {}

    def fail(seq: int | None, problem: str) -> Verification:
        return Verification(False, count, prev, now, problem=problem, broken_seq=seq)

    for entry in ClientChainEntry.objects.filter(client=client).order_by("seq").iterator(chunk_size=2000):
        if entry.seq != count + 1:
            return fail(count + 1, f"Entry {count + 1} is missing from the chain.")
        if entry.prev_hash != prev:
            return fail(entry.seq, f"Entry {entry.seq} does not link to entry {entry.seq - 1}.")
        if entry_hash(str(client.uuid), entry.seq, entry.kind, entry.ref, entry.at, entry.payload_sha256, entry.prev_hash) != entry.entry_hash:
            return fail(entry.seq, f"Entry {entry.seq} has been altered: its hash does not match its contents.")
        if entry.kind not in CURRENT:
            return fail(entry.seq, f"Entry {entry.seq} has an unknown kind {entry.kind!r}.")
        snap = snaps.get(entry.ref)
        if snap is None:
            return fail(entry.seq, f"Entry {entry.seq} points to a step that is missing ({entry.ref}).")
        try:
            payload = snap.payload
        except Exception:  # noqa: BLE001 - any failure to open is the record's problem, named below
            return fail(entry.seq, f"The step {entry.ref} cannot be read: it was altered or moved.")
        if sha256_hex(payload) != entry.payload_sha256 or snap.sha256 != entry.payload_sha256:
            return fail(entry.seq, f"The step {entry.ref} has been altered since it was recorded.")
        seen.add(entry.ref)
        latest[payload["subject"]] = payload["state"]
        prev = entry.entry_hash
        count += 1
    head = ClientChain.objects.filter(client=client).first()
    if (head.seq if head else 0) != count or (head.head if head else GENESIS) != prev:
        return fail(count + 1, "The end of the chain does not match the client's recorded head: entries were removed.")
    extra = sorted(set(snaps) - seen)
    if extra:
        return fail(None, f"The step {extra[0]} is not in the chain: it was added outside Daybook.")
    for current in CURRENT.values():
        for subject, state in current(client).items():
            if subject not in latest:
                return fail(None, f"{subject} has no chained step: it was added outside Daybook.")
            if sha256_hex(state) != sha256_hex(latest[subject]):
                return fail(None, f"{subject} differs from its last chained step: it was changed outside Daybook.")
    return Verification(True, count, prev, now)
