"""python manage.py verify_case [CASE_ID ...] | --all

Recomputes every hash of each case's chain and prints "intact" or the first broken link.
Exits with status 1 if any case is broken."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cases.models import Case
from chain.verification import verify


class Command(BaseCommand):
    help = "Check that nothing in a case's diary has been altered (recomputes its SHA-256 hash chain)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_ids", nargs="*", type=int, help="Case numbers to check.")
        parser.add_argument("--all", action="store_true", help="Check every case.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            cases = list(Case.objects.order_by("pk"))
        elif options["case_ids"]:
            cases = list(Case.objects.filter(pk__in=options["case_ids"]).order_by("pk"))
            missing = set(options["case_ids"]) - {c.pk for c in cases}
            if missing:
                raise CommandError(f"No case with number {', '.join(map(str, sorted(missing)))}")
        else:
            raise CommandError("Give one or more case numbers, or --all.")
        broken = 0
        for case in cases:
            result = verify(case)
            if result.ok:
                self.stdout.write(f"case {case.pk}: intact ({result.entries} entries, head {result.head})")
                for note in result.not_covered:
                    self.stdout.write(f"case {case.pk}: not covered: {note}")
            else:
                broken += 1
                where = f" at entry {result.broken_seq}" if result.broken_seq else ""
                self.stdout.write(f"case {case.pk}: BROKEN{where}: {result.problem}")
        if broken:
            raise SystemExit(1)
