"""The chain kind the diary owns: ``incident.version``, one entry per version of an incident (see chain.kinds).

Each entry's payload is the full canonical snapshot of one incident version (diary.services.head_snapshot),
sealed in its ``IncidentVersion`` row. The check re-opens each snapshot and compares its hash with the chain's,
then checks that no version was added outside the chain and that each incident's current row (and its behaviour
rows, which the timeline filters by) equals its latest chained version.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from chain import kinds, refs
from chain.models import ChainEntry
from diary.models import Incident, IncidentBehaviour, IncidentVersion
from diary.services import head_snapshot, snapshot_from_version
from kernel.canonical import sha256_hex
from kernel.crypto import DecryptionError

CHUNK = 500


class IncidentVersions(kinds.SnapshotChecker):
    """Streams: the versions of each chunk of entries are loaded with it, and only each incident's latest chained
    version (its number, action, time, author and hash) is kept for :meth:`finish`."""

    def __init__(self, case: Any) -> None:
        super().__init__(case)
        # incident id -> (version, action, recorded_at, recorded_by as chained, payload hash) of its latest version
        self.latest: dict[int, tuple[int, str, Any, Any, str]] = {}

    def load(self, refs: list[str]) -> dict[str, IncidentVersion]:
        numbers = {number for number, _ in filter(None, map(parse, refs))}
        rows = IncidentVersion.objects.filter(incident__case=self.case, incident__number__in=numbers).select_related("incident")
        wanted = set(refs)
        found = {}
        for v in rows:
            ref = refs_of(v)
            if ref in wanted:
                v.incident.case = self.case  # one case object: no query and no key unwrap per version
                found[ref] = v
        return found

    def all_refs(self) -> Iterator[str]:
        rows = IncidentVersion.objects.filter(incident__case=self.case).values_list("incident__number", "version")
        for number, version in rows.iterator(chunk_size=CHUNK):
            yield refs.incident_ref(number, version)

    def describe(self, ref: str) -> str:
        return human(ref)

    def check(self, entry: ChainEntry) -> str | None:
        version = self.rows.get(entry.ref)
        if version is None:
            return f"Entry {entry.seq} points to {entry.ref}, which is missing."
        try:
            payload = snapshot_from_version(version)
        except (DecryptionError, ValueError) as exc:
            return f"{entry.ref} cannot be read: {exc}."
        # Who recorded it, as the chain has it: an account's id on the Daybook where it was written (a case loaded
        # from an export into another Daybook belongs to an account with another id there; see takeout/load.py).
        chained_by = payload.get("recorded_by") if isinstance(payload, dict) else None
        problem = self.compare(entry, payload, version.payload_sha256)
        if problem:
            return problem
        held = self.latest.get(version.incident_id)
        if held is None or version.version > held[0]:
            self.latest[version.incident_id] = (version.version, version.action, version.recorded_at, chained_by, version.payload_sha256)
        return None

    def finish(self) -> str | None:
        problem = self.unchained()
        if problem:
            return problem
        # The current state shown in lists must equal the latest chained version of each incident; the behaviour rows
        # (the timeline's filter) must be exactly the behaviours of each incident's current version. Read in chunks.
        incidents = Incident.objects.filter(case=self.case).select_related("case", "crime_reference", "breached_order").order_by("pk")
        for chunk in kinds.chunked(incidents.iterator(chunk_size=CHUNK), CHUNK):
            behaviours: dict[int, list[str]] = {}
            codes = IncidentBehaviour.objects.filter(incident__case=self.case, incident_id__in=[i.pk for i in chunk])
            for incident_id, code in codes.values_list("incident_id", "code"):
                behaviours.setdefault(incident_id, []).append(code)
            for incident in chunk:
                problem = self.current(incident, behaviours.get(incident.pk, []))
                if problem:
                    return problem
        return None

    def current(self, incident: Incident, behaviours: list[str]) -> str | None:
        incident.case = self.case
        held = self.latest.get(incident.pk)
        if held is None:
            return f"Incident {incident.number} has no recorded version."
        version, action, recorded_at, chained_by, sha = held
        meta = {"version": version, "action": action, "recorded_at": recorded_at, "recorded_by": chained_by}
        if incident.version != version or sha256_hex(head_snapshot(incident, meta)) != sha:
            return f"Incident {incident.number} has been changed outside Daybook: it no longer matches version {version}."
        if sorted(behaviours) != sorted(incident.behaviour_codes):
            return f"Incident {incident.number}'s behaviours have been changed outside Daybook: they no longer match version {version}."
        return None


def parse(ref: str) -> tuple[int, int] | None:
    """(incident number, version) of an ``incident/<n>/v<m>`` ref, or nothing."""
    parts = ref.split("/")
    if len(parts) == 3 and parts[0] == "incident" and parts[1].isdigit() and parts[2][:1] == "v" and parts[2][1:].isdigit():
        return int(parts[1]), int(parts[2][1:])
    return None


def refs_of(version: IncidentVersion) -> str:
    return refs.incident_ref(version.incident.number, version.version)


def human(ref: str) -> str:
    parts = ref.split("/")
    if len(parts) == 3 and parts[0] == "incident":
        return f"Incident {parts[1]}, version {parts[2][1:]},"
    return ref


kinds.register("incident", ("incident.version",), IncidentVersions)
