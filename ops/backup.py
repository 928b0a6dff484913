"""Backups that restore: the database and every stored file, with a manifest of SHA-256 hashes; never the master key.

A backup is a folder:

- ``manifest.json``: format ``daybook.backup.v1``, when it was made, the master key's fingerprint (which key the
  restored data needs; never the key itself), the migration state, and for the database dump and every stored file
  its path, size and SHA-256;
- ``database.json``: every row of the person's and the services' data (Django's serialisation, natural keys; sealed
  fields stay sealed), read in one transaction so that it is consistent;
- ``files/``: every stored object (sealed evidence, previews, reports, import media, uploads in progress), as stored;
- ``KEEP-THE-KEY.txt``: what the backup needs to be read, and where to keep the key (never beside the backup).

:func:`restore` brings a backup back into an empty deployment (SQLite or PostgreSQL, any storage): it checks every
hash first, copies the files, loads the rows in one transaction, then verifies every case's hash chain and re-hashes
every original file. Sessions, queued tasks and the rate-limit cache are not kept: everyone signs in again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage, default_storage, storages
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from kernel import crypto

FORMAT = "daybook.backup.v1"
CHUNK = 1024 * 1024
# Not kept: derived or short-lived state that a restored deployment rebuilds (content types and permissions are
# recreated by migrate; sessions and queued tasks start empty).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry", "django_tasks_database", "usersessions"]
KEY_NOTE = """This Daybook backup holds the database and the stored files. Everything personal in it is sealed with
data keys that are themselves sealed with the deployment's MASTER KEY. The master key is NOT in this backup.

To restore, the new deployment needs the same master key (fingerprint {key_id}), given as DAYBOOK_MASTER_KEY or in
its data/secrets.json. Keep the key apart from the backups (a password manager, a sealed envelope in a safe, a
key-management service): anyone with both can read everything; anyone with the backup alone can read nothing sealed.
Keep the backup itself encrypted at rest too: it still holds account e-mail addresses and sign-in factors.

Restore into an empty deployment with:  manage.py restore {name}
"""


class BackupError(Exception):
    """A backup that cannot be made or restored; the message says why in plain words."""


@dataclass
class Restored:
    rows: int
    files: int
    cases: int
    chains_intact: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and self.chains_intact == self.cases


def _sha256_file(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def storage_aliases() -> list[str]:
    """The storages a backup covers: the default one, and EVIDENCE_STORAGE where sealed files go, if that is another."""
    evidence = getattr(settings, "EVIDENCE_STORAGE", "default") or "default"
    return ["default"] if evidence == "default" else ["default", evidence]


def stored_names(prefix: str = "", storage: Storage | None = None) -> Iterator[str]:
    """Every stored object's name, depth first, in a stable order (in the default storage unless one is given)."""
    st = storage or default_storage
    try:
        dirs, files = st.listdir(prefix or ".")
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for sub in sorted(dirs):
        yield from stored_names(f"{prefix}{sub}/", st)


def _in_backup(alias: str, name: str) -> str:
    """Where a stored object goes in the backup's files/ folder (other storages than the default in @<alias>/)."""
    return name if alias == "default" else f"@{alias}/{name}"


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder rounds times to milliseconds; the hash chain hashes microseconds, so keep them all."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def _models_in_order() -> list[type]:
    excluded_apps = {e for e in EXCLUDED if "." not in e}
    excluded_models = {e for e in EXCLUDED if "." in e}
    app_list = [(config, None) for config in apps.get_app_configs() if config.label not in excluded_apps and config.models_module is not None]
    return [
        m
        for m in serializers.sort_dependencies(app_list, allow_cycles=True)
        if m._meta.label_lower not in excluded_models and not m._meta.proxy and m._meta.managed
    ]


def _rows() -> Iterator[Any]:
    for model in _models_in_order():
        yield from model._base_manager.order_by(model._meta.pk.name).iterator(chunk_size=2000)


def _dump(out: Path) -> None:
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with out.open("w", encoding="utf-8") as handle:
            serializers.serialize("json", _rows(), stream=handle, cls=_ExactEncoder, use_natural_foreign_keys=True)


