"""The machine-readable manifest of an evidence bundle (``manifest.json``).

Canonical JSON (daybook/canonical.py: sorted keys, no spaces, UTF-8, no floats) so its SHA-256 is stable and
can be timestamped (RFC 3161) before the bundle is written. Layout (schema ``daybook.bundle-manifest``, version 1)::

    {"schema": "daybook.bundle-manifest", "version": 1, "generated_at": "...Z",
     "case": {"uuid", "chain_head", "chain_seq"},          # the case's hash-chain head when the bundle was made
     "options": {...},                                      # the report options, without the person's contact text
     "report": {"file", "sha256", "size"},                  # the PDF in the bundle
     "incidents": [{"number", "occurred_at", "time_precision", "ended_at", "channel", "behaviours",
                    "description", "retracted", "retraction_reason", "reported", "reported_on",
                    "crime_reference", "exhibits", "version", "chain_ref", "version_sha256"}],
     "exhibits": [{"number", "reference", "kind", "description", "original_name", "file", "size", "sha256",
                   "media_type", "obtained_on", "obtained_time", "obtained_where", "obtained_by", "custody",
                   "continuity": [{"action", "happened_on", "recorded_at", "to", "officer", "reference",
                                   "location", "notes"}],
                   "incidents", "event", "chain_ref", "event_sha256"}]}

``version_sha256`` is the SHA-256 of the incident's latest canonical version payload, exactly as recorded in the
case's hash chain at ``chain_ref`` (``incident/<n>/v<version>``); ``event_sha256`` likewise for the exhibit's
latest event (``exhibit/<n>/e<event>``). Someone holding the chain can match them.

Which exhibits: every exhibit linked to an incident in the report, and every exhibit of the case not linked to any
incident (loose evidence the person kept). Exhibits linked only to incidents left out of the report are left out
with them. An exhibit's ``incidents`` lists only the incidents in this report. Free text (descriptions, reasons,
continuity notes) passes through the report's redactions. The redaction terms themselves never appear.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from cases.models import Case
from chain.refs import exhibit_ref, incident_ref
from diary.models import IncidentVersion
from evidence import names
from evidence.models import CONTINUITY_ACTIONS, Exhibit, ExhibitEvent, ExhibitLink
from kernel.canonical import canonical_bytes, day, ts
from reports.options import ReportOptions, select_exhibits, select_incidents

SCHEMA = "daybook.bundle-manifest"
VERSION = 1
MANIFEST_NAME = "manifest.json"
TIMESTAMP_NAME = "manifest.json.tsr"
SUMS_NAME = "SHA256SUMS"
README_NAME = "README.txt"
EXHIBIT_DIR = "exhibits/"
RESERVED = {MANIFEST_NAME, TIMESTAMP_NAME, SUMS_NAME, README_NAME}
MAX_EXHIBIT_NAME = 120  # characters of the file name after "exhibits/" (ASCII)


def safe_reference(reference: str, number: int) -> str:
    """An exhibit reference as a file-name prefix: "JB/1" -> "JB-1" (ASCII, no separators)."""
    text = names.ascii_name(names.display_name((reference or "").replace("/", "-").replace("\\", "-"), ""), "")
    text = re.sub(r"[^A-Za-z0-9()+,=@-]", "-", text.replace(".", "-")).strip("-")
    text = text[:40]
    return text if re.search(r"[A-Za-z]", text) else f"EX-{number}"


def exhibit_file_names(exhibits: list[Exhibit]) -> dict[int, str]:
    """Bundle paths for file exhibits, by exhibit number: ``exhibits/<REF>_<safe original name>``.

    ASCII only (any unzip tool and ``sha256sum -c`` read it), no folders or path tricks, at most
    ``MAX_EXHIBIT_NAME`` characters, unique ignoring case (a "_2", "_3"... is added before the extension)."""
    out: dict[int, str] = {}
    taken: set[str] = set()
    for exhibit in sorted(exhibits, key=lambda e: e.number):
        if exhibit.kind != "file":
            continue
        prefix = safe_reference(exhibit.reference, exhibit.number)
        original = names.ascii_name(names.display_name(exhibit.original_name or "", f"exhibit-{exhibit.number}"), f"exhibit-{exhibit.number}")
        stem, dot, ext = original.rpartition(".")
        if not dot:
            stem, ext = original, ""
        ext = f".{ext}" if ext else ""
        room = MAX_EXHIBIT_NAME - len(prefix) - 1 - len(ext)
        stem = stem[: max(room, 8)].rstrip(" .") or "file"
        candidate = f"{prefix}_{stem}{ext}"
        n = 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"_{n}"
            candidate = f"{prefix}_{stem[: max(room - len(suffix), 8)].rstrip(' .')}{suffix}{ext}"
        taken.add(candidate.lower())
        out[exhibit.number] = EXHIBIT_DIR + candidate
    return out


def safe_pdf_name(name: str) -> str:
    clean = names.ascii_name(names.display_name(name or "", "report.pdf"), "report")
    if not clean.lower().endswith(".pdf"):
        clean += ".pdf"
    if clean in RESERVED or clean.startswith(EXHIBIT_DIR):
        clean = "report-" + clean
    return clean


def _options_dict(options: ReportOptions) -> dict[str, Any]:
    data = options.to_dict()
    data.pop("person_contact", None)  # never in the manifest
    data["extra_redactions"] = len(options.extra_redactions)  # how many, never what
    return data


def build_manifest(case: Case, options: ReportOptions, *, pdf_name: str, pdf_sha256: str, pdf_size: int, generated_at: dt.datetime) -> dict[str, Any]:
    """The manifest of a bundle for ``case`` under ``options`` (see the module docstring for the layout)."""
    head = Case.objects.filter(pk=case.pk).values("uuid", "chain_head", "chain_seq").get()
    incidents = list(select_incidents(case, options))
    for incident in incidents:
        incident.case = case
    ids = [i.pk for i in incidents]
    number_of = {i.pk: i.number for i in incidents}
    latest: dict[int, IncidentVersion] = {}
    for v in IncidentVersion.objects.filter(incident_id__in=ids).only("incident_id", "version", "payload_sha256"):
        if v.incident_id not in latest or v.version > latest[v.incident_id].version:
            latest[v.incident_id] = v

    exhibits = select_exhibits(case, options)  # the same rule as the PDF's exhibit index
    file_names = exhibit_file_names(exhibits)
    links: dict[int, list[int]] = {}
    exhibit_refs: dict[int, list[str]] = {}
    reference_of = {e.pk: e.reference for e in exhibits}
    for exhibit_id, incident_id in ExhibitLink.objects.filter(case=case, incident_id__in=ids).values_list("exhibit_id", "incident_id"):
        if exhibit_id in reference_of:
            links.setdefault(exhibit_id, []).append(number_of[incident_id])
            exhibit_refs.setdefault(incident_id, []).append(reference_of[exhibit_id])

    redact = options.redact
    incident_rows = []
    for incident in incidents:
        version = latest.get(incident.pk)
        crime = incident.crime_reference
        incident_rows.append(
            {
                "number": incident.number,
                "occurred_at": ts(incident.occurred_at),
                "time_precision": incident.time_precision,
                "ended_at": ts(incident.ended_at),
                "channel": incident.channel,
                "behaviours": incident.behaviour_codes,
                "description": redact(incident.description),
                "retracted": incident.retracted,
                "retraction_reason": redact(incident.retraction_reason) if incident.retracted else "",
                "reported": incident.reported,
                "reported_on": day(incident.reported_on),
                "crime_reference": {"reference": crime.reference, "force": crime.force} if crime is not None else None,
                "exhibits": sorted(exhibit_refs.get(incident.pk, [])),
                "version": incident.version,
                "chain_ref": incident_ref(incident.number, version.version) if version else None,
                "version_sha256": version.payload_sha256 if version else None,
            }
        )

    events: dict[int, list[ExhibitEvent]] = {}
    for event in ExhibitEvent.objects.filter(exhibit__in=exhibits).order_by("exhibit_id", "seq"):
        events.setdefault(event.exhibit_id, []).append(event)
    exhibit_rows = []
    for exhibit in exhibits:
        history = events.get(exhibit.pk, [])
        continuity = []
        for event in history:
            if event.action not in CONTINUITY_ACTIONS:
                continue
            from evidence.snapshots import event_payload  # noqa: PLC0415

            moved = event_payload(event, case).get("continuity") or {}
            continuity.append(
                {
                    "action": event.action,
                    "happened_on": day(event.happened_on),
                    "recorded_at": ts(event.recorded_at),
                    **{key: redact(moved.get(key) or "") for key in ("to", "officer", "reference", "location", "notes")},
                }
            )
        last = history[-1] if history else None
        is_file = exhibit.kind == "file"
        exhibit_rows.append(
            {
                "number": exhibit.number,
                "reference": exhibit.reference,
                "kind": exhibit.kind,
                "description": redact(exhibit.description),
                "original_name": exhibit.original_name if is_file else None,
                "file": file_names.get(exhibit.number),
                "size": exhibit.size if is_file else None,
                "sha256": exhibit.sha256 if is_file else None,
                "media_type": exhibit.media_type if is_file else None,
                "obtained_on": day(exhibit.obtained_on),
                "obtained_time": exhibit.obtained_time.strftime("%H:%M") if exhibit.obtained_time else None,
                "obtained_where": redact(exhibit.obtained_where),
                "obtained_by": redact(exhibit.obtained_by),
                "custody": exhibit.custody,
                "continuity": continuity,
                "incidents": sorted(links.get(exhibit.pk, [])),
                "event": last.seq if last else None,
                "chain_ref": exhibit_ref(exhibit.number, last.seq) if last else None,
                "event_sha256": last.payload_sha256 if last else None,
            }
        )

    return {
        "schema": SCHEMA,
        "version": VERSION,
        "generated_at": ts(generated_at),
        "case": {"uuid": str(head["uuid"]), "chain_head": head["chain_head"], "chain_seq": head["chain_seq"]},
        "options": _options_dict(options),
        "report": {"file": safe_pdf_name(pdf_name), "sha256": pdf_sha256, "size": pdf_size},
        "incidents": incident_rows,
        "exhibits": exhibit_rows,
    }


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """The exact bytes of ``manifest.json`` (canonical JSON, newline-free): hash these to timestamp the bundle."""
    return canonical_bytes(manifest)
