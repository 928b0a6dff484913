"""python manage.py verify_bundle FILE [--tsa-ca CAFILE]

Checks an evidence bundle made by Daybook: every file against SHA256SUMS and the manifest, the manifest against
its trusted timestamp. Prints "Intact: N files checked" and exits 0, or lists exactly what differs and exits 1
(also when the file is missing, unreadable or not a ZIP)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from reports.verify import verify_bundle


class Command(BaseCommand):
    help = "Check that an evidence bundle (ZIP) is exactly as Daybook made it, or say exactly what differs."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The bundle ZIP file.")
        parser.add_argument(
            "--tsa-ca",
            dest="tsa_ca",
            default=None,
            help="PEM file of the time-stamping authority's CA certificate(s) (default: the DAYBOOK_TSA_CA_FILE setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        ca = options["tsa_ca"] or getattr(settings, "DAYBOOK_TSA_CA_FILE", "") or None
        if ca and not Path(ca).is_file():
            self.stderr.write(f"The CA file {ca} does not exist.")
            raise SystemExit(1)
        result = verify_bundle(options["file"], tsa_ca_file=ca)
        stamp = result.timestamp
        if result.ok:
            self.stdout.write(f"Intact: {len(result.checked)} files checked")
            if stamp is not None and stamp.ok:
                trust = "its authority checked against " + str(ca) if stamp.trusted else "signature checked; give --tsa-ca to check the authority"
                when = stamp.gen_time.isoformat() if stamp.gen_time else "unknown time"
                self.stdout.write(f"Trusted timestamp: {when} by {stamp.tsa_name}, serial {stamp.serial_hex} ({trust})")
            elif stamp is None:
                self.stdout.write("No trusted timestamp in this bundle.")
            return
        self.stdout.write(f"NOT INTACT: {len(result.problems)} problem{'s' if len(result.problems) != 1 else ''} found in {options['file']}")
        for problem in result.problems:
            self.stdout.write(f"- {problem}")
        if result.changed:
            self.stdout.write("Files that differ: " + ", ".join(result.changed))
        raise SystemExit(1)
