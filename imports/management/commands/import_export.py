"""python manage.py import_export FILE --case N [--suspect NAME ...] [--time-zone ZONE] [--json]

For people and services who hold exports on a computer: the same flow as the import page. The file is sealed into
the case's evidence first (an exhibit, or the exhibit it already is), then read by the same background tasks (scan,
then import, run here in this process), and what was found is printed: format, counts per participant, warnings
with their positions, incidents made. ``--json`` prints the same as one JSON object (see imports/README.md).
Bad input (no such file, no such case, an unknown time zone, a suspect who is not in the export) is a clear error
and a nonzero exit; nothing is sealed before the file, case and zone are checked.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.models import Case
from evidence.limits import UploadError
from evidence.services import Details, ingest
from imports import services, tasks
from imports.errors import ImportRefused
from imports.models import Import
from imports.services.clock import default_zone, zone
from imports.services.outcome import as_text, outcome


class Command(BaseCommand):
    help = "Import a message or call-log export from a file into a case (the same flow as the import page)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--case", type=int, required=True, help="The case's number.")
        parser.add_argument("--suspect", action="append", default=[], help="A sender in the export who is the person stalking (repeat for several).")
        parser.add_argument("--time-zone", default=None, help="The zone of the phone's clock (default: the server's).")
        parser.add_argument("--json", action="store_true", help="Print the outcome as one JSON object.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file at {path}.")
        case = Case.objects.filter(pk=options["case"]).first()
        if case is None:
            raise CommandError(f"No case with number {options['case']}.")
        time_zone = options["time_zone"] or default_zone()
        try:
            zone(time_zone)
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        job = self._start(case, path)
        if job.status == "scanning":
            tasks.scan_import.call(job.pk)
            job.refresh_from_db()
        if job.status == "ready":
            job = self._choose_and_run(job, case, options["suspect"], time_zone, options["json"])
        self._print(job, options["json"])
        if job.status != "done":
            raise CommandError(job.error or f"The import stopped ({job.status}).")

    def _start(self, case: Case, path: Path) -> Import:
        def chunks():  # noqa: ANN202
            with path.open("rb") as handle:
                while piece := handle.read(1 << 20):
                    yield piece

        details = Details(description="A message or call-log export, added to be imported into the diary.")
        try:
            result = ingest(case, case.owner, chunks(), name=path.name, details=details)
        except UploadError as exc:
            raise CommandError(exc.message) from exc
        return services.start(case, case.owner, result.exhibit)

    def _choose_and_run(self, job: Import, case: Case, suspects: list[str], time_zone: str, as_json: bool) -> Import:
        names = {(p.get("name") or "").strip() for p in job.participants or []}
        unknown = [s for s in suspects if s.strip() not in names]
        if unknown:
            self._print(job, as_json)
            listed = ", ".join(sorted(n for n in names if n)[:20]) or "nobody"
            raise CommandError(
                f"Not a sender in this export: {', '.join(unknown)}. The senders are: {listed}. The export is sealed in the evidence "
                f"(import {job.pk}); run again with the right names, or choose on the import page."
            )
        try:
            services.choose(job, case.owner, services.Choices(suspects=[s.strip() for s in suspects], time_zone=time_zone))
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        tasks.run_import.call(job.pk)
        job.refresh_from_db()
        return job

    def _print(self, job: Import, as_json: bool) -> None:
        job = Import.objects.select_related("case", "exhibit").get(pk=job.pk)
        result = outcome(job)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) if as_json else as_text(result))
