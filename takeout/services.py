"""The person's data: ask for an export, make it (in the worker), read it back; each write one transaction with its
audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from kernel import crypto, jobs
from takeout.export import write_export
from takeout.models import Export, Load
from vault import store, stream

log = logging.getLogger(__name__)

FAILED = "Your copy could not be made. Nothing was lost: please ask for it again."


def context(export: Export) -> bytes:
    return f"daybook.takeout.v1:{export.uuid}".encode("ascii")


def _key(export: Export) -> bytes:
    return crypto.unwrap_key(bytes(export.wrapped_key), f"takeout:{export.uuid}")


def request_export(owner: Any) -> Export:
    """Queue an export of every case of ``owner``; one at a time (a waiting or running one is returned)."""
    with transaction.atomic():
        current = Export.objects.filter(owner=owner, status__in=["queued", "running"]).first()
        if current is not None:
            return current
        export = Export.objects.create(owner=owner)
        record(owner, AuditAction.TAKEOUT_REQUESTED, None, f"export {export.uuid}")
    from takeout.tasks import make_export  # noqa: PLC0415 - the task module imports this one

    # A queue that cannot be reached just now is no error for the person: the copy waits, and its page queues it
    # again once the queue is back (keep_going).
    transaction.on_commit(lambda: _enqueue_quietly(make_export, export.pk))
    return export


def _claim(model: Any, job: Any) -> bool:
    """The worker takes a waiting job: one more attempt, a first heartbeat. False when another run already has it."""
    attempt = job.attempts + 1
    now = timezone.now()
    if not model.objects.filter(pk=job.pk, status="queued", attempts=job.attempts).update(status="running", attempts=attempt, heartbeat_at=now):
        return False
    job.status, job.attempts, job.heartbeat_at = "running", attempt, now
    return True


def make(export: Export) -> Export:
    """Write the ZIP to a temporary file, then seal it into the storage with a key of its own."""
    if not _claim(Export, export):
        return export
    name = f"takeout/{export.uuid}.dbe"
    mine = Export.objects.filter(pk=export.pk, status="running", attempts=export.attempts)  # a run given up for dead changes nothing
    try:
        with jobs.Heartbeat(Export, export.pk, match={"status": "running", "attempts": export.attempts}), tempfile.TemporaryFile() as tmp:
            manifest = write_export(export.owner, tmp)
            tmp.seek(0)
            key = crypto.new_data_key()
            export.wrapped_key = crypto.wrap_key(key, f"takeout:{export.uuid}")
            sealing = stream.SealingStream(key, context(export), iter(lambda: tmp.read(1 << 20), b""), name=name)
            saved = store.save_sealed(name, sealing)
    except Exception:
        mine.update(status="failed", problem=FAILED, finished_at=timezone.now())
        export.refresh_from_db()
        raise
    now = timezone.now()
    if not mine.update(
        status="ready",
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.DAYBOOK_EXPORT_TTL_HOURS),
        wrapped_key=export.wrapped_key,
        file_name=saved,
        size=sealing.size,
        sha256=sealing.sha256,
        cases=len(manifest["cases"]),
    ):
        store.delete_quietly(saved)  # this run was given up for dead and another made (or is making) the copy
    export.refresh_from_db()
    return export


MAX_ATTEMPTS = 2  # a job whose worker died is run once more, then fails with its sentence


def keep_going(job: Export | Load, now: dt.datetime | None = None) -> bool:
    """What a page showing an export or a load calls (and the hourly sweep): a run whose worker died is queued once
    more, or failed with its sentence after a second death; a job still waiting long after it was queued is queued
    again (its queue entry may have been lost: kernel.jobs). True when something was done."""
    from takeout.tasks import load_upload, make_export  # noqa: PLC0415 - the task module imports this one

    model, task, kind = (Export, make_export, "export") if isinstance(job, Export) else (Load, load_upload, "load")
    pk = job.pk
    if job.status == "queued":
        return jobs.requeue_if_lost(kind, pk, job.heartbeat_at or job.requested_at, lambda: task.enqueue(pk), now)
    if job.status != "running" or not jobs.is_dead(job.heartbeat_at, job.requested_at, now):
        return False
    seen = model.objects.filter(pk=pk, status="running", attempts=job.attempts, heartbeat_at=job.heartbeat_at)
    if job.attempts < MAX_ATTEMPTS:
        if seen.update(status="queued", heartbeat_at=now or timezone.now()):  # heartbeat of a waiting job: when it was queued
            transaction.on_commit(lambda: _enqueue_quietly(task, pk))
    elif isinstance(job, Export):
        seen.update(status="failed", problem=FAILED, finished_at=timezone.now())
    elif seen.update(status="failed", file_name="", wrapped_key=b"", problems=[LOAD_FAILED], finished_at=timezone.now()):
        store.delete_quietly(job.file_name)
    job.refresh_from_db()
    return True


def _enqueue_quietly(task: Any, pk: int) -> None:
    try:
        task.enqueue(pk)
    except Exception:  # noqa: BLE001 (the job waits; its page queues it again once the queue is back: keep_going)
        log.exception("could not queue %s %s", task.name, pk)


def read(export: Export) -> Iterator[bytes]:
    """The ZIP's bytes, decrypted segment by segment."""
    with store.storage().open(export.file_name, "rb") as handle:
        yield from stream.decrypt_stream(_key(export), context(export), handle)


