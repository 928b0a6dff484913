"""Background work for imports (django-tasks; the database worker runs it beside the server)."""

from __future__ import annotations

import logging

from django_tasks import task

from imports import services
from imports.models import Import
from imports.services import liveness
from imports.services.flow import fail
from kernel import jobs

log = logging.getLogger(__name__)


@task()
def scan_import(import_id: int) -> str:
    """Read the export once: participants and counts, for the person to choose the suspect's senders."""
    job = Import.objects.select_related("case", "exhibit", "exhibit__original").filter(pk=import_id).first()
    if job is None or job.status != "scanning":
        return "gone"
    if not liveness.claim(job):
        return "gone"
    with jobs.Heartbeat(Import, job.pk, match={"attempts": job.attempts, "status": "scanning"}):
        return services.scan(job).status


@task()
def run_import(import_id: int) -> str:
    """Store the messages and calls, then make or update the day incidents (see imports.services.run)."""
    job = Import.objects.filter(pk=import_id).first()
    if job is None or job.status != "queued":
        return "gone"
    if not liveness.claim(job):
        return "gone"
    with jobs.Heartbeat(Import, job.pk, match={"attempts": job.attempts, "status__in": ["queued", "running"]}):
        return services.run(job).status


def enqueue_scan(job: Import) -> None:
    _enqueue(scan_import, job)


def enqueue_run(job: Import) -> None:
    _enqueue(run_import, job)


def _enqueue(which, job: Import) -> None:  # noqa: ANN001
    try:
        which.enqueue(job.pk)
    except Exception:
        log.exception("could not queue import %s", job.pk)
        fail(job, "The import could not be started, because the background worker is not available. Try again later.", job.phase or "scan")
