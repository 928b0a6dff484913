"""What an import found and made, as one plain dictionary (for ``manage.py import_export`` and its ``--json``).

The counts are those said to the person on the import's page: messages and calls per participant (their sums are
the totals: system lines such as "X added Y" are counted apart, never as messages), the warnings with their
positions, and the diary incidents the run made or updated.
"""

from __future__ import annotations

from typing import Any

from imports.models import Import, ImportDay


def outcome(job: Import) -> dict[str, Any]:
    """The import's outcome: format, counts, participants, warnings, incidents (see imports/README.md)."""
    stats = dict(job.stats or {})
    made = ImportDay.objects.filter(case=job.case, created_by_import=job).select_related("incident").order_by("day", "channel")
    incidents = [{"number": d.incident.number, "day": d.day.isoformat(), "channel": d.channel} for d in made]
    found = {key: stats.pop(f"found_{key}", None) for key in ("messages", "calls", "system", "undated")}
    people = list(job.participants or [])
    if found["messages"] is None:  # a scan from before the counts were kept: the participants' sums
        found["messages"] = sum(int(p.get("messages") or 0) for p in people)
        found["calls"] = sum(int(p.get("calls") or 0) for p in people)
    return {
        "import": job.pk,
        "case": job.case_id,
        "exhibit": job.exhibit.number if job.exhibit_id else None,
        "status": job.status,
        "error": job.error or "",
        "format": job.format,
        "format_label": job.format_label,
        "time_zone": job.time_zone,
        "found": {k: int(v or 0) for k, v in found.items()},
        "participants": [
            {
                "name": p.get("name", ""),
                "messages": int(p.get("messages") or 0),
                "calls": int(p.get("calls") or 0),
                "first": p.get("first"),
                "last": p.get("last"),
            }
            for p in people
        ],
        "suspects": list(job.suspects or []),
        "warnings": list(job.warnings or []),
        "imported": {k: v for k, v in stats.items() if not k.startswith("found_")},
        "incidents_created": stats.get("incidents_created", 0),
        "incidents_updated": stats.get("incidents_updated", 0),
        "incidents": incidents,
    }


def as_text(result: dict[str, Any]) -> str:
    """The outcome as lines for a person at a terminal."""
    found = result["found"]
    lines = [
        f"Import {result['import']} of exhibit {result['exhibit']} in case {result['case']}: {result['status']}",
        f"Format: {result['format_label'] or 'not recognised'}",
        f"Found: {_n(found['messages'], 'message')}, {_n(found['calls'], 'call')}"
        + (f" ({_n(found['system'], 'system line')} not counted)" if found["system"] else "")
        + (f"; {found['undated']} with no readable date" if found["undated"] else ""),
    ]
    if result["participants"]:
        lines.append("Participants:")
        lines += [f"  {p['name'] or '(no name)'}: {_n(p['messages'], 'message')}, {_n(p['calls'], 'call')}" for p in result["participants"]]
    if result["warnings"]:
        lines.append("Warnings:")
        lines += [f"  {w}" for w in result["warnings"]]
    if result["error"]:
        lines.append(f"Error: {result['error']}")
    if result["status"] == "done":
        lines.append(f"Incidents: {result['incidents_created']} new, {result['incidents_updated']} updated")
        lines += [f"  Incident {i['number']}: {i['day']} ({i['channel']})" for i in result["incidents"]]
    return "\n".join(lines)


def _n(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
