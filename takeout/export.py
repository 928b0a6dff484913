"""Write every case of an account into one ZIP (the layout is in docs/export-format.md).

Everything is streamed: rows are read in chunks and written line by line, evidence files are decrypted segment by
segment straight into the ZIP, so memory stays bounded whatever the size of the case. Every member's SHA-256 is in
the manifest and in SHA256SUMS (``sha256sum -c SHA256SUMS`` checks an export with open tools).
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import Model
from django.utils import timezone

from cases.models import Case
from kernel.canonical import ts
from takeout import rows
from vault import store
from vault.keys import data_key

FORMAT = "daybook.export.v1"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"

# The rows a person can read, opened: "readable/<label>.jsonl" beside the stored rows.
READABLE = [
    "cases.Case",
    "cases.CrimeReference",
    "cases.Order",
    "diary.Incident",
    "diary.IncidentVersion",
    "evidence.Exhibit",
    "evidence.ExhibitEvent",
    "imports.Import",
    "imports.ImportedItem",
    "insights.Screening",
    "circle.TrustedContact",
    "circle.Sighting",
]


class Writer:
    """Adds members to a ZIP and remembers each one's SHA-256 and size."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.files: dict[str, dict[str, Any]] = {}

    def add(self, name: str, pieces: Iterable[bytes], *, stored: bool = False) -> dict[str, Any]:
        """``stored``: written as is (evidence files and PDFs, mostly compressed already); else deflated."""
        digest = hashlib.sha256()
        size = 0
        info = zipfile.ZipInfo(name, date_time=timezone.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        with self.zf.open(info, "w", force_zip64=True) as out:
            for piece in pieces:
                digest.update(piece)
                size += len(piece)
                out.write(piece)
        entry = {"sha256": digest.hexdigest(), "size": size}
        self.files[name] = entry
        return entry


def _readable_rows(part: rows.Part, case: Case) -> Iterator[bytes]:
    queryset = part.rows(case)
    for obj in queryset.iterator(chunk_size=500):
        _attach_case(obj, case)
        row = rows.readable(obj)
        if part.label == "diary.IncidentVersion":
            text = case.get_cipher().open(obj.snapshot_enc, "incidentversion.snapshot")
            row["snapshot"] = json.loads(text) if text else None
        yield rows.line(row)


def _attach_case(obj: Model, case: Case) -> None:
    """Rows open their sealed text with their case's key: give them the case already loaded."""
    for name in ("case", "incident", "exhibit", "job", "contact"):
        field = next((f for f in type(obj)._meta.concrete_fields if f.name == name), None)
        if field is None:
            continue
        if name == "case":
            obj.case = case  # type: ignore[attr-defined]
        else:
            target = getattr(obj, name, None)
            if target is not None and hasattr(target, "case_id"):
                target.case = case


def _shares(case: Case) -> Iterator[bytes]:
    """Who the person shared the case with, what and when (the consent given): to read, not loaded elsewhere."""
    from circle.models import Share  # noqa: PLC0415

    for share in Share.objects.filter(case=case).select_related("organisation").order_by("pk"):
        row = rows.readable(share)
        row.pop("client_id", None)
        row["organisation"] = share.organisation.name
        yield rows.line(row)


def _stored_rows(part: rows.Part, case: Case, counts: dict[str, int]) -> Iterator[bytes]:
    count = 0
    for row in rows.dump(part, case):
        count += 1
        yield rows.line(row)
    counts[part.label] = count


def write_case(writer: Writer, case: Case) -> dict[str, Any]:
    base = f"cases/{case.uuid}/"
    counts: dict[str, int] = {}
    for part in rows.PLAN:
        writer.add(f"{base}rows/{part.label}.jsonl", _stored_rows(part, case, counts))
    for label in READABLE:
        part = rows.part_for(label)
        assert part is not None
        writer.add(f"{base}readable/{label}.jsonl", _readable_rows(part, case))
    writer.add(f"{base}readable/circle.Share.jsonl", _shares(case))
    evidence: dict[str, str] = {}
    problems: list[str] = []
    blob_model = rows.part_for("evidence.Blob")
    assert blob_model is not None
    for blob in blob_model.rows(case):
        name = f"{base}evidence/{blob.uuid}"
        try:
            writer.add(name, store.iter_plaintext(case, blob), stored=True)
        except Exception:  # noqa: BLE001 - a damaged or missing file is reported, the rest still goes out
            writer.files.pop(name, None)
            problems.append(f"The stored file {blob.uuid} could not be read.")
            continue
        evidence[str(blob.uuid)] = name
    reports: dict[str, str] = {}
    from reports import files as report_files  # noqa: PLC0415 - reports sits above the vault; only read here
    from reports.models import Report  # noqa: PLC0415

    for report in Report.objects.filter(case=case).exclude(pdf_name="").order_by("pk"):
        name = f"{base}reports/{report.uuid}.pdf"
        try:
            writer.add(name, report_files.iter_plaintext(case, report.uuid, "pdf", report.pdf_name), stored=True)
        except Exception:  # noqa: BLE001
            writer.files.pop(name, None)
            problems.append(f"The report {report.uuid} could not be read.")
            continue
        reports[str(report.uuid)] = name
    return {
        "uuid": str(case.uuid),
        "label": case.label,
        "data_key": base64.b64encode(data_key(case)).decode("ascii"),
        "chain_seq": case.chain_seq,
        "chain_head": case.chain_head,
        "rows": counts,
        "evidence": evidence,
        "reports": reports,
        "problems": problems,
    }


def write_export(owner: Any, target: IO[bytes]) -> dict[str, Any]:
    """Write the export of every case ``owner`` owns into ``target`` (a file open for writing). Returns the manifest."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        writer = Writer(zf)
        cases = [write_case(writer, case) for case in Case.objects.filter(owner=owner).order_by("pk")]
        manifest = {
            "format": FORMAT,
            "created_at": ts(timezone.now()),
            "cases": cases,
            "files": dict(sorted(writer.files.items())),
        }
        raw = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
        zf.writestr(MANIFEST, raw)
        sums = [f"{entry['sha256']}  {name}\n" for name, entry in sorted(writer.files.items())]
        sums.append(f"{hashlib.sha256(raw).hexdigest()}  {MANIFEST}\n")
        zf.writestr(SUMS, "".join(sums).encode("utf-8"))
    return manifest