def backup(dest: Path) -> dict[str, Any]:
    """Write a backup into the new folder ``dest``; returns its manifest."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: a backup goes into a new or empty folder.")
    (dest / "files").mkdir(parents=True, exist_ok=True)
    _dump(dest / "database.json")
    db_sha, db_size = _sha256_file(dest / "database.json")
    files = []
    for alias in storage_aliases():
        st = storages[alias]
        for name in stored_names(storage=st):
            target = dest / "files" / _in_backup(alias, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            digest, size = hashlib.sha256(), 0
            with st.open(name, "rb") as src, target.open("wb") as out:
                while chunk := src.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            entry = {"path": name, "size": size, "sha256": digest.hexdigest()}
            if alias != "default":
                entry["storage"] = alias
            files.append(entry)
    manifest = {
        "format": FORMAT,
        "made_at": timezone.now().isoformat(),
        "database_vendor": connection.vendor,
        "master_key_id": crypto.master_key_id(),
        "migrations": _migrations(),
        "database": {"path": "database.json", "size": db_size, "sha256": db_sha},
        "files": files,
    }
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    (dest / "KEEP-THE-KEY.txt").write_text(KEY_NOTE.format(key_id=manifest["master_key_id"], name=dest.name), encoding="utf-8")
    return manifest


def check_backup(src: Path) -> dict[str, Any]:
    """Read the manifest and re-hash the database dump and every file; BackupError names the first difference."""
    src = Path(src)
    try:
        manifest = json.loads((src / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{src} holds no readable manifest.json: it is not a Daybook backup.") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}; this Daybook reads {FORMAT}.")
    for entry in [manifest["database"], *manifest["files"]]:
        rel = entry["path"] if entry is manifest["database"] else f"files/{_in_backup(entry.get('storage', 'default'), entry['path'])}"
        path = (src / rel).resolve()
        if src.resolve() not in path.parents:
            raise BackupError(f"The manifest names a file outside the backup: {entry['path']!r}.")
        if not path.is_file():
            raise BackupError(f"{rel} is missing from the backup.")
        if _sha256_file(path) != (entry["sha256"], entry["size"]):
            raise BackupError(f"{rel} has changed since the backup was made (its SHA-256 differs).")
    return manifest


def _deployment_is_empty() -> bool:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from cases.models import Case  # noqa: PLC0415

    files = any(next(stored_names(storage=storages[alias]), None) is not None for alias in storage_aliases())
    return not get_user_model().objects.exists() and not Case.objects.exists() and not files


def restore(src: Path, *, verify_files: bool = True) -> Restored:
    """Restore the backup in ``src`` into this (empty, migrated) deployment and verify it."""
    src = Path(src)
    manifest = check_backup(src)
    if manifest["master_key_id"] != crypto.master_key_id():
        raise BackupError(
            f"This deployment's master key (fingerprint {crypto.master_key_id()}) is not the one the backup needs "
            f"({manifest['master_key_id']}): set DAYBOOK_MASTER_KEY to the key kept with the backup."
        )
    if manifest["migrations"] != _migrations():
        raise BackupError("The backup was made by a different version of Daybook (its database migrations differ): restore it with that version.")
    if not _deployment_is_empty():
        raise BackupError("This deployment already holds data: restore only into an empty one, so nothing is overwritten.")
    written: list[tuple[Storage, str]] = []
    try:
        for entry in manifest["files"]:
            alias = entry.get("storage", "default")
            if alias not in storage_aliases():
                raise BackupError(f"The backup holds files of a storage this deployment does not use ({alias!r}): set EVIDENCE_STORAGE as it was.")
            st = storages[alias]
            with (src / "files" / _in_backup(alias, entry["path"])).open("rb") as handle:
                saved = st.save(entry["path"], File(handle))
            written.append((st, saved))
            if saved != entry["path"]:
                raise BackupError(f"The storage renamed {entry['path']!r}: it is not empty.")
        with transaction.atomic(), (src / "database.json").open("rb") as handle:
            objects = []
            # Saved one by one as they are read (rows are dumped in dependency order), so natural keys find their rows.
            for obj in serializers.deserialize("json", io.TextIOWrapper(handle, encoding="utf-8"), using=DEFAULT_DB_ALIAS, handle_forward_references=True):
                obj.save(using=DEFAULT_DB_ALIAS)
                objects.append(obj)
            for obj in objects:
                if obj.deferred_fields:
                    obj.save_deferred_fields(using=DEFAULT_DB_ALIAS)
            _reset_sequences({type(o.object) for o in objects})
    except Exception:
        for st, name in written:
            st.delete(name)
        raise
    return _verify_all(len(objects), len(written), verify_files)


def _reset_sequences(models: set[type]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _verify_all(rows: int, files: int, verify_files: bool) -> Restored:
    from cases.models import Case  # noqa: PLC0415
    from chain.verification import verify  # noqa: PLC0415

    result = Restored(rows=rows, files=files, cases=0, chains_intact=0)
    for case in Case.objects.order_by("pk"):
        result.cases += 1
        check = verify(case, files=verify_files)
        if check.ok and all(getattr(f, "ok", True) for f in check.files):
            result.chains_intact += 1
        else:
            result.problems.append(f"case {case.pk}: {check.problem or 'a stored file does not match its hash'}")
    return result
