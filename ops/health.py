"""Is this node fit to serve? Checks for a load balancer: the database, the stored files and the task queue.

The answer carries no personal data and nothing an attacker could use (no versions, host names, paths or
error texts): each check is only "ok" or "failing", with the queue's depth and the age of its oldest waiting task."""

from __future__ import annotations

import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.utils import timezone

PROBE_PREFIX = "health/"


def queue_stuck_after() -> float:
    """Seconds a task may wait for a worker before the queue counts as failing (no worker is taking work)."""
    return float(settings.DAYBOOK_HEALTH_QUEUE_STUCK_AFTER)


@dataclass
class Health:
    checks: dict[str, str] = field(default_factory=dict)
    queue: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return all(v == "ok" for v in self.checks.values())

    def as_dict(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "failing", "checks": dict(self.checks), "queue": dict(self.queue), "seconds": round(self.seconds, 3)}


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0] == 1


def _storage() -> bool:
    """Write, read back and delete a small random file where the evidence is kept."""
    body = secrets.token_bytes(32)
    name = default_storage.save(f"{PROBE_PREFIX}probe-{secrets.token_hex(8)}", ContentFile(body))
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read() == body
    finally:
        default_storage.delete(name)


def _queue() -> tuple[bool, dict[str, Any]]:
    """Tasks waiting for a worker: how many and how long the oldest has waited (database task backend only)."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend == settings.TASKS_BACKENDS["rq"]:
        return _rq_queue()
    if backend != settings.TASKS_BACKENDS["database"]:
        return True, {"backend": "immediate"}
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    waiting = DBTaskResult.objects.ready()
    oldest = waiting.order_by("enqueued_at").values_list("enqueued_at", "run_after").first()
    wait = 0.0
    if oldest:
        enqueued, run_after = oldest
        since = run_after if run_after.year < 9999 else enqueued  # a task held back until run_after waits from then
        wait = (timezone.now() - since).total_seconds()
    from ops import heartbeat  # noqa: PLC0415

    details = {"waiting": waiting.count(), "oldest_wait_seconds": round(max(wait, 0.0), 1), "workers": heartbeat.alive()}
    return wait <= queue_stuck_after(), details


def _rq_queue() -> tuple[bool, dict[str, Any]]:
    """The RQ queue on Redis: jobs waiting, the oldest one's wait, and how many workers are listening."""
    import django_rq  # noqa: PLC0415
    from rq import Worker  # noqa: PLC0415

    queue = django_rq.get_queue("default")
    waiting = queue.count
    wait = 0.0
    first = queue.get_jobs(0, 1)
    if first and first[0].enqueued_at:
        enqueued = first[0].enqueued_at
        enqueued = enqueued if enqueued.tzinfo else enqueued.replace(tzinfo=dt.UTC)
        wait = (timezone.now() - enqueued).total_seconds()
    workers = Worker.count(queue=queue)
    return wait <= queue_stuck_after(), {"waiting": waiting, "oldest_wait_seconds": round(max(wait, 0.0), 1), "workers": workers}


def check() -> Health:
    """Run every check; one failing check never stops the others."""
    started = time.perf_counter()
    health = Health()
    for name, run in (("database", _database), ("storage", _storage)):
        try:
            health.checks[name] = "ok" if run() else "failing"
        except Exception:  # noqa: BLE001 - any failure is "failing"; the reason goes to the log, never to the caller
            import logging  # noqa: PLC0415

            logging.getLogger("daybook.health").exception("health check %s failed", name)
            health.checks[name] = "failing"
    try:
        fine, health.queue = _queue()
        health.checks["queue"] = "ok" if fine else "failing"
    except Exception:  # noqa: BLE001
        import logging  # noqa: PLC0415

        logging.getLogger("daybook.health").exception("health check queue failed")
        health.checks["queue"] = "failing"
    health.seconds = time.perf_counter() - started
    return health
