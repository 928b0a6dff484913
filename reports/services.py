"""Making reports in the background, keeping them until they expire, and handing them over.

The flow: :func:`request_report` checks the options select at least one incident and queues
:func:`reports.tasks.generate_report`; :func:`generate` renders the PDF, builds the manifest, asks the configured
time-stamping authority (if any) for a token over the manifest's SHA-256, and streams the bundle, each sealed into
the storage. Finished files expire after ``DAYBOOK_REPORT_TTL_HOURS`` and are deleted by :func:`sweep_expired`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import record
from cases.models import Case
from kernel import jobs
from reports import files
from reports.chain_kinds import chain_download
from reports.models import Handover, HandoverDownload, Report
from reports.options import ReportOptions, select_incidents

log = logging.getLogger(__name__)


class NothingToReport(Exception):
    """The options select no incidents. ``str()`` is the sentence shown on the form."""


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=int(getattr(settings, "DAYBOOK_REPORT_TTL_HOURS", 7 * 24)))


def handover_max_days() -> int:
    return int(getattr(settings, "DAYBOOK_HANDOVER_MAX_DAYS", 14))


def tsa_url() -> str:
    return str(getattr(settings, "DAYBOOK_TSA_URL", "") or "")


def tsa_ca_file() -> str:
    return str(getattr(settings, "DAYBOOK_TSA_CA_FILE", "") or "")


def check_selection(case: Case, options: ReportOptions) -> int:
    """How many incidents the options select; raises NothingToReport with a clear sentence when none."""
    if not case.incidents.exists():
        raise NothingToReport("There are no incidents in this case yet. Record at least one incident, then make a report.")
    count = select_incidents(case, options).count()
    if count == 0:
        raise NothingToReport("No incidents match these choices. Widen the dates or choose other incidents.")
    return count


def request_report(case: Case, user: Any, options: ReportOptions, *, with_bundle: bool, with_timestamp: bool) -> Report:
    check_selection(case, options)

    with transaction.atomic():
        report = Report(case=case, requested_by=user, with_bundle=with_bundle, with_timestamp=with_timestamp and bool(tsa_url()))
        report.options = options.to_dict()
        report.stage = "Waiting to start"
        report.save()
        record(user, "report.requested", case, f"report {report.short_id}")
    pk = report.pk
    transaction.on_commit(lambda: _enqueue(pk))
    report.refresh_from_db()
    return report


QUEUE_PROBLEM = (
    "The report could not be started, because the background worker's queue cannot be reached just now. "
    "Nothing in your record was changed. Make the report again in a few minutes."
)


def _enqueue(pk: int) -> bool:
    """Queue the report for a worker. When the queue (Redis, or the database) cannot take it, the report is failed with
    a sentence at once instead of the request failing: a report is never left waiting for a job nobody holds."""
    from reports.tasks import generate_report  # noqa: PLC0415

    try:
        generate_report.enqueue(pk)
    except Exception:
        log.exception("could not queue report %s", pk)
        Report.objects.filter(pk=pk, status="queued").update(status="failed", finished_at=timezone.now(), problem=QUEUE_PROBLEM, stage="Stopped")
        return False
    return True


def requeue_if_lost(report: Report, now: dt.datetime | None = None) -> bool:
    """A report still waiting for a worker after ``DAYBOOK_HEALTH_QUEUE_STUCK_AFTER`` seconds is queued once more, and
    again after each such wait: its job may have been lost (a Redis restarted without persistence). A copy of a job
    that was only slow does no harm: the first run claims the report and the other finds it taken (:func:`generate`).
    ``heartbeat_at`` of a waiting report is when it was last queued. True when it was queued again."""
    if report.status != "queued":
        return False
    now = now or timezone.now()
    since = report.heartbeat_at or report.requested_at
    if (now - since).total_seconds() <= float(settings.DAYBOOK_HEALTH_QUEUE_STUCK_AFTER):
        return False
    if not Report.objects.filter(pk=report.pk, status="queued", heartbeat_at=report.heartbeat_at).update(heartbeat_at=now):
        return False  # another page did it meanwhile
    queued = _enqueue(report.pk)
    report.refresh_from_db()
    return queued


# The stages reports.pdf and reports.bundle call, in order, with their share of the work (each counts from 0).
PDF_PHASES = [
    ("Writing the report", 1),
    ("Reading the diary", 2),
    ("Writing the chronology", 14),
    ("Working out the pattern", 5),
    ("Listing the exhibits", 3),
    ("Laying out the pages", 55),
    ("Writing the PDF file", 20),
]
BUNDLE_PHASES = [("Asking the time-stamping authority", 3), ("report", 2), ("exhibits", 90), ("manifest", 5)]
BUNDLE_STAGES = {"report": "Checking the report for the bundle", "exhibits": "Checking the evidence files", "manifest": "Finishing the bundle"}
MAX_ATTEMPTS = 2  # a run whose worker died is started once more, then the report fails with a sentence
RETRY_STAGE = "Starting again: the first try stopped part-way"
DEAD_PROBLEM = (
    "The report stopped part-way twice because the computer making it stopped responding. Nothing in your record was changed. "
    "Make it again; if it stops again, try a shorter period or leave out the evidence bundle."
)


def phases_for(with_bundle: bool) -> list[tuple[str, float]]:
    if not with_bundle:
        return list(PDF_PHASES)
    return [(s, w * 0.4) for s, w in PDF_PHASES] + [(s, w * 0.6) for s, w in BUNDLE_PHASES]


class _Progress:
    """Writes progress to the report row at most a few times a second (the page reads it). Every phase counts
    from zero; :class:`kernel.jobs.Phases` turns them into one percentage that only moves forwards, and a retry
    starts from where the bar already was."""

    def __init__(self, report: Report, attempt: int, interval: float = 0.5, start: int = 0) -> None:
        self.report = report
        self.attempt = attempt
        self.interval = interval
        self.last = 0.0
        self.stage = ""
        self.phases = jobs.Phases(phases_for(report.with_bundle), start=start)

    def __call__(self, stage: str, done: int, total: int) -> None:
        percent = self.phases.update(stage, done, total)
        now = time.monotonic()
        if stage == self.stage and now - self.last < self.interval and done < total:
            return
        self.stage, self.last = stage, now
        label = BUNDLE_STAGES.get(stage, stage)
        self.write(label, percent)

    def write(self, label: str, percent: int) -> None:
        Report.objects.filter(pk=self.report.pk, attempts=self.attempt, status="running").update(
            stage=label[:80], done=percent, total=100, heartbeat_at=timezone.now()
        )


def generate(report: Report) -> Report:
    """Makes the files of one report. Any failure leaves no file behind and a clear sentence on the report.

    The run claims the row (one more attempt); while it works a heartbeat thread stamps the row, so a worker that
    crashes is noticed within a minute (:func:`revive_if_dead`)."""
    from reports.pdf import EmptyReport  # noqa: PLC0415

    case = report.case
    options = ReportOptions.from_dict(report.options or {})
    generated_at = timezone.now().replace(microsecond=0)
    now = timezone.now()
    attempt = report.attempts + 1
    claimed = Report.objects.filter(pk=report.pk, status__in=["queued", "running"], attempts=report.attempts).update(
        status="running",
        attempts=attempt,
        started_at=now,
        heartbeat_at=now,
        generated_at=generated_at,
        stage="Starting" if attempt == 1 else RETRY_STAGE,
        total=100,
    )
    if not claimed:  # another run has it, or it was given up
        report.refresh_from_db()
        return report
    report.generated_at = generated_at
    report.attempts = attempt
    progress = _Progress(report, attempt, start=report.done if report.total == 100 else 0)
    written: list[str] = []
    try:
        with jobs.Heartbeat(Report, report.pk, match={"attempts": attempt, "status": "running"}):
            updates = _make_files(report, case, options, generated_at, progress, written)
        finished = timezone.now()
        updates.update(status="done", finished_at=finished, expires_at=finished + ttl(), stage="Ready", done=100, total=100)
        if not Report.objects.filter(pk=report.pk, attempts=attempt, status="running").update(**updates):
            _forget(report, written)  # given up for dead meanwhile: a newer run owns the report
        else:
            record(report.requested_by, "report.generated", case, f"report {report.short_id}")
    except EmptyReport as exc:
        _fail(report, written, str(exc), attempt=attempt)
    except Exception as exc:
        log.exception("report %s failed", report.pk)
        _fail(report, written, _explain(exc), attempt=attempt)
    report.refresh_from_db()
    return report


def _make_files(report: Report, case: Case, options: ReportOptions, generated_at: dt.datetime, progress: _Progress, written: list[str]) -> dict[str, Any]:
    from reports.pdf import render_pdf  # noqa: PLC0415

    case.refresh_from_db(fields=["chain_head", "chain_seq"])
    progress("Writing the report", 0, 1)
    buffer = io.BytesIO()
    info = render_pdf(case, options, buffer, generated_at=generated_at, progress=progress)
    pdf_bytes = buffer.getvalue()
    del buffer
    pdf = files.seal_bytes(case, report.uuid, "pdf", pdf_bytes)
    written.append(pdf.name)
    updates: dict[str, Any] = {
        "pdf_name": pdf.name,
        "pdf_size": pdf.size,
        "pdf_sha256": pdf.sha256,
        "pages": info.pages,
        "incidents": info.incidents,
        "exhibits": info.exhibits,
        "chain_head": case.chain_head,
        "chain_seq": case.chain_seq,
    }
    if report.with_bundle:
        from reports import bundle as bundle_mod  # noqa: PLC0415
        from reports import manifest as manifest_mod  # noqa: PLC0415

        pdf_name = report.file_name("pdf")
        manifest = manifest_mod.build_manifest(case, options, pdf_name=pdf_name, pdf_sha256=pdf.sha256, pdf_size=pdf.size, generated_at=generated_at)
        manifest_raw = manifest_mod.manifest_bytes(manifest)
        updates["manifest_sha256"] = hashlib.sha256(manifest_raw).hexdigest()
        token = None
        if report.with_timestamp:
            progress("Asking the time-stamping authority", 0, 1)
            token, stamp = _timestamp(hashlib.sha256(manifest_raw).digest())
            updates.update(stamp)
            progress("Asking the time-stamping authority", 1, 1)

        sealed_manifest = files.seal_bytes(case, report.uuid, "manifest", manifest_raw)
        written.append(sealed_manifest.name)
        # The bundle is not stored: it is made once here to fix its SHA-256 and size (and to check every exhibit
        # reads back as sealed), then made again, byte for byte, at each download (stream_bundle).
        digest = hashlib.sha256()
        size = 0
        info = bundle_mod.BundleInfo(manifest_sha256="")
        for piece in bundle_mod.iter_bundle(
            case,
            options,
            pdf_name=pdf_name,
            pdf_chunks=[pdf_bytes],
            pdf_sha256=pdf.sha256,
            pdf_size=pdf.size,
            generated_at=generated_at,
            timestamp_token=token,
            manifest=manifest,
            manifest_raw=manifest_raw,
            progress=progress,
            info=info,
        ):
            digest.update(piece)
            size += len(piece)
        if info.manifest_sha256 != updates["manifest_sha256"]:
            raise RuntimeError("the bundle's manifest differs from the one time-stamped")
        updates.update(bundle_name="", manifest_name=sealed_manifest.name, bundle_size=size, bundle_sha256=digest.hexdigest())
    return updates


UNREACHABLE_PROBLEM = (
    "The file store could not be reached while the report was being made. Nothing in your record was changed. Make the report again in a few minutes."
)
FULL_PROBLEM = "The report could not be written: the file store is full. Nothing in your record was changed. Try again later."


def _storage_fault(exc: BaseException) -> OSError | None:
    """The storage's own failure (unreachable or full) behind ``exc``, if that is what stopped the report."""
    from vault import stream  # noqa: PLC0415

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, stream.BlobError):
            return None  # a damaged file is not the store being away
        if isinstance(current, OSError) and not isinstance(current, FileNotFoundError):
            return current
        current = current.__cause__ or current.__context__
    return None


