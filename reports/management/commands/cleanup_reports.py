"""python manage.py cleanup_reports [--now ISO-TIME]

Deletes the files of every report past its expiry (DAYBOOK_REPORT_TTL_HOURS after it was made), and gives up on
reports a crashed worker left half-made. The worker also does this before each report and the reports page does it
for its case; run this from cron (hourly, say) so expiry never waits for someone to visit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reports.services import sweep_expired


class Command(BaseCommand):
    help = "Delete expired report files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--now", default=None, help="Pretend it is this time (ISO 8601, with a zone): for tests.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = None
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now must be an ISO 8601 time, like 2026-11-21T10:00:00+00:00 ({exc})") from exc
        count = sweep_expired(now)
        self.stdout.write(f"Deleted the files of {count} expired report(s).")
