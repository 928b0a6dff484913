"""The person's data: ask for an export, make it (in the worker), read it back; each write one transaction with its
audit row."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record
from kernel import crypto
from takeout.export import write_export
from takeout.models import Export, Load
from vault import store, stream

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

    transaction.on_commit(lambda: make_export.enqueue(export.pk))
    return export


def make(export: Export) -> Export:
    """Write the ZIP to a temporary file, then seal it into the storage with a key of its own."""
    if not Export.objects.filter(pk=export.pk, status__in=["queued", "running"]).update(status="running"):
        return export
    name = f"takeout/{export.uuid}.dbe"
    try:
        with tempfile.TemporaryFile() as tmp:
            manifest = write_export(export.owner, tmp)
            tmp.seek(0)
            key = crypto.new_data_key()
            export.wrapped_key = crypto.wrap_key(key, f"takeout:{export.uuid}")
            sealing = stream.SealingStream(key, context(export), iter(lambda: tmp.read(1 << 20), b""), name=name)
            saved = store.save_sealed(name, sealing)
    except Exception:
        Export.objects.filter(pk=export.pk).update(status="failed", problem=FAILED, finished_at=timezone.now())
        export.refresh_from_db()
        raise
    now = timezone.now()
    Export.objects.filter(pk=export.pk).update(
        status="ready",
        finished_at=now,
        expires_at=now + dt.timedelta(hours=settings.DAYBOOK_EXPORT_TTL_HOURS),
        wrapped_key=export.wrapped_key,
        file_name=saved,
        size=sealing.size,
        sha256=sealing.sha256,
        cases=len(manifest["cases"]),
    )
    export.refresh_from_db()
    return export


def read(export: Export) -> Iterator[bytes]:
    """The ZIP's bytes, decrypted segment by segment."""
    with store.storage().open(export.file_name, "rb") as handle:
        yield from stream.decrypt_stream(_key(export), context(export), handle)


def downloaded(owner: Any, export: Export) -> None:
    record(owner, AuditAction.TAKEOUT_DOWNLOADED, None, f"export {export.uuid}")


def sweep_expired() -> int:
    """Remove exports past their time (the file, then the key), and uploads a dead worker left for a day."""
    for job in Load.objects.filter(status__in=["queued", "running"], requested_at__lt=timezone.now() - dt.timedelta(days=1)).exclude(file_name=""):
        store.delete_quietly(job.file_name)
        Load.objects.filter(pk=job.pk).update(status="failed", file_name="", wrapped_key=b"", problems=[LOAD_FAILED], finished_at=timezone.now())
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

    transaction.on_commit(lambda: load_upload.enqueue(job.pk))
    return job


def run_load(job: Load) -> Load:
    """Decrypt the sealed upload into a temporary file (a ZIP must be seekable), load it, keep the outcome, and
    remove the upload whatever happened."""
    from takeout.load import LoadRefused, load_export  # noqa: PLC0415 - load imports this module's neighbours

    if not Load.objects.filter(pk=job.pk, status__in=["queued", "running"]).update(status="running"):
        return job
    key = crypto.unwrap_key(bytes(job.wrapped_key), f"takeout-load:{job.uuid}")
    values: dict[str, Any] = {}
    try:
        with tempfile.TemporaryFile() as tmp:
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
