"""Background work for the evidence locker (django-tasks; the database worker runs it beside the server).

Writers queue work through :func:`enqueue_processing` (as imports.tasks does); nothing here imports the writers."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from cases.models import Case
from evidence import filecheck, previews, snapshots, sweep
from evidence.models import Blob, Exhibit
from kernel import jobs
from vault import store

log = logging.getLogger(__name__)


@task()
def process_exhibit(exhibit_id: int) -> str:
    """After a file is sealed: read the blob back (every tag checked, both hashes taken), then make its preview."""
    exhibit = Exhibit.objects.select_related("case", "original").filter(pk=exhibit_id, kind="file").first()
    if exhibit is None:
        return "gone"
    state = snapshots.exhibit_state(exhibit)
    check = filecheck.check_file(exhibit.case, exhibit, state["file"] or {})
    if not check.ok:
        log.error("read-back of exhibit %s failed: %s", exhibit.pk, check.problem)
    return make_preview(exhibit)


def enqueue_processing(exhibit: Exhibit) -> None:
    """Queue :func:`process_exhibit` for a just-sealed file. The exhibit is safe without it: a preview can be made later."""
    try:
        process_exhibit.enqueue(exhibit.pk)
    except Exception:
        log.exception("could not queue processing of exhibit %s", exhibit.pk)


def requeue_if_lost(exhibit: Exhibit) -> bool:
    """A file whose read-back and preview are still waiting long after it was sealed: its job may have been lost
    (kernel.jobs). A second copy only checks the file again and makes the same preview."""
    if exhibit.kind != "file" or exhibit.preview_status != "pending":
        return False
    pk = exhibit.pk
    return jobs.requeue_if_lost("exhibit-processing", pk, exhibit.created_at, lambda: process_exhibit.enqueue(pk))


def make_preview(exhibit: Exhibit) -> str:
    case: Case = exhibit.case
    try:
        jpeg = previews.render(case, exhibit)
    except previews.NoPreview as reason:
        Exhibit.objects.filter(pk=exhibit.pk).update(preview_status=reason.status, preview_note=str(reason)[:200])
        return reason.status
    except Exception:
        log.exception("preview of exhibit %s failed", exhibit.pk)
        Exhibit.objects.filter(pk=exhibit.pk).update(preview_status="failed", preview_note="The preview could not be made. The original is safe.")
        return "failed"
    try:
        blob, _sha = store.write_blob(case, Blob(case=case, purpose="preview"), [jpeg])
    except store.OutOfSpace:
        Exhibit.objects.filter(pk=exhibit.pk).update(preview_status="failed", preview_note="The server is out of space, so no preview was made.")
        return "failed"
    with transaction.atomic():
        old = Exhibit.objects.select_for_update().filter(pk=exhibit.pk).values_list("preview_id", flat=True).first()
        Blob.objects.filter(pk=blob.pk).update(status="complete", completed_at=timezone.now())
        Exhibit.objects.filter(pk=exhibit.pk).update(preview=blob, preview_status="ready", preview_note="")
    if old:
        old_blob = Blob.objects.filter(pk=old).first()
        if old_blob is not None:
            store.discard_blob(old_blob)
    return "ready"


@task()
def cleanup_uploads() -> dict:
    return sweep.cleanup()