def _explain(exc: Exception) -> str:
    from vault import store, stream  # noqa: PLC0415

    fault = _storage_fault(exc)
    if fault is not None:
        return FULL_PROBLEM if store.is_out_of_space(fault) or isinstance(exc, store.OutOfSpace) else UNREACHABLE_PROBLEM
    if isinstance(exc, store.OutOfSpace):
        return FULL_PROBLEM
    if isinstance(exc, stream.BlobError) or "sha" in str(exc).lower() or "exhibit" in str(exc).lower():
        text = str(exc)
        return (text if len(text) < 300 else text[:297] + "...") + " Check the case on its integrity page."
    if isinstance(exc, OSError):
        return "The report could not be written: the storage refused it (it may be full). Nothing in your record was changed."
    return f"The report could not be made ({type(exc).__name__}). Nothing in your record was changed. Try again."


def _fail(report: Report, written: list[str], problem: str, attempt: int | None = None) -> None:
    rows = Report.objects.filter(pk=report.pk) if attempt is None else Report.objects.filter(pk=report.pk, attempts=attempt, status="running")
    if not rows.update(status="failed", finished_at=timezone.now(), problem=problem[:400], pdf_name="", bundle_name="", manifest_name="", stage="Stopped"):
        _forget(report, written)
        return
    for name in written:
        files.delete(name)


