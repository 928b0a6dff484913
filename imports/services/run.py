"""The import itself (a background task): phases A (store), B (bursts) and C (day incidents and media).

If anything fails, phase C rolls back as a whole, the items of phase A are deleted, files written for media are
removed, and the import is marked failed with a sentence that says what was wrong and where. The export exhibit is
never changed.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import record as audit
from imports.chain_kinds import chain_items
from imports.errors import ImportRefused
from imports.models import Import
from imports.records import ImportFormatError
from imports.services.bursts import mark_bursts
from imports.services.days import write_days
from imports.services.flow import fail
from imports.services.media import import_media
from imports.services.reading import MAX_WARNINGS
from imports.services.stats import Stats
from imports.services.store import delete_items, store_items
from vault import store

log = logging.getLogger(__name__)

NOTHING_IMPORTED = "Nothing from this file was imported; the file itself is kept, sealed, in your evidence."


def run(job: Import, user: Any | None = None) -> Import:
    """Import the records (see the module docstring). Safe to call for a queued job only."""
    job = Import.objects.select_related("case", "exhibit", "exhibit__original").get(pk=job.pk)
    if job.status != "queued":
        return job
    user = user or job.created_by
    case = job.case
    restart = {} if job.attempts > 1 else {"records_read": 0}  # a run started again keeps the progress shown
    Import.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now(), **restart)
    job.status = "running"
    stats = Stats()
    warnings = list(job.warnings or [])
    media_blobs: list[Any] = []
    try:
        days, pending_media = store_items(job, stats, warnings)
        mark_bursts(case, days, stats)
        with transaction.atomic():
            by_day = write_days(job, user, days, stats)
            if pending_media:
                import_media(job, user, pending_media, by_day, stats, warnings, media_blobs)
            job.status = "done"
            job.phase = ""
            found = {k: v for k, v in (job.stats or {}).items() if k.startswith("found_")}  # what the scan said: kept
            job.stats = {**found, **stats.as_dict()}
            job.warnings = warnings[: MAX_WARNINGS * 2]
            job.records_read = job.records_total = max(job.records_total, Import.objects.get(pk=job.pk).records_read)
            job.finished_at = timezone.now()
            job.save()
            chain_items(case, job, "done")
        audit(user, "import.done", case, f"import {job.pk}: {stats.messages} messages, {stats.calls} calls")
        return job
    except Exception as exc:
        _cleanup_failed(job, media_blobs)
        if isinstance(exc, ImportFormatError):
            message = f"The import stopped because part of the file could not be read: {exc}. {NOTHING_IMPORTED}"
        elif isinstance(exc, ImportRefused):
            message = f"{exc} Nothing from this file was imported."
        else:
            log.exception("import %s failed", job.pk)
            message = f"The import could not finish ({type(exc).__name__}). {NOTHING_IMPORTED} Try again, or tell whoever runs Daybook."
        job.stats = {}
        fail(job, message, "import")
        audit(user, "import.failed", case, f"import {job.pk}")
        return job


def _cleanup_failed(job: Import, media_blobs: list[Any]) -> None:
    """Remove everything a failed run stored: its items (phase A) and any media files written (phase C rolled back)."""
    delete_items(job)
    for blob in media_blobs:
        store.delete_quietly(blob.name)
