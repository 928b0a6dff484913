"""Liveness and progress of background jobs (reports, integrity checks, imports, feeds, exports).

A job row carries ``heartbeat_at``: while the job runs, :class:`Heartbeat` stamps it every few seconds from a
small thread of the worker process (so a long step without progress calls still counts as alive). A running job
whose last sign of life (heartbeat, else start) is older than :func:`dead_after` is taken to be dead: its worker
crashed or was killed. Each app decides what then happens (run it once more, or fail with a sentence).

A job still *waiting* for a worker may have lost its queue entry (Redis restarted without persistence, a queue
flushed by hand): :func:`requeue_if_lost` queues it once more after ``DAYBOOK_HEALTH_QUEUE_STUCK_AFTER`` seconds,
and again after each such wait, so nothing waits for ever. A copy of a job that was only slow does no harm: every
task claims its row atomically, from its waiting state only, and a second copy finds it taken.

:class:`Phases` turns the ``(stage, done, total)`` calls of several phases, each counting from zero, into one
percentage that only ever grows.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.utils import timezone

log = logging.getLogger(__name__)


def heartbeat_every() -> float:
    return float(getattr(settings, "DAYBOOK_HEARTBEAT_SECONDS", 5))


def dead_after() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "DAYBOOK_JOB_DEAD_SECONDS", 60)))


def is_dead(heartbeat_at: dt.datetime | None, started_at: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    """A running job with no sign of life for longer than :func:`dead_after`."""
    last = heartbeat_at or started_at
    if last is None:
        return False  # never started: waiting for a worker, not dead
    return (now or timezone.now()) - last > dead_after()


def requeue_if_lost(kind: str, pk: Any, waiting_since: dt.datetime | None, enqueue: Callable[[], object], now: dt.datetime | None = None) -> bool:
    """Queue a waiting job once more when it has waited longer than ``DAYBOOK_HEALTH_QUEUE_STUCK_AFTER`` seconds since
    ``waiting_since``, at most once per such wait across every node (an entry in the shared cache: the database's,
    or Redis). ``enqueue`` queues it (the caller's own function, which says what a full or unreachable queue means).
    True when it was queued again."""
    if waiting_since is None:
        return False
    wait = float(settings.DAYBOOK_HEALTH_QUEUE_STUCK_AFTER)
    if ((now or timezone.now()) - waiting_since).total_seconds() <= wait:
        return False
    try:
        first = cache.add(f"daybook:requeued:{kind}:{pk}", 1, timeout=max(1, int(wait)))
    except Exception:  # noqa: BLE001 (no shared cache: queue it anyway; a copy does no harm)
        first = True
    if not first:
        return False
    try:
        enqueue()
    except Exception:
        log.exception("could not queue %s %s again", kind, pk)
        return False
    log.warning("%s %s waited %.0f s for a worker: queued again", kind, pk, wait)
    return True


class Heartbeat:
    """``with Heartbeat(Model, pk):`` stamps ``heartbeat_at`` on the row now and every few seconds until the block ends.

    ``match``: more conditions on the row (e.g. the attempt number), so a run that was given up for dead and
    carries on anyway never makes its successor look alive.

    The thread uses its own database connection and closes it when it stops; a failed stamp is ignored (the next
    one may succeed; if none does the job will be taken for dead, which is the truth the page needs)."""

    def __init__(self, model: Any, pk: Any, *, field: str = "heartbeat_at", every: float | None = None, match: dict[str, Any] | None = None) -> None:
        self.model, self.pk, self.field, self.match = model, pk, field, dict(match or {})
        self.every = heartbeat_every() if every is None else every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        self.model.objects.filter(pk=self.pk, **self.match).update(**{self.field: timezone.now()})

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    self.beat()
                except Exception:  # noqa: BLE001, S110 (a missed beat is what the reader judges)
                    pass
        finally:
            connections.close_all()

    def __enter__(self) -> Heartbeat:
        self.beat()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{self.model.__name__}-{self.pk}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


class Phases:
    """One percentage over several phases. ``phases``: (stage, weight) in order; a stage's ``done/total`` moves the
    bar within its share. Stages not listed keep the bar where it is. The percentage never goes down and stays
    below ``ceiling`` (the caller writes 100 when the job has really finished)."""

    def __init__(self, phases: Sequence[tuple[str, float]], *, start: int = 0, ceiling: int = 99) -> None:
        total = sum(w for _s, w in phases) or 1
        self.ceiling = ceiling
        self.bounds: dict[str, tuple[float, float]] = {}
        low = 0.0
        for stage, weight in phases:
            high = low + ceiling * weight / total
            self.bounds.setdefault(stage, (low, high))
            low = high
        self.percent = max(0, min(int(start), ceiling))

    def update(self, stage: str, done: int, total: int) -> int:
        bounds = self.bounds.get(stage)
        if bounds is not None:
            low, high = bounds
            fraction = min(1.0, max(0.0, done / total)) if total else 0.0
            self.percent = max(self.percent, min(self.ceiling, int(low + (high - low) * fraction)))
        return self.percent