def _forget(report: Report, written: list[str]) -> None:
    """A run given up for dead finished anyway: delete what it wrote, unless the newer run now holds that name."""
    current = Report.objects.filter(pk=report.pk).values("pdf_name", "bundle_name", "manifest_name").first() or {}
    for name in written:
        if name not in current.values():
            files.delete(name)


def revive_if_dead(report: Report, now: dt.datetime | None = None) -> bool:
    """A running report whose worker stopped (no heartbeat for a minute) is started once more, or failed with a
    sentence after its last attempt. True when it was found dead."""
    if report.status != "running" or not jobs.is_dead(report.heartbeat_at, report.started_at, now):
        return False
    seen = Report.objects.filter(pk=report.pk, status="running", attempts=report.attempts, heartbeat_at=report.heartbeat_at)
    leftovers = [files.storage_name(report.case, report.uuid, what) for what in ("pdf", "bundle", "manifest")]
    if report.attempts < MAX_ATTEMPTS:
        if seen.update(status="queued", stage=RETRY_STAGE, heartbeat_at=None, started_at=None):
            for name in leftovers:
                files.delete(name)
            pk = report.pk
            transaction.on_commit(lambda: _enqueue(pk))
    elif seen.update(status="failed", finished_at=timezone.now(), problem=DEAD_PROBLEM, pdf_name="", bundle_name="", manifest_name="", stage="Stopped"):
        for name in leftovers:
            files.delete(name)
    report.refresh_from_db()
    return True


