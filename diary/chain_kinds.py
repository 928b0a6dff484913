"""The chain kind the diary owns: ``incident.version``, one entry per version of an incident (see chain.kinds).

Each entry's payload is the full canonical snapshot of one incident version (diary.services.head_snapshot),
sealed in its ``IncidentVersion`` row. The check re-opens each snapshot and compares its hash with the chain's,
then checks that no version was added outside the chain and that each incident's current row (and its behaviour
rows, which the timeline filters by) equals its latest chained version.
"""

from __future__ import annotations

from typing import Any

from chain import kinds, refs
from chain.models import ChainEntry
from diary.models import Incident, IncidentBehaviour, IncidentVersion
from diary.services import head_snapshot, snapshot_from_version
from kernel.canonical import sha256_hex
from kernel.crypto import DecryptionError


class IncidentVersions(kinds.SnapshotChecker):
    def __init__(self, case: Any) -> None:
        rows = IncidentVersion.objects.filter(incident__case=case).select_related("incident")
        super().__init__(case, {refs.incident_ref(v.incident.number, v.version): v for v in rows})
        for v in self.rows.values():
            v.incident.case = case  # one case object: no query and no key unwrap per version

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
        return self.compare(entry, payload, version.payload_sha256)

    def finish(self) -> str | None:
        problem = self.unchained()
        if problem:
            return problem
        # The current state shown in lists must equal the latest chained version of each incident.
        latest: dict[int, IncidentVersion] = {}
        for v in self.rows.values():
            if v.incident_id not in latest or v.version > latest[v.incident_id].version:
                latest[v.incident_id] = v
        # The behaviour rows (the timeline's filter) must be exactly the behaviours of each incident's current version.
        behaviours: dict[int, list[str]] = {}
        for incident_id, code in IncidentBehaviour.objects.filter(incident__case=self.case).values_list("incident_id", "code"):
            behaviours.setdefault(incident_id, []).append(code)
        for incident in Incident.objects.filter(case=self.case).select_related("case", "crime_reference", "breached_order"):
            incident.case = self.case
            v = latest.get(incident.pk)
            if v is None:
                return f"Incident {incident.number} has no recorded version."
            if incident.version != v.version or sha256_hex(head_snapshot(incident, v)) != v.payload_sha256:
                return f"Incident {incident.number} has been changed outside Daybook: it no longer matches version {v.version}."
            if sorted(behaviours.get(incident.pk, [])) != sorted(incident.behaviour_codes):
                return f"Incident {incident.number}'s behaviours have been changed outside Daybook: they no longer match version {v.version}."
        return None


def human(ref: str) -> str:
    parts = ref.split("/")
    if len(parts) == 3 and parts[0] == "incident":
        return f"Incident {parts[1]}, version {parts[2][1:]},"
    return ref


kinds.register("incident", ("incident.version",), IncidentVersions)
