"""The evidence bundle: one ZIP, written as a stream, that a person can hand to the police.

Layout (in this order; every path relative, ASCII)::

    <report>.pdf                     the report (from reports.pdf)
    exhibits/<REF>_<name>            each original exhibit file, decrypted to its original bytes
    manifest.json                    canonical JSON: incidents, exhibits, hashes (reports/manifest.py)
    manifest.json.tsr                optional RFC 3161 time-stamp response over SHA-256(manifest.json)
    README.txt                       how to check the bundle with standard tools
    SHA256SUMS                       "<sha256>  <path>" for every other file, as ``sha256sum -c`` reads it

The ZIP is written to ``out`` without seeking (data descriptors after each entry, ZIP64 where needed), so ``out``
may be a pipe, a socket or an upload stream, and no file is ever held in memory: exhibits pass through one sealed
segment (1 MiB) at a time. Each exhibit is re-hashed as it is written and compared with the SHA-256 sealed when it
was added; a difference (or a damaged or missing stored file) raises :class:`BundleError` naming the exhibit and the
output is left without its central directory, so it cannot be opened as a ZIP and must be thrown away.

To timestamp: build the manifest first (``build_manifest`` then ``manifest_bytes``), timestamp its SHA-256, then
call :func:`write_bundle` with the same ``manifest`` and the ``timestamp_token``.

Reports keep no copy of the bundle: the manifest (and token) are fixed when the report is made, and
:func:`iter_bundle` makes the same bytes again at each download from the sealed originals (every entry is stored
uncompressed, so the bytes, and so the bundle's SHA-256 shown to the person, never depend on a compressor).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from cases.models import Case
from evidence.models import Exhibit
from reports import manifest as mf
from reports.options import ReportOptions
from vault import store, stream

Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 64 << 20  # report progress at least every 64 MiB within a large exhibit
PIECE = 1 << 20  # the generator hands on about this much at a time


class BundleError(Exception):
    """The bundle could not be written truthfully (an exhibit differs from what was sealed, a file is missing...)."""


@dataclass
class BundleInfo:
    manifest_sha256: str
    files: list[tuple[str, int, str]] = field(default_factory=list)  # (path in the bundle, size, sha256)
    bytes_written: int = 0


class _Sink:
    """Collects what zipfile writes so the generator can hand it on; having no ``tell``/``seek`` makes zipfile
    stream (data descriptors after each entry). After a failure nothing more is kept: no central directory."""

    def __init__(self) -> None:
        self.pending = bytearray()
        self.count = 0
        self.abandoned = False

    def write(self, data: bytes) -> int:
        if not self.abandoned:
            self.pending += data
            self.count += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        out = bytes(self.pending)
        self.pending.clear()
        return out


def _zip_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    from django.utils import timezone  # noqa: PLC0415

    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    local = max(local, local.replace(year=1980, month=1, day=1, hour=0, minute=0, second=0, microsecond=0))
    return (local.year, local.month, local.day, local.hour, local.minute, local.second)


def readme_text(manifest: dict[str, Any], manifest_sha256: str, timestamped: bool) -> str:
    report = manifest["report"]["file"]
    files = sum(1 for e in manifest["exhibits"] if e.get("file"))
    lines = [
        "Daybook evidence bundle",
        "=======================",
        "",
        f"Made: {manifest['generated_at']} (UTC)",
        f"Report: {report}",
        f"Exhibit files: {files} (in the exhibits folder, exactly as they were added, named by exhibit reference)",
        f"Incidents listed: {len(manifest['incidents'])}",
        f"SHA-256 of manifest.json: {manifest_sha256}",
        f"Case hash-chain head: {manifest['case']['chain_head']} (entry {manifest['case']['chain_seq']})",
        "",
        "What is in it",
        "-------------",
        f"{report}: the incident log and evidence summary.",
        "exhibits/: the original files. Their SHA-256 fingerprints are in the report's exhibit index and in manifest.json.",
        "manifest.json: a machine-readable list of the incidents and exhibits with their SHA-256 fingerprints.",
    ]
    if timestamped:
        lines.append("manifest.json.tsr: an RFC 3161 trusted timestamp of manifest.json from an independent time-stamping authority.")
    lines += [
        "SHA256SUMS: the SHA-256 of every other file in this bundle.",
        "",
        "How to check it has not been changed",
        "------------------------------------",
        "Unzip the bundle, then in the unzipped folder run:",
        "",
        "    sha256sum -c SHA256SUMS",
        "",
        "Every line must say OK. (On macOS: shasum -a 256 -c SHA256SUMS. On Windows PowerShell, compare",
        "Get-FileHash -Algorithm SHA256 <file> with the line for that file.)",
        "",
    ]
    if timestamped:
        lines += [
            "To check the trusted timestamp (it proves manifest.json existed, unchanged, at the time it shows),",
            "with the time-stamping authority's CA certificate (ask the sender which authority was used):",
            "",
            "    openssl ts -verify -data manifest.json -in manifest.json.tsr -CAfile <TSA CA certificate>",
            "",
            "It must say: Verification: OK. To see the time: openssl ts -reply -in manifest.json.tsr -text",
            "",
        ]
    lines += [
        "With Daybook itself, without unzipping (checks every fingerprint, the manifest and the timestamp):",
        "",
        "    python manage.py verify_bundle <bundle.zip> [--tsa-ca <TSA CA certificate>]",
        "",
        "The SHA-256 of manifest.json above can also be compared with the one the sender gives you separately.",
        "",
    ]
    return "\n".join(lines)


def _sums_text(files: list[tuple[str, int, str]]) -> str:
    return "".join(f"{sha}  {name}\n" for name, _size, sha in files)


def _exhibit_chunks(case: Case, exhibit: Exhibit) -> Iterator[bytes]:
    blob = exhibit.original
    label = f"Exhibit {exhibit.reference}"
    if blob is None or blob.status != "complete":
        raise BundleError(f"{label}: its stored file was never completely written, so it cannot go in the bundle.")
    try:
        yield from store.iter_plaintext(case, blob)
    except stream.BlobError as exc:
        raise BundleError(f"{label}: its stored file has been altered or damaged ({exc}). The bundle was not finished.") from exc
    except FileNotFoundError as exc:
        raise BundleError(f"{label}: its stored file is missing. The bundle was not finished.") from exc
    except OSError as exc:
        raise BundleError(f"{label}: its stored file could not be read ({exc.strerror or exc}). The bundle was not finished.") from exc


def write_bundle(
    case: Case,
    options: ReportOptions,
    out: BinaryIO,
    *,
    pdf_name: str,
    pdf_chunks: Iterable[bytes],
    pdf_sha256: str,
    pdf_size: int,
    generated_at: dt.datetime,
    timestamp_token: bytes | None = None,
    progress: Progress | None = None,
    manifest: dict[str, Any] | None = None,
) -> BundleInfo:
    """Stream the bundle into ``out`` (any object with ``write``; it is never sought or read). See :func:`iter_bundle`."""
    info = BundleInfo(manifest_sha256="")
    for piece in iter_bundle(
        case,
        options,
        pdf_name=pdf_name,
        pdf_chunks=pdf_chunks,
        pdf_sha256=pdf_sha256,
        pdf_size=pdf_size,
        generated_at=generated_at,
        timestamp_token=timestamp_token,
        progress=progress,
        manifest=manifest,
        info=info,
    ):
        out.write(piece)
    flush = getattr(out, "flush", None)
    if flush:
        flush()
    return info


def check_sources(case: Case, manifest: dict[str, Any]) -> None:
    """Before a bundle is streamed: every exhibit the manifest lists is still in the case, sealed with the same
    fingerprint and size, and its stored file is complete and present. Raises :class:`BundleError` with a sentence.
    (The bytes themselves are re-hashed as they are streamed.)"""
    rows = [row for row in manifest.get("exhibits") or [] if row.get("file")]
    by_number = {e.number: e for e in Exhibit.objects.filter(case=case, number__in=[r["number"] for r in rows]).select_related("original")}
    for row in rows:
        exhibit = by_number.get(row["number"])
        if exhibit is None:
            raise BundleError(f"Exhibit {row['reference']} is no longer in the case, so this bundle cannot be made again. Make a new report.")
        if exhibit.sha256 != row["sha256"] or exhibit.size != row["size"]:
            raise BundleError(
                f"Exhibit {row['reference']}: its sealed fingerprint differs from the one in the bundle's manifest. Check the case on its integrity page."
            )
        blob = exhibit.original
        if blob is None or blob.status != "complete" or not store.storage().exists(blob.name):
            raise BundleError(f"Exhibit {row['reference']}: its stored file is missing, so the bundle cannot be made. Check the case on its integrity page.")


def iter_bundle(
    case: Case,
    options: ReportOptions,
    *,
    pdf_name: str,
    pdf_chunks: Iterable[bytes],
    pdf_sha256: str,
    pdf_size: int,
    generated_at: dt.datetime,
    timestamp_token: bytes | None = None,
    progress: Progress | None = None,
    manifest: dict[str, Any] | None = None,
    manifest_raw: bytes | None = None,
    info: BundleInfo | None = None,
) -> Iterator[bytes]:
    """The bundle's bytes, in pieces of about 1 MiB, made as they are asked for (nothing is stored).

    ``manifest``: the manifest already built (and timestamped) for this bundle; built here when not given.
    ``manifest_raw``: its exact bytes as fixed when the report was made (else ``manifest_bytes(manifest)``).
    ``info``: filled in as the bundle is made (the manifest's SHA-256, each file, the bytes written).
    ``progress(stage, done, total)``: stage is "report", "exhibits", "manifest" or "done"; done/total count the
    bytes of the report and exhibit files. Every entry is stored uncompressed, so the same manifest and sources
    always give the same bytes (the bundle's SHA-256 is fixed when the report is made)."""
    if manifest is None:
        manifest = mf.build_manifest(case, options, pdf_name=pdf_name, pdf_sha256=pdf_sha256, pdf_size=pdf_size, generated_at=generated_at)
    if manifest_raw is None:
        manifest_raw = mf.manifest_bytes(manifest)
    manifest_sha = hashlib.sha256(manifest_raw).hexdigest()
    info = info if info is not None else BundleInfo(manifest_sha256="")
    info.manifest_sha256 = manifest_sha
    if timestamp_token is not None:
        from reports.timestamp import imprint_of  # noqa: PLC0415

        if imprint_of(timestamp_token) != bytes.fromhex(manifest_sha):
            raise BundleError("The trusted timestamp is not for this manifest: build the manifest once, timestamp it, then pass the same manifest.")
    report = manifest["report"]
    if report["sha256"] != pdf_sha256 or report["size"] != pdf_size:
        raise BundleError("The manifest describes a different report from the one given.")
    rows = [row for row in manifest["exhibits"] if row.get("file")]
    by_number = {e.number: e for e in Exhibit.objects.filter(case=case, number__in=[r["number"] for r in rows]).select_related("original")}
    total = pdf_size + sum(int(r["size"] or 0) for r in rows)
    done = 0

    def tell(stage: str) -> None:
        if progress is not None:
            progress(stage, done, total)

    sink = _Sink()
    when = _zip_time(generated_at)
    files = info.files

    archive = zipfile.ZipFile(sink, "w", allowZip64=True)  # type: ignore[arg-type]
    try:

        def add(name: str, chunks: Iterable[bytes], *, size: int | None, stage: str, result: list[tuple[int, str]]) -> Iterator[bytes]:
            nonlocal done
            entry_info = zipfile.ZipInfo(name, date_time=when)
            entry_info.compress_type = zipfile.ZIP_STORED
            entry_info.external_attr = 0o644 << 16
            if size is not None:
                entry_info.file_size = size
            digest = hashlib.sha256()
            count = 0
            next_report = PROGRESS_EVERY
            with archive.open(entry_info, "w", force_zip64=size is None or size >= (1 << 31)) as entry:
                for chunk in chunks:
                    if not chunk:
                        continue
                    digest.update(chunk)
                    entry.write(chunk)
                    count += len(chunk)
                    if len(sink.pending) >= PIECE:
                        yield sink.take()
                    if stage != "manifest":
                        done += len(chunk)
                        if count >= next_report:
                            tell(stage)
                            next_report += PROGRESS_EVERY
            sha = digest.hexdigest()
            files.append((name, count, sha))
            result.append((count, sha))
            yield sink.take()

        tell("report")
        got: list[tuple[int, str]] = []
        yield from add(report["file"], pdf_chunks, size=pdf_size, stage="report", result=got)
        size, sha = got[-1]
        if sha != pdf_sha256 or size != pdf_size:
            raise BundleError(f"The report given ({size} bytes, SHA-256 {sha}) is not the one described ({pdf_size} bytes, SHA-256 {pdf_sha256}).")

        tell("exhibits")
        for row in rows:
            exhibit = by_number.get(row["number"])
            if exhibit is None:
                raise BundleError(f"Exhibit {row['reference']} is no longer in the case. The bundle was not finished.")
            exhibit.case = case
            if exhibit.sha256 != row["sha256"] or exhibit.size != row["size"]:
                raise BundleError(f"Exhibit {row['reference']}: its sealed fingerprint differs from the manifest. The bundle was not finished.")
            yield from add(row["file"], _exhibit_chunks(case, exhibit), size=row["size"], stage="exhibits", result=got)
            size, sha = got[-1]
            if sha != row["sha256"] or size != row["size"]:
                raise BundleError(
                    f"Exhibit {row['reference']}: the stored file no longer matches the SHA-256 fingerprint sealed when it was added "
                    f"(sealed {row['sha256']}, now {sha}). The bundle was not finished."
                )
            tell("exhibits")

        tell("manifest")
        yield from add(mf.MANIFEST_NAME, [manifest_raw], size=len(manifest_raw), stage="manifest", result=got)
        if timestamp_token is not None:
            yield from add(mf.TIMESTAMP_NAME, [timestamp_token], size=len(timestamp_token), stage="manifest", result=got)
        readme = readme_text(manifest, manifest_sha, timestamp_token is not None).encode("utf-8")
        yield from add(mf.README_NAME, [readme], size=len(readme), stage="manifest", result=got)
        sums = _sums_text(list(files)).encode("ascii")
        sums_info = zipfile.ZipInfo(mf.SUMS_NAME, date_time=when)
        sums_info.compress_type = zipfile.ZIP_STORED
        sums_info.external_attr = 0o644 << 16
        archive.writestr(sums_info, sums)
    except BaseException:
        sink.abandoned = True
        try:
            archive.close()
        except Exception:  # noqa: BLE001, S110 (already failing: the original error is the one to raise)
            pass
        raise
    archive.close()
    info.bytes_written = sink.count
    yield sink.take()
    tell("done")
