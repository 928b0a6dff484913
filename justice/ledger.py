"""A client's hash chain: append one entry (with its audit row, in the caller's transaction) and verify it.

Every writer locks the client row first (:func:`lock`), so appends to one client never interleave. The entry
layout and hash are chain.services' (``entry_hash``) with the client's uuid; the first entry links to GENESIS.
Verification recomputes every link, then checks that the latest entry of each ref matches its row now, and that
no chained row exists without an entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from audit.services import record_staff
from casework.models import Client
from chain.refs import GENESIS
from chain.services import entry_hash
from justice import models as m
from justice.chain_kinds import payload
from kernel.canonical import sha256_hex, ts
from kernel.crypto import DecryptionError
from organisations.access import Staff


def lock(client: Client) -> Client:
    locked = Client.objects.select_for_update().get(pk=client.pk)
    locked.__dict__["_cipher"] = client.get_cipher()
    return locked


def append(client: Client, row: Any, *, staff: Staff | None, action: str, target: str = "") -> m.ClientEntry:
    """Append ``row``'s current payload to the client's chain and write the audit row (caller holds the lock)."""
    kind, ref, body = payload(row)
    last = m.ClientEntry.objects.filter(client=client).order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    at = ts(timezone.now())
    assert at is not None
    digest_payload = sha256_hex(body)
    digest = entry_hash(str(client.uuid), seq, kind, ref, at, digest_payload, prev)
    entry = m.ClientEntry.objects.create(client=client, seq=seq, kind=kind, ref=ref, at=at, payload_sha256=digest_payload, prev_hash=prev, entry_hash=digest)
    organisation = staff.organisation if staff is not None else client.organisation
    record_staff(staff.user if staff else None, action, organisation=organisation, client=client, target=target or ref)
    return entry


@dataclass(frozen=True)
class ClientVerification:
    ok: bool
    entries: int
    problem: str = ""


CHAINED = (m.Assessment, m.LevelReview, m.StatusChange, m.Order, m.CourtDate, m.VpsEvent, m.Onward, m.MeetingAction)


def _rows(client: Client) -> list[Any]:
    rows: list[Any] = []
    for model in CHAINED:
        rows += list(model.objects.filter(client=client))
    rows += list(m.OrderEvent.objects.filter(client=client).select_related("order"))
    rows += list(m.OnwardEvent.objects.filter(onward__client=client).select_related("onward"))
    for row in rows:
        if isinstance(row, m.OnwardEvent):
            row.onward.client = client
        else:
            row.client = client
    return rows


def verify(client: Client) -> ClientVerification:
    """Recompute the client's chain: "intact", or the first problem in words."""
    prev, expected, latest = GENESIS, 1, {}
    count = 0
    for e in m.ClientEntry.objects.filter(client=client).order_by("seq").iterator():
        if e.seq != expected:
            return ClientVerification(False, count, f"Entry {expected} is missing from the chain.")
        if e.prev_hash != prev or entry_hash(str(client.uuid), e.seq, e.kind, e.ref, e.at, e.payload_sha256, e.prev_hash) != e.entry_hash:
            return ClientVerification(False, count, f"Entry {e.seq} has been altered or does not link to the one before.")
        latest[e.ref] = e.payload_sha256
        prev, expected, count = e.entry_hash, expected + 1, count + 1
    for row in _rows(client):
        try:
            _kind, ref, body = payload(row)
        except DecryptionError:
            return ClientVerification(False, count, "A stored value cannot be read: it was altered or moved from another record.")
        if ref not in latest:
            return ClientVerification(False, count, f"{ref} is not in the chain: it was added outside Daybook.")
        if sha256_hex(body) != latest.pop(ref):
            return ClientVerification(False, count, f"{ref} has been changed outside Daybook.")
    if latest:
        return ClientVerification(False, count, f"{sorted(latest)[0]} is in the chain but its record has been deleted.")
    return ClientVerification(True, count)