def downloaded(owner: Any, export: Export) -> None:
    record(owner, AuditAction.TAKEOUT_DOWNLOADED, None, f"export {export.uuid}")


def sweep_expired() -> int:
    """Remove exports past their time (the file, then the key), and uploads a dead worker left for a day; start again
    (or fail) every export and load whose worker died or whose queued job was lost (:func:`keep_going`)."""
    for job in Load.objects.filter(status__in=["queued", "running"], requested_at__lt=timezone.now() - dt.timedelta(days=1)).exclude(file_name=""):
        store.delete_quietly(job.file_name)
        Load.objects.filter(pk=job.pk).update(status="failed", file_name="", wrapped_key=b"", problems=[LOAD_FAILED], finished_at=timezone.now())
    for waiting in [*Export.objects.filter(status__in=["queued", "running"]), *Load.objects.filter(status__in=["queued", "running"])]:
        keep_going(waiting)
    count = 0
    for export in Export.objects.filter(status="ready", expires_at__lt=timezone.now()):
        store.delete_quietly(export.file_name)
        Export.objects.filter(pk=export.pk).update(status="expired", file_name="", wrapped_key=b"")
        count += 1
    return count


def sha256_of(pieces: Iterator[bytes]) -> str:
    digest = hashlib.sha256()
    for piece in pieces:
        digest.update(piece)
    return digest.hexdigest()


# --- Loading an export in the background --------------------------------------------------------------------------

LOAD_FAILED = "This file could not be loaded. Nothing was changed: please try again."


def load_context(job: Load) -> bytes:
    return f"daybook.takeout-load.v1:{job.uuid}".encode("ascii")


def request_load(owner: Any, chunks: Iterable[bytes]) -> Load:
    """Seal the uploaded file into the storage (its own key) and queue its loading."""
    job = Load(owner=owner)
    key = crypto.new_data_key()
    job.wrapped_key = crypto.wrap_key(key, f"takeout-load:{job.uuid}")
    name = f"takeout/load-{job.uuid}.dbe"
    sealing = stream.SealingStream(key, load_context(job), chunks, name=name)
    job.file_name = store.save_sealed(name, sealing)
    with transaction.atomic():
        job.save()
    from takeout.tasks import load_upload  # noqa: PLC0415

    transaction.on_commit(lambda: _enqueue_quietly(load_upload, job.pk))
    return job


def run_load(job: Load) -> Load:
    """Decrypt the sealed upload into a temporary file (a ZIP must be seekable), load it, keep the outcome, and
    remove the upload whatever happened."""
    from takeout.load import LoadRefused, load_export  # noqa: PLC0415 - load imports this module's neighbours

    if not _claim(Load, job):
        return job
    key = crypto.unwrap_key(bytes(job.wrapped_key), f"takeout-load:{job.uuid}")
    values: dict[str, Any] = {}
    try:
        # A run started again after a dead worker is safe: each case is loaded in one transaction, and a case already
        # here is counted as "already", not loaded twice.
        with jobs.Heartbeat(Load, job.pk, match={"status": "running", "attempts": job.attempts}), tempfile.TemporaryFile() as tmp:
            with store.storage().open(job.file_name, "rb") as handle:
                for piece in stream.decrypt_stream(key, load_context(job), handle):
                    tmp.write(piece)
            tmp.seek(0)
            outcome = load_export(tmp, job.owner)
        values = {"status": "done", "loaded": outcome.loaded, "already": outcome.already}
    except LoadRefused as exc:
        values = {"status": "refused", "problems": exc.problems}
    except Exception:
        values = {"status": "failed", "problems": [LOAD_FAILED]}
        raise
    finally:
        store.delete_quietly(job.file_name)
        Load.objects.filter(pk=job.pk).update(finished_at=timezone.now(), file_name="", wrapped_key=b"", **values)
        job.refresh_from_db()
    return job
