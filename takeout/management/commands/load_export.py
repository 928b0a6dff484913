"""manage.py load_export FILE --user NAME: load a Daybook export into an account (refused, naming what differs,
when it was edited; a case already here is not loaded twice)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from takeout.load import LoadRefused, load_export


class Command(BaseCommand):
    help = "Load an export made by Daybook's 'Download everything' into an account."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the .zip file")
        parser.add_argument("--user", required=True, help="the account's username or e-mail address")

    def handle(self, *args: Any, path: str, user: str, **options: Any) -> None:
        model = get_user_model()
        account = model.objects.filter(username=user).first() or model.objects.filter(email__iexact=user).first()
        if account is None:
            raise CommandError(f"No account {user!r}.")
        try:
            with open(path, "rb") as source:
                outcome = load_export(source, account)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        except LoadRefused as exc:
            raise CommandError("Refused:\n" + "\n".join(f"- {p}" for p in exc.problems)) from exc
        for uuid in outcome.loaded:
            self.stdout.write(f"loaded case {uuid} (id {outcome.cases[uuid]}); its chain verifies")
        for uuid in outcome.already:
            self.stdout.write(f"case {uuid} is already here (id {outcome.cases[uuid]}): not loaded again")
