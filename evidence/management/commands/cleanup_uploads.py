"""python manage.py cleanup_uploads [--older-than HOURS]

Removes what dropped connections and crashes leave behind: unfinished uploads untouched for the given time
(default DAYBOOK_UPLOAD_EXPIRY_HOURS, 48), leftover staging parts, and blobs that were never completely
written. Never touches a sealed original. Safe to run at any time (for example hourly from cron)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from evidence.sweep import cleanup


class Command(BaseCommand):
    help = "Remove abandoned partial uploads and half-written blobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=float, default=None, help="Hours an unfinished upload may stay untouched (default 48).")

    def handle(self, *args: Any, **options: Any) -> None:
        older = dt.timedelta(hours=options["older_than"]) if options["older_than"] is not None else None
        counts = cleanup(older)
        self.stdout.write(f"Removed {counts['uploads']} abandoned upload(s) and {counts['blobs']} half-written file(s).")
