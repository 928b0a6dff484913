"""manage.py backup FOLDER: the database and every stored file, with SHA-256 hashes; never the master key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ops.backup import BackupError, backup, check_backup


class Command(BaseCommand):
    help = "Write a verifiable backup of the database and the stored files into a new folder (the master key is never in it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a new or empty folder")
        parser.add_argument("--check", action="store_true", help="only re-hash an existing backup against its manifest")

    def handle(self, *args: Any, folder: Path, check: bool, **options: Any) -> None:
        try:
            manifest = check_backup(folder) if check else backup(folder)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        size = manifest["database"]["size"] + sum(f["size"] for f in manifest["files"])
        verb = "checked" if check else "written"
        self.stdout.write(f"Backup {verb}: {folder} ({len(manifest['files'])} files, {size:,} bytes in all, made {manifest['made_at']}).")
        self.stdout.write(f"It needs the master key with fingerprint {manifest['master_key_id']}; keep that key apart from the backup.")
