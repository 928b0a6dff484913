"""python manage.py rotate_master_key [--secrets-file | --new-key | --forget-old-keys]

Rotating the master key re-wraps every case's data key with the new master key. The data keys themselves do
not change, so no file and no field is re-encrypted: a rotation takes a moment whatever the size of the evidence.

Two ways, depending on where the master key lives:

* Key in the environment (DAYBOOK_MASTER_KEY): ``--new-key`` prints a fresh key; start Daybook (or run this
  command) with DAYBOOK_MASTER_KEY=<new> and DAYBOOK_OLD_MASTER_KEYS=<old>, run ``rotate_master_key``; when it
  reports every case done, drop DAYBOOK_OLD_MASTER_KEYS.
* Key in the local secrets file (the default): ``--secrets-file`` makes the new key, writes it to
  ``data/secrets.json`` keeping the old one under "old_master_keys", and re-wraps every case. Back the file up
  again, then ``--forget-old-keys`` removes the old key once every case uses the new one.

Stop Daybook first: a running server still holds the old key.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cases.models import Case
from kernel import crypto
from organisations.keys import rewrap_organisations
from organisations.models import Organisation


class Command(BaseCommand):
    help = "Re-wrap every case's data key with the current master key (rotation without re-encrypting files)."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--new-key", action="store_true", help="Print a new random master key (base64) and stop.")
        group.add_argument("--secrets-file", action="store_true", help="Make a new key in the local secrets file, keep the old one there, re-wrap.")
        group.add_argument("--forget-old-keys", action="store_true", help="Remove old keys from the secrets file once every case uses the new key.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(base64.b64encode(secrets.token_bytes(32)).decode("ascii"))
            return
        if options["forget_old_keys"]:
            self._forget_old_keys()
            return
        if options["secrets_file"]:
            self._rotate_secrets_file()
        done, already = rewrap_all()
        self.stdout.write(f"Re-wrapped {done} case key(s) with master key {crypto.master_key_id()}; {already} already used it.")
        org_done, org_already = rewrap_organisations()
        done += org_done
        self.stdout.write(f"Re-wrapped {org_done} organisation key(s); {org_already} already used it.")
        if done or options["secrets_file"]:
            self.stdout.write("Back up the master key now (see README, 'Back up the master key'). Without it nothing can be read.")

    def _secrets_path(self) -> Path:
        if os.environ.get("DAYBOOK_MASTER_KEY"):
            raise CommandError("The master key comes from DAYBOOK_MASTER_KEY, not the secrets file: use --new-key and DAYBOOK_OLD_MASTER_KEYS.")
        path = Path(settings.DATA_DIR) / "secrets.json"
        if not path.exists():
            raise CommandError(f"No secrets file at {path}.")
        return path

    def _rotate_secrets_file(self) -> None:
        path = self._secrets_path()
        stored = json.loads(path.read_text(encoding="utf-8"))
        old = stored["master_key"]
        new = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        stored["master_key"] = new
        stored["old_master_keys"] = [old, *[k for k in stored.get("old_master_keys", []) if k != old]]
        write_secrets(path, stored)  # both keys are on disk before anything is re-wrapped
        settings.DAYBOOK_MASTER_KEY = new
        settings.DAYBOOK_OLD_MASTER_KEYS = [*stored["old_master_keys"], *[k for k in settings.DAYBOOK_OLD_MASTER_KEYS if k not in stored["old_master_keys"]]]
        self.stdout.write(f"New master key {crypto.master_key_id()} written to {path}; the old one is kept there until --forget-old-keys.")

    def _forget_old_keys(self) -> None:
        path = self._secrets_path()
        current = crypto.master_key_id()
        behind = Case.objects.exclude(key_id=current).count() + Organisation.objects.exclude(key_id=current).count()
        if behind:
            raise CommandError(f"{behind} case(s) still use an old key. Run rotate_master_key first.")
        stored = json.loads(path.read_text(encoding="utf-8"))
        stored.pop("old_master_keys", None)
        write_secrets(path, stored)
        self.stdout.write("Old master keys removed from the secrets file.")


def rewrap_all() -> tuple[int, int]:
    done = already = 0
    for pk in Case.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            wrapped, key_id, changed = crypto.rewrap_key(bytes(case.wrapped_key), str(case.uuid))
            if changed or case.key_id != key_id:
                Case.objects.filter(pk=pk).update(wrapped_key=wrapped, key_id=key_id)
                done += 1
            else:
                already += 1
    return done, already


def write_secrets(path: Path, values: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(values, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
