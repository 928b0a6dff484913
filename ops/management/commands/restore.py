"""manage.py restore FOLDER: bring a backup back into an empty deployment, then verify every chain and file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup` into this empty deployment, then verify every hash chain and stored file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--skip-file-check", action="store_true", help="verify the chains but do not re-read every stored file")

    def handle(self, *args: Any, folder: Path, skip_file_check: bool, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = restore(folder, verify_files=not skip_file_check)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {result.rows:,} rows and {result.files:,} files; {result.chains_intact} of {result.cases} cases verify intact.")
        for problem in result.problems:
            self.stderr.write(f"Problem: {problem}")
        if not result.ok:
            raise CommandError("The restored data does not verify: keep the backup and the key, and do not use this deployment yet.")
