"""The chain kinds the evidence locker owns: ``exhibit.sealed`` (an exhibit's first event: its SHA-256, size, type,
name and the facts read from it) and ``exhibit.event`` (every later change, link or hand-over). See chain.kinds.

* Each chained exhibit event's sealed snapshot must hash to the value in the chain.
* No event may exist outside the chain, and each exhibit's current row must equal the state in its latest
  chained event.
* With a full check, each stored original is read back and re-hashed (evidence.filecheck).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Sum

from chain import kinds, refs
from chain.models import ChainEntry
from evidence import filecheck
from evidence.models import Blob, Exhibit, ExhibitEvent
from evidence.snapshots import event_payload, exhibit_state
from kernel.crypto import DecryptionError


class ExhibitEvents(kinds.SnapshotChecker):
    """Streams: the events of each chunk of entries are loaded with it (see chain.kinds.SnapshotChecker)."""

    def __init__(self, case: Any) -> None:
        super().__init__(case)
        self.latest: dict[int, dict[str, Any]] = {}  # exhibit number -> payload of its latest chained event

    def load(self, wanted: list[str]) -> dict[str, ExhibitEvent]:
        numbers = {number for number, _ in filter(None, map(parse, wanted))}
        rows = ExhibitEvent.objects.filter(exhibit__case=self.case, exhibit__number__in=numbers).select_related("exhibit")
        keep = set(wanted)
        return {ref: event for event in rows if (ref := refs.exhibit_ref(event.exhibit.number, event.seq)) in keep}

    def all_refs(self) -> Iterator[str]:
        rows = ExhibitEvent.objects.filter(exhibit__case=self.case).values_list("exhibit__number", "seq")
        for number, seq in rows.iterator(chunk_size=1000):
            yield refs.exhibit_ref(number, seq)

    def describe(self, ref: str) -> str:
        return human(ref)

    def check(self, entry: ChainEntry) -> str | None:
        event = self.rows.get(entry.ref)
        if event is None:
            return f"Entry {entry.seq} points to {human(entry.ref)}, which is missing."
        if (entry.kind == "exhibit.sealed") != (event.seq == 1):
            return f"Entry {entry.seq} has the wrong kind for {human(entry.ref)}."
        try:
            payload = event_payload(event, self.case)
        except (DecryptionError, ValueError) as exc:
            return f"{human(entry.ref)} cannot be read: {exc}."
        problem = self.compare(entry, payload, event.payload_sha256)
        if problem:
            return problem
        number = event.exhibit.number
        if number not in self.latest or self.latest[number]["event"] < payload["event"]:
            self.latest[number] = payload
        return None

    def finish(self) -> str | None:
        problem = self.unchained()
        if problem:
            return problem
        for exhibit in Exhibit.objects.filter(case=self.case).select_related("original", "photo_of").iterator(chunk_size=1000):
            exhibit.case = self.case
            payload = self.latest.get(exhibit.number)
            if payload is None:
                return f"Exhibit {exhibit.number} has no recorded history: it was added outside Daybook."
            if exhibit.version != payload["event"] or exhibit_state(exhibit) != payload["state"]:
                return f"Exhibit {exhibit.number} has been changed outside Daybook: it no longer matches its recorded history."
        return None

    def check_files(self) -> list[filecheck.FileCheck]:
        return filecheck.check_files(self.case, self.latest)


def parse(ref: str) -> tuple[int, int] | None:
    """(exhibit number, event) of an ``exhibit/<n>/e<m>`` ref, or nothing."""
    parts = ref.split("/")
    if len(parts) == 3 and parts[0] == "exhibit" and parts[1].isdigit() and parts[2][:1] == "e" and parts[2][1:].isdigit():
        return int(parts[1]), int(parts[2][1:])
    return None


def human(ref: str) -> str:
    parts = ref.split("/")
    if len(parts) == 3 and parts[0] == "exhibit":
        return f"Exhibit {parts[1]}, event {parts[2][1:]},"
    return ref


def stored_bytes(case: Any) -> int:
    """Plaintext bytes of every blob of the case (originals and previews)."""
    return Blob.objects.filter(case=case).aggregate(n=Sum("size"))["n"] or 0


kinds.register("exhibit", ("exhibit.sealed", "exhibit.event"), ExhibitEvents, stored_bytes=stored_bytes)
