"""python manage.py add_exhibit CASE_ID PATH [--name NAME] [--user EMAIL]

Seals a file from the server's disk into a case's evidence locker (for bulk imports by whoever runs Daybook;
the file is read as a stream, hashed and encrypted on the way in)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.models import Case
from evidence.limits import UploadError
from evidence.services import ingest


class Command(BaseCommand):
    help = "Add a file to a case's evidence locker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_id", type=int)
        parser.add_argument("path")
        parser.add_argument("--name", default=None, help="The file name to record (default: the file's own).")

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.filter(pk=options["case_id"]).first()
        if case is None:
            raise CommandError(f"No case with number {options['case_id']}")
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No file at {path}")

        def chunks():  # noqa: ANN202
            with path.open("rb") as handle:
                while piece := handle.read(1 << 20):
                    yield piece

        try:
            result = ingest(case, case.owner, chunks(), name=options["name"] or path.name)
        except UploadError as exc:
            raise CommandError(exc.message) from exc
        exhibit = result.exhibit
        if result.duplicate:
            self.stdout.write(f"Already in case {case.pk} as exhibit {exhibit.number}; not added again.")
        else:
            self.stdout.write(f"Added as exhibit {exhibit.number} ({exhibit.reference}), SHA-256 {exhibit.sha256}.")