def _timestamp(digest: bytes) -> tuple[bytes | None, dict[str, Any]]:
    """Asks the configured authority; a failure is recorded on the report and the bundle is made without a token."""
    from reports import timestamp  # noqa: PLC0415

    try:
        token = timestamp.request_timestamp(digest, tsa_url())
        check = timestamp.check_timestamp(token, digest, _ca_path())
    except timestamp.TimestampError as exc:
        return None, {"timestamp_problem": f"No trusted timestamp: {exc}"[:300]}
    if not check.ok:
        return None, {"timestamp_problem": f"The authority's timestamp did not check out: {check.problem}"[:300]}
    return token, {"timestamp_token": token, "timestamp_time": check.gen_time, "timestamp_authority": (check.tsa_name or "")[:300]}


def _ca_path() -> Any:
    from pathlib import Path  # noqa: PLC0415

    return Path(tsa_ca_file()) if tsa_ca_file() else None


# ---------------------------------------------------------------------------------------------- expiry


def delete_files(report: Report, status: str) -> None:
    files.delete(report.pdf_name)
    files.delete(report.bundle_name)
    files.delete(report.manifest_name)
    token = None if status == "deleted" else report.timestamp_token
    Report.objects.filter(pk=report.pk).update(status=status, pdf_name="", bundle_name="", manifest_name="", timestamp_token=token)


