"""``manage.py verify_client_chain CLIENT_ID [...]``: recompute a client record's hash chain (justice/ledger.py)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from casework.models import Client
from justice import ledger


class Command(BaseCommand):
    help = "Verify the hash chain of one or more client records: intact, or the first problem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("client_ids", nargs="+", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        broken = 0
        for pk in options["client_ids"]:
            client = Client.objects.select_related("organisation").filter(pk=pk).first()
            if client is None:
                raise CommandError(f"No client {pk}.")
            result = ledger.verify(client)
            if result.ok:
                self.stdout.write(f"{client.reference}: {result.entries} entries, intact.")
            else:
                broken += 1
                self.stdout.write(f"{client.reference}: {result.problem}")
        if broken:
            raise CommandError(f"{broken} client record(s) failed the check.")
