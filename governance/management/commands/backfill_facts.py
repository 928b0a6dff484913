"""Write the anonymised fact of every record still held (after an upgrade, or rows made in bulk)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from governance.facts import backfill
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Write or refresh the returns' fact table from the records still held (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", default="", help="an organisation's slug (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        org_id = None
        if options["organisation"]:
            org = Organisation.objects.filter(slug=options["organisation"]).first()
            if org is None:
                self.stderr.write("No organisation with that slug.")
                raise SystemExit(2)
            org_id = org.pk
        counts = backfill(org_id)
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
