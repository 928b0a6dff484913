"""manage.py worker: the background worker for whichever task backend is configured (database or RQ on Redis).

Run one per machine, or several: they share the queue."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the background worker for the configured task backend (DAYBOOK_TASKS_BACKEND: database or rq)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--burst", action="store_true", help="do the work that is queued, then stop")

    def handle(self, *args: Any, burst: bool, **options: Any) -> None:
        backend = settings.TASKS["default"]["BACKEND"]
        if backend == settings.TASKS_BACKENDS["rq"]:
            call_command("rqworker", "default", job_class="django_tasks_rq.Job", burst=burst)
        elif backend == settings.TASKS_BACKENDS["database"]:
            from ops import heartbeat  # noqa: PLC0415

            extra = ["--batch", "--no-startup-delay"] if burst else []
            beating = heartbeat.start()
            try:
                call_command("db_worker", "--interval", "1", *extra)
            finally:
                beating.set()
        else:
            self.stderr.write(f"The task backend {backend} runs tasks itself: no worker is needed.")
