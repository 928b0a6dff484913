"""Load an organisation's licensed question wording for a screening instrument (for example the S-DASH).

Daybook never ships restricted wording. An organisation that holds permission writes a JSON file:

    {"instrument": "sdash-2009",
     "licence": "Permission from <rights holder>, <date>, reference <...>",
     "questions": [{"id": "SDASH-01", "text": "...", "help": "..."}, ...]}

and runs ``manage.py load_instrument_wording FILE``. ``--clear INSTRUMENT`` removes it again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from insights import services


class Command(BaseCommand):
    help = "Load licensed question wording for a screening instrument from a JSON file (or --clear it)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", nargs="?", help="JSON file with instrument, licence and questions")
        parser.add_argument("--clear", metavar="INSTRUMENT", help="Remove the loaded wording of this instrument")

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("clear"):
            n = services.clear_wording(options["clear"])
            self.stdout.write(f"Removed the wording of {n} questions of {options['clear']}.")
            return
        if not options.get("file"):
            raise CommandError("Give a JSON file, or --clear INSTRUMENT.")
        path = Path(options["file"])
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{path} is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise CommandError("The file must hold one JSON object.")
        try:
            n = services.load_wording(data)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"Loaded the wording of {n} questions of {data['instrument']}."))