def delete_report(report: Report, user: Any) -> None:
    """The report is marked deleted, its links stopped and the deletion audited together; then its files go."""
    with transaction.atomic():
        Report.objects.filter(pk=report.pk).update(status="deleted")
        Handover.objects.filter(report=report, revoked_at__isnull=True).update(revoked_at=timezone.now())
        record(user, "report.deleted", report.case, f"report {report.short_id}")
    delete_files(report, "deleted")


def sweep_expired(now: dt.datetime | None = None, case: Case | None = None) -> int:
    """Deletes the files of every finished report past its expiry, and retries or fails every report whose worker
    died (:func:`revive_if_dead`). Returns how many expired."""
    now = now or timezone.now()
    running = Report.objects.filter(status="running")
    if case is not None:
        running = running.filter(case=case)
    for report in running.select_related("case"):
        revive_if_dead(report, now)
    waiting = Report.objects.filter(status="queued")
    if case is not None:
        waiting = waiting.filter(case=case)
    for report in waiting:
        requeue_if_lost(report, now)
    qs = Report.objects.filter(status="done", expires_at__lte=now)
    if case is not None:
        qs = qs.filter(case=case)
    count = 0
    for report in qs.select_related("case"):
        delete_files(report, "expired")
        count += 1
    _clear_failed_leftovers(now, case)
    return count


def _clear_failed_leftovers(now: dt.datetime, case: Case | None) -> None:
    """A report that failed because the storage was unreachable could not delete what it had written (its PDF, its
    manifest): those files are removed here, once the storage answers again. Only reports failed within the report
    lifetime are looked at, so the work stays bounded; deleting a file that is not there is a no-op."""
    failed = Report.objects.filter(status="failed", finished_at__gte=now - ttl())
    if case is not None:
        failed = failed.filter(case=case)
    for report in failed.select_related("case"):
        for what in ("pdf", "bundle", "manifest"):
            files.delete(files.storage_name(report.case, report.uuid, what))


# ---------------------------------------------------------------------------------------------- hand-over


@dataclass
class NewHandover:
    handover: Handover
    token: str  # shown to the person once; only its hash is kept


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def create_handover(report: Report, user: Any, *, recipient: str, days: int, single_use: bool) -> NewHandover:
    if not report.is_available:
        raise ValueError("This report is no longer available.")
    days = max(1, min(int(days), handover_max_days()))
    expires = min(timezone.now() + dt.timedelta(days=days), report.expires_at or timezone.now() + dt.timedelta(days=days))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        handover = Handover(report=report, token_sha256=token_hash(token), created_by=user, expires_at=expires, single_use=single_use)
        handover.recipient = recipient.strip()[:200]
        handover.save()
        record(user, "report.handover_created", report.case, f"report {report.short_id}")
    return NewHandover(handover, token)


def revoke_handover(handover: Handover, user: Any) -> None:
    if handover.revoked_at is None:
        Handover.objects.filter(pk=handover.pk).update(revoked_at=timezone.now())
        record(user, "report.handover_revoked", handover.report.case, f"report {handover.report.short_id}")


def handover_for(token: str) -> Handover | None:
    """The hand-over for a token, whatever its state (the view says which), or None for an unknown token."""
    if not token or len(token) > 100:
        return None
    return Handover.objects.select_related("report", "report__case").filter(token_sha256=token_hash(token)).first()


