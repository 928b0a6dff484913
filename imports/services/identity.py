"""The stable identity of each imported record, so that a message already stored by an earlier import is skipped."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections import Counter

from cases.models import Case
from imports.records import Record
from vault import keys


def identity_key(case: Case) -> bytes:
    """The per-case key the identities are computed under (HKDF of the case's data key)."""
    return keys._subkey(case, b"daybook.import-identity.v1")


class Identities:
    """Stable identity of each record: HMAC-SHA256 under a per-case key (HKDF of the case's data key) of the record's
    kind, source channel, sender, instant (UTC), SHA-256 of the text, call details and its occurrence index (the
    n-th identical record at that instant), truncated to 128 bits. No clear hash of personal text is ever stored.

    Occurrence counts are kept for one day around the latest instant, so memory stays bounded."""

    def __init__(self, case: Case) -> None:
        self.key = identity_key(case)
        self.counts: dict[int, Counter[bytes]] = {}
        self.latest = 0
        self.horizon: int | None = None  # instants at or before this may have lost their counts (pruned)
        self.unsure = False  # a record came from before the horizon: two records of this export may share an identity

    def __call__(self, r: Record, instant: dt.datetime) -> str:
        stamp = int(instant.timestamp())
        if self.horizon is not None and stamp <= self.horizon:
            self.unsure = True
        text_hash = hashlib.sha256(r.text.encode("utf-8", "surrogatepass")).hexdigest()
        base = "\x1f".join(
            (r.kind, r.channel.casefold(), r.sender.strip(), instant.strftime("%Y-%m-%dT%H:%M:%S"), text_hash, str(r.call_seconds), r.call_kind)
        ).encode("utf-8", "surrogatepass")
        bucket = self.counts.setdefault(stamp, Counter())
        n = bucket[base]
        bucket[base] = n + 1
        if stamp > self.latest:
            self.latest = stamp
            if len(self.counts) > 4096:
                self.horizon = stamp - 86400
                self.counts = {k: v for k, v in self.counts.items() if k > self.horizon}
        return hmac.new(self.key, base + b"\x1f" + str(n).encode(), hashlib.sha256).hexdigest()[:32]
