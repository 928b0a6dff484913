"""The canonical snapshot of an exhibit: its state, and the sealed payload of each of its events.

Each ``ExhibitEvent`` seals a canonical JSON payload (schema ``daybook.exhibit.v1``) whose SHA-256 enters the
case's hash chain (see evidence.services, which writes them, and evidence.chain_kinds, which checks them)."""

from __future__ import annotations

import json
from typing import Any

from cases.models import Case
from evidence.models import Exhibit, ExhibitEvent, ExhibitLink
from kernel.canonical import day

SCHEMA = "daybook.exhibit.v1"


def exhibit_state(exhibit: Exhibit) -> dict[str, Any]:
    """The canonical state of an exhibit (strings, integers, booleans, null, lists, objects)."""
    file = None
    if exhibit.kind == "file":
        file = {
            "name": exhibit.original_name,
            "size": exhibit.size,
            "media_type": exhibit.media_type,
            "sha256": exhibit.sha256,
            "blob": str(exhibit.original.uuid) if exhibit.original_id else None,
            "facts": exhibit.facts or {},
        }
    physical = None
    if exhibit.kind == "physical":
        physical = {"received_on": day(exhibit.received_on), "arrived_how": exhibit.arrived_how, "kept_where": exhibit.kept_where}
    return {
        "kind": exhibit.kind,
        "reference": exhibit.reference,
        "description": exhibit.description,
        "obtained_on": day(exhibit.obtained_on),
        "obtained_time": exhibit.obtained_time.strftime("%H:%M") if exhibit.obtained_time else None,
        "obtained_where": exhibit.obtained_where,
        "obtained_by": exhibit.obtained_by,
        "custody": exhibit.custody,
        "file": file,
        "physical": physical,
        "photo_of": exhibit.photo_of.number if exhibit.photo_of_id else None,
        "incidents": sorted(ExhibitLink.objects.filter(exhibit=exhibit).values_list("incident__number", flat=True)),
    }


def event_payload(event: ExhibitEvent, case: Case) -> dict[str, Any]:
    return json.loads(case.get_cipher().open(event.snapshot_enc, "exhibitevent.snapshot"))