def record_download(handover: Handover, what: str, client: dict[str, str]) -> HandoverDownload:
    with transaction.atomic():
        download = HandoverDownload(handover=handover, what=what)
        download.client = client
        download.save()
        chain_download(handover.report.case, download)
        if handover.single_use:
            Handover.objects.filter(pk=handover.pk, used_up_at__isnull=True).update(used_up_at=timezone.now())
        record(None, "report.handover_downloaded", handover.report.case, f"report {handover.report.short_id} {what}", by_owner=False)
    return download


def mark_completed(download_id: int) -> None:
    """Every byte was sent: the row says so, and the case's chain records it (the person's list shows it)."""
    with transaction.atomic():
        download = HandoverDownload.objects.select_related("handover__report__case").get(pk=download_id)
        download.completed = True
        download.save(update_fields=["completed"])
        chain_download(download.handover.report.case, download)


def reader_for(report: Report, what: str) -> Callable[[], Any]:
    """The stored PDF (or a bundle stored by a report made before bundles were streamed)."""
    name = report.pdf_name if what == "pdf" else report.bundle_name
    if not name:
        raise FileNotFoundError(what)
    return lambda: files.open_reader(report.case, report.uuid, what, name)


class BundleUnavailable(Exception):
    """The bundle cannot be made again truthfully. ``str()`` is the sentence for the person."""


def stream_bundle(report: Report) -> tuple[int, Iterator[bytes]]:
    """(size, pieces) of the report's bundle, made from the sealed originals as it is sent.

    Before anything is sent, the manifest fixed when the report was made is read back and checked against its
    SHA-256, and every exhibit it lists is checked to be present and sealed as listed (else BundleUnavailable).
    While sending, every file is re-hashed; a difference stops the stream before the ZIP's central directory, and
    the last piece is held back until the whole bundle's SHA-256 is the one fixed when the report was made, so a
    wrong bundle is never complete (the browser sees fewer bytes than announced and keeps nothing usable)."""
    from reports import bundle as bundle_mod  # noqa: PLC0415
    from vault import stream  # noqa: PLC0415

    case = report.case
    try:
        manifest_raw = b"".join(files.iter_plaintext(case, report.uuid, "manifest", report.manifest_name))
    except (OSError, stream.BlobError) as exc:
        raise BundleUnavailable("The bundle's manifest could not be read back from the storage. Make a new report.") from exc
    if hashlib.sha256(manifest_raw).hexdigest() != report.manifest_sha256:
        raise BundleUnavailable("The bundle's manifest is not the one fixed when the report was made. Make a new report.")
    manifest = json.loads(manifest_raw)
    try:
        bundle_mod.check_sources(case, manifest)
    except bundle_mod.BundleError as exc:
        raise BundleUnavailable(str(exc)) from exc
    token = bytes(report.timestamp_token) if report.timestamp_token else None
    pieces = bundle_mod.iter_bundle(
        case,
        ReportOptions.from_dict(report.options or {}),
        pdf_name=manifest["report"]["file"],
        pdf_chunks=files.iter_plaintext(case, report.uuid, "pdf", report.pdf_name),
        pdf_sha256=report.pdf_sha256,
        pdf_size=report.pdf_size,
        generated_at=report.generated_at or report.requested_at,
        timestamp_token=token,
        manifest=manifest,
        manifest_raw=manifest_raw,
    )
    return report.bundle_size, _checked(report, pieces)


def _checked(report: Report, pieces: Iterator[bytes]) -> Iterator[bytes]:
    digest = hashlib.sha256()
    held: bytes | None = None
    try:
        for piece in pieces:
            if held is not None:
                yield held
            digest.update(piece)
            held = piece
        if digest.hexdigest() != report.bundle_sha256:
            raise RuntimeError("the bundle made now differs from the one fingerprinted when the report was made")
    except Exception as exc:
        problem = _explain(exc) if not isinstance(exc, RuntimeError) else "The evidence bundle could not be made again exactly as it was fingerprinted."
        log.error("report %s: bundle stopped while being sent: %s", report.pk, type(exc).__name__)
        Report.objects.filter(pk=report.pk).update(problem=f"A download of the bundle was stopped: {problem}"[:400])
        return
    if held is not None:
        yield held
