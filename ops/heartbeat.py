"""Heartbeats of the database task backend's workers, for the health endpoint.

RQ workers keep their own heartbeats on Redis (ops/health.py counts them there). A ``manage.py worker`` on the
database backend beats every :data:`EVERY` seconds from a side thread; the health endpoint counts the workers seen in
the last :data:`ALIVE_WITHIN` seconds, so a load balancer's dashboard shows when no worker is taking tasks."""

from __future__ import annotations

import datetime as dt
import os
import socket
import threading

from django.db import close_old_connections, connection
from django.utils import timezone

from ops.models import WorkerBeat

EVERY = 15.0
ALIVE_WITHIN = 60.0


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str) -> None:
    WorkerBeat.objects.update_or_create(name=name, defaults={"seen_at": timezone.now()})


def alive(within: float = ALIVE_WITHIN) -> int:
    """How many workers beat in the last ``within`` seconds."""
    return WorkerBeat.objects.filter(seen_at__gte=timezone.now() - dt.timedelta(seconds=within)).count()


def forget_old(older_than: float = 86400.0) -> None:
    WorkerBeat.objects.filter(seen_at__lt=timezone.now() - dt.timedelta(seconds=older_than)).delete()


def start(name: str | None = None, every: float = EVERY) -> threading.Event:
    """Beat now and every ``every`` seconds from a daemon thread until the returned event is set."""
    name = name or worker_name()
    stop = threading.Event()

    def run() -> None:
        while True:
            try:
                close_old_connections()
                beat(name)
            except Exception:  # noqa: BLE001 - a missed beat is what the health endpoint reports; never stop the worker
                import logging  # noqa: PLC0415

                logging.getLogger("daybook.worker").warning("worker heartbeat failed", exc_info=True)
            finally:
                connection.close()
            if stop.wait(every):
                return

    beat(name)
    forget_old()
    threading.Thread(target=run, name="daybook-heartbeat", daemon=True).start()
    return stop
