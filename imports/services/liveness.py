"""A worker that dies while scanning or importing is noticed within a minute (kernel.jobs heartbeat).

The scan only reads, so it is simply run once more. A dead import first has what it stored removed (as a failed
run's are), then runs once more; a second death fails it with a sentence. Progress does not go back: a run
started again keeps the count already shown until it passes it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from imports.models import Import
from kernel import jobs

MAX_ATTEMPTS = 2
DEAD_PROBLEM = (
    "The import stopped part-way twice because the computer doing it stopped responding. "
    "Nothing from this file was imported; the file itself is kept, sealed, in your evidence. Try again later."
)


def claim(job: Import) -> bool:
    """The worker takes the job: one more attempt, a first heartbeat. False when another run already has it."""
    now = timezone.now()
    attempt = job.attempts + 1
    # Only a waiting job (no heartbeat) is taken: a copy of the job queued again while another run has it finds it taken.
    claimed = Import.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts, heartbeat_at__isnull=True).update(attempts=attempt, heartbeat_at=now)
    if claimed:
        job.attempts, job.heartbeat_at = attempt, now
    return bool(claimed)


def revive_if_dead(job: Import, now: dt.datetime | None = None) -> bool:
    """A scanning or running import whose worker stopped: run once more, or failed with a sentence. True if dead."""
    if job.status not in {"scanning", "running"} or job.heartbeat_at is None or not jobs.is_dead(job.heartbeat_at, None, now):
        return False
    seen = Import.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts, heartbeat_at=job.heartbeat_at)
    from imports import tasks  # noqa: PLC0415 (tasks import the services)
    from imports.services.flow import fail  # noqa: PLC0415
    from imports.services.store import delete_items  # noqa: PLC0415

    if job.attempts >= MAX_ATTEMPTS:
        if seen.update(heartbeat_at=None):
            if job.status == "running":
                delete_items(job)
            fail(job, DEAD_PROBLEM, "scan" if job.status == "scanning" else "import")
    elif job.status == "scanning":
        if seen.update(heartbeat_at=None):
            transaction.on_commit(lambda: tasks.enqueue_scan(job))
    elif seen.update(status="queued", heartbeat_at=None):
        delete_items(job)
        transaction.on_commit(lambda: tasks.enqueue_run(job))
    job.refresh_from_db()
    return True


def requeue_if_lost(job: Import, now: dt.datetime | None = None) -> bool:
    """A scan or an import still waiting for a worker long after it was queued: its job may have been lost (kernel.jobs).
    True when it was queued again."""
    from imports import tasks  # noqa: PLC0415 (tasks import the services)

    if job.heartbeat_at is not None or job.status not in {"scanning", "queued"}:
        return False
    enqueue = tasks.enqueue_scan if job.status == "scanning" else tasks.enqueue_run
    return jobs.requeue_if_lost(f"import-{job.status}", job.pk, job.updated_at, lambda: enqueue(job), now)


def keep_going(job: Import, now: dt.datetime | None = None) -> None:
    """What a page showing the import calls: a dead run started again (or failed), a lost job queued again."""
    if not revive_if_dead(job, now):
        requeue_if_lost(job, now)
