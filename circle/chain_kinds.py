"""The chain kind the circle owns: ``sighting.recorded`` (ref ``sighting/<number>``), one entry per sighting a
trusted contact adds. The payload is the sighting's canonical snapshot (circle.contacts.payload), sealed in its row.
The check re-opens each snapshot, compares its hash with the chain's and with the row's current columns, and finds
sightings added outside the chain."""

from __future__ import annotations

from collections.abc import Iterator

from chain import kinds, refs
from chain.models import ChainEntry
from circle.contacts import KIND, snapshot
from circle.models import Sighting
from kernel.canonical import ts
from kernel.crypto import DecryptionError


class Sightings(kinds.SnapshotChecker):
    """Streams: the sightings of each chunk of entries are loaded with it (see chain.kinds.SnapshotChecker)."""

    def load(self, wanted: list[str]) -> dict[str, Sighting]:
        numbers = {int(ref.split("/")[1]) for ref in wanted if ref.count("/") == 1 and ref.startswith("sighting/") and ref.split("/")[1].isdigit()}
        found = {}
        for s in Sighting.objects.filter(case=self.case, number__in=numbers).select_related("contact", "exhibit"):
            s.case = self.case
            found[refs.sighting_ref(s.number)] = s
        return found

    def all_refs(self) -> Iterator[str]:
        for number in Sighting.objects.filter(case=self.case).values_list("number", flat=True).iterator(chunk_size=1000):
            yield refs.sighting_ref(number)

    def describe(self, ref: str) -> str:
        return f"Sighting {ref.split('/')[-1]}"

    def check(self, entry: ChainEntry) -> str | None:
        sighting = self.rows.get(entry.ref)
        if sighting is None:
            return f"Entry {entry.seq} points to {entry.ref}, which is missing."
        try:
            body = snapshot(sighting)
            current = {
                "seen_at": ts(sighting.seen_at),
                "recorded_at": ts(sighting.recorded_at),
                "where": sighting.where,
                "what": sighting.what,
                "person_present": sighting.person_present,
                "sighting": sighting.number,
            }
        except (DecryptionError, ValueError) as exc:
            return f"{self.describe(entry.ref)} cannot be read: {exc}."
        if any(body.get(k) != v for k, v in current.items()):
            return f"{self.describe(entry.ref)} has been changed outside Daybook: it no longer matches its record."
        return self.compare(entry, body, sighting.payload_sha256)

    def finish(self) -> str | None:
        return self.unchained()


kinds.register("sighting", (KIND,), Sightings)
