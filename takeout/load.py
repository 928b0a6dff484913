"""Load an export (takeout/export.py) into an account: refuse anything hostile or edited, naming what is wrong.

Checks, in order, before a row is written:

1. The file is a ZIP, not encrypted, with no links, with safe names only (no absolute paths, no "..", no
   backslashes, nothing outside ``manifest.json``, ``SHA256SUMS`` and ``cases/``), no duplicate names, and sizes
   within the limits (``DAYBOOK_EXPORT_LOAD_MAX_BYTES`` in all; a member expanding more than ``MAX_RATIO`` times
   is refused as a ZIP bomb).
2. The manifest is a Daybook export of a format this Daybook reads.
3. Every member is listed in the manifest with its SHA-256 and size, and matches (read in full, streamed); nothing
   listed is missing. An edited file is named.

Then each case is written in one transaction: rows with their foreign keys mapped to the new ids, the data key
wrapped by this Daybook's master key, the evidence files sealed again from the originals (each re-hashed against
the manifest), and the case's hash chain verified. A chain that does not verify rolls the case back and refuses it
with the chain's own sentence. A case whose uuid is already here is not loaded again (loading twice does not
duplicate).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction

from audit.actions import AuditAction
from audit.services import record
from cases.models import Case
from chain.verification import verify
from kernel import crypto
from takeout import rows
from takeout.export import FORMAT, MANIFEST, SUMS
from vault import store, stream

MAX_RATIO = 200  # a member may expand at most this many times (text compresses about 10x)
RATIO_FLOOR = 1 << 20  # ... once it is over 1 MiB
MAX_MEMBERS = 500_000
MAX_MANIFEST = 64 << 20
BATCH = 500
SAFE_NAME = re.compile(
    r"^(manifest\.json|SHA256SUMS|cases/[0-9a-f-]{36}/(rows|readable)/[a-z_]+\.[A-Za-z]+\.jsonl|cases/[0-9a-f-]{36}/(evidence/[0-9a-f-]{36}|reports/[0-9a-f-]{36}\.pdf))$"
)


class LoadRefused(Exception):
    """The export cannot be loaded. ``problems`` are sentences for the person, naming what is wrong."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Outcome:
    loaded: list[str] = field(default_factory=list)  # case uuids loaded now
    already: list[str] = field(default_factory=list)  # case uuids already in this Daybook for this account
    cases: dict[str, int] = field(default_factory=dict)  # uuid -> the new case id


def max_bytes() -> int:
    return int(getattr(settings, "DAYBOOK_EXPORT_LOAD_MAX_BYTES", 16 << 30))


# --- 1. The ZIP itself --------------------------------------------------------------------------------------------


def open_zip(source: IO[bytes]) -> zipfile.ZipFile:
    try:
        zf = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise LoadRefused(["This file is not a Daybook export: it is not a ZIP file, or it is damaged."]) from exc
    problems = check_members(zf.infolist())
    if problems:
        zf.close()
        raise LoadRefused(problems)
    return zf


def check_members(infos: list[zipfile.ZipInfo]) -> list[str]:
    problems: list[str] = []
    if len(infos) > MAX_MEMBERS:
        return [f"This export holds {len(infos)} files: more than a Daybook export can ({MAX_MEMBERS})."]
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if name in seen:
            problems.append(f"The name {name!r} appears twice in the ZIP.")
        seen.add(name)
        if name.startswith("/") or "\\" in name or ".." in name.split("/") or ":" in name or "\x00" in name:
            problems.append(f"The name {name!r} points outside the export: refused.")
            continue
        if info.is_dir():
            continue
        mode = info.external_attr >> 16
        if mode and stat.S_ISLNK(mode):
            problems.append(f"{name} is a link, not a file: refused.")
            continue
        if info.flag_bits & 0x1:
            problems.append(f"{name} is encrypted inside the ZIP: a Daybook export never is.")
            continue
        if not SAFE_NAME.match(name):
            problems.append(f"{name} is not part of a Daybook export.")
            continue
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            problems.append(f"{name} would expand {info.file_size // max(info.compress_size, 1)} times: refused as a ZIP bomb.")
    if total > max_bytes():
        problems.append(f"This export would take {total} bytes once opened: more than this Daybook accepts ({max_bytes()}).")
    if MANIFEST not in seen and not problems:
        problems.append("This file is not a Daybook export: it has no manifest.json.")
    return problems


def read_member(zf: zipfile.ZipFile, name: str, chunk: int = 1 << 20) -> Iterator[bytes]:
    """The member's bytes, never more than its declared size (zipfile checks the CRC at the end)."""
    info = zf.getinfo(name)
    read = 0
    with zf.open(info) as handle:
        while True:
            piece = handle.read(chunk)
            if not piece:
                break
            read += len(piece)
            if read > info.file_size:
                raise LoadRefused([f"{name} holds more than its declared size."])
            yield piece


# --- 2 and 3. The manifest and the hashes -------------------------------------------------------------------------


def read_manifest(zf: zipfile.ZipFile) -> dict[str, Any]:
    info = zf.getinfo(MANIFEST)
    if info.file_size > MAX_MANIFEST:
        raise LoadRefused(["The manifest is too large to be a Daybook export's."])
    try:
        manifest = json.loads(b"".join(read_member(zf, MANIFEST)).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
        raise LoadRefused(["The manifest is not readable JSON: the export was damaged or edited."]) from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise LoadRefused([f"This is not a Daybook export this Daybook can read (format {found!r}, expected {FORMAT!r})."])
    if not isinstance(manifest.get("files"), dict) or not isinstance(manifest.get("cases"), list):
        raise LoadRefused(["The manifest has no list of files or cases: the export was damaged or edited."])
    return manifest


def check_hashes(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    listed: dict[str, Any] = manifest["files"]
    problems: list[str] = []
    present = {info.filename for info in zf.infolist() if not info.is_dir()} - {MANIFEST, SUMS}
    for name in sorted(present - set(listed)):
        problems.append(f"{name} is not in the manifest: it was added after the export was made.")
    for name in sorted(set(listed) - present):
        problems.append(f"{name} is in the manifest but missing from the file.")
    for name in sorted(present & set(listed)):
        entry = listed[name]
        digest = hashlib.sha256()
        size = 0
        try:
            for piece in read_member(zf, name):
                digest.update(piece)
                size += len(piece)
        except (zipfile.BadZipFile, OSError, EOFError):
            problems.append(f"{name} is damaged inside the ZIP.")
            continue
        if not isinstance(entry, dict) or digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
            problems.append(f"{name} differs from the export that was made: its SHA-256 does not match the manifest.")
    if SUMS in {i.filename for i in zf.infolist()}:
        manifest_sha = hashlib.sha256(b"".join(read_member(zf, MANIFEST))).hexdigest()
        sums = b"".join(read_member(zf, SUMS)).decode("utf-8", "replace")
        expected = {line.split("  ", 1)[1]: line.split("  ", 1)[0] for line in sums.splitlines() if "  " in line}
        if expected.get(MANIFEST) != manifest_sha:
            problems.append("manifest.json differs from the one in SHA256SUMS: the manifest was edited.")
        for name, entry in listed.items():
            if isinstance(entry, dict) and expected.get(name) != entry.get("sha256"):
                problems.append(f"{name}: SHA256SUMS and the manifest disagree.")
    if problems:
        raise LoadRefused(problems)


# --- Writing the rows -------------------------------------------------------------------------------------------


class Mapper:
    """Old ids (in the export) to new ids (here), per model."""

    def __init__(self, user: Any, old_owner: Any) -> None:
        self.user = user
        self.old_owner = old_owner
        self.ids: dict[str, dict[Any, Any]] = {}
        self.user_label = get_user_model()._meta.label

    def target(self, f: models.Field[Any, Any], old: Any) -> tuple[bool, Any]:
        """(keep the row, the new value) for foreign key ``f`` holding ``old``."""
        if old is None:
            return True, None
        label = f.related_model._meta.label  # type: ignore[union-attr]
        if label == self.user_label:
            return True, self.user.pk if old == self.old_owner else None
        if label in self.ids:
            new = self.ids[label].get(old)
            if new is not None:
                return True, new
        if f.null:
            return True, None
        return False, None


def referenced(parts: Any = None) -> set[str]:
    """The exported models some exported row (of ``parts``, every part by default) points at: only their old-to-new
    ids are kept (memory). The case's and the evidence files' ids are always kept (the loader reads them after)."""
    labels = {"cases.Case", "evidence.Blob"}
    for part in rows.PLAN if parts is None else parts:
        for f in rows.fields_of(part.model):
            if f.is_relation and f.related_model is not None:
                labels.add(f.related_model._meta.label)
    return labels


def _rows_of(zf: zipfile.ZipFile, name: str) -> Iterator[dict[str, Any]]:
    with zf.open(name) as raw:
        for text in io.TextIOWrapper(raw, encoding="utf-8"):
            if text.strip():
                yield json.loads(text)


def _insert(model: type[models.Model], batch: list[tuple[Any, models.Model]], mapper: Mapper, label: str, keep: set[str]) -> None:
    if not batch:
        return
    pk = model._meta.pk
    assert pk is not None
    fields = [f for f in rows.fields_of(model) if f is not pk]
    objs = [obj for _, obj in batch]
    if label not in keep:
        # Nothing (still to be loaded) points at these rows (search tokens, chain entries, versions...): no ids to remember.
        model._base_manager._insert(objs, fields=fields, raw=True, using=connection.alias)  # type: ignore[attr-defined]
        return
    if connection.features.can_return_rows_from_bulk_insert:
        returned = model._base_manager._insert(objs, fields=fields, returning_fields=[pk], raw=True, using=connection.alias)  # type: ignore[attr-defined]
    else:  # pragma: no cover - every database Daybook supports returns rows
        returned = [model._base_manager._insert([obj], fields=fields, returning_fields=[pk], raw=True, using=connection.alias)[0] for obj in objs]  # type: ignore[attr-defined]
    ids = mapper.ids.setdefault(label, {})
    for (old, _), new in zip(batch, returned, strict=True):
        ids[old] = new[0]


def load_rows(zf: zipfile.ZipFile, base: str, user: Any, entry: dict[str, Any]) -> tuple[Case, Mapper]:
    case_rows = list(_rows_of(zf, f"{base}rows/cases.Case.jsonl"))
    if len(case_rows) != 1:
        raise LoadRefused([f"Case {entry.get('uuid')}: the export holds {len(case_rows)} case rows, not one."])
    mapper = Mapper(user, case_rows[0].get("owner_id"))
    try:
        key = base64.b64decode(entry["data_key"], validate=True)
    except (KeyError, TypeError, binascii.Error) as exc:
        raise LoadRefused([f"Case {entry.get('uuid')}: its key in the manifest is not readable."]) from exc
    case: Case | None = None
    plan = list(rows.PLAN)
    for index, part in enumerate(plan):
        # The models this part or a later one points at: the ids of any other are no longer needed (memory).
        kept = referenced(plan[index:])
        for label in [label for label in mapper.ids if label not in kept]:
            del mapper.ids[label]
        model = part.model
        pk = model._meta.pk
        deferred: list[tuple[Any, str, Any]] = []  # (old id, column, old target) for a row pointing at its own kind
        batch: list[tuple[Any, models.Model]] = []
        for row in _rows_of(zf, f"{base}rows/{part.label}.jsonl"):
            values: dict[str, Any] = {}
            keep = True
            for f in rows.fields_of(model):
                if f is pk:
                    continue
                raw = row.get(f.attname)
                try:
                    value = rows.from_plain(f, raw)
                except (ValueError, TypeError, binascii.Error, Exception) as exc:  # noqa: BLE001
                    raise LoadRefused([f"{part.label}: a value of {f.attname} is not a {f.get_internal_type()}."]) from exc
                if f.is_relation and (f.many_to_one or f.one_to_one):
                    if f.related_model is model and value is not None and value not in mapper.ids.get(part.label, {}):
                        deferred.append((row.get(pk.attname), f.attname, value))
                        value = None
                    else:
                        keep, value = mapper.target(f, value)
                        if not keep:
                            break
                values[f.attname] = value
            if not keep:
                continue
            if part.label == "cases.Case":
                values["owner_id"] = user.pk
                values["wrapped_key"] = crypto.wrap_key(key, str(values["uuid"]))
                values["key_id"] = crypto.master_key_id()
            if part.label == "evidence.Exhibit":
                values["preview_id"] = None
                values["preview_status"] = "pending" if values.get("kind") == "file" else values.get("preview_status", "none")
            batch.append((row.get(pk.attname), model(**values)))
            if len(batch) >= BATCH:
                _insert(model, batch, mapper, part.label, kept)
                batch = []
        _insert(model, batch, mapper, part.label, kept)
        for old, column, target in deferred:
            new_target = mapper.ids.get(part.label, {}).get(target)
            model._base_manager.filter(pk=mapper.ids[part.label][old]).update(**{column: new_target})
        if part.label == "cases.Case":
            case = Case.objects.get(pk=next(iter(mapper.ids["cases.Case"].values())))
    assert case is not None
    return case, mapper


def load_files(zf: zipfile.ZipFile, case: Case, entry: dict[str, Any], manifest: dict[str, Any], mapper: Mapper, written: list[str]) -> None:
    from evidence.models import Blob, Exhibit  # noqa: PLC0415 - evidence sits above this loader's rows

    evidence = entry.get("evidence") or {}
    for blob in Blob.objects.filter(case=case, pk__in=list(mapper.ids.get("evidence.Blob", {}).values())):
        name = evidence.get(str(blob.uuid))
        if not name or name not in manifest["files"]:
            raise LoadRefused([f"Case {case.uuid}: the file of exhibit record {blob.uuid} is missing from the export."])
        target = store.blob_name(case, blob)
        sealing = stream.SealingStream(store.data_key(case), stream.blob_context(blob.uuid), read_member(zf, name), name=target)
        saved = store.save_sealed(target, sealing)
        written.append(saved)
        if sealing.sha256 != manifest["files"][name]["sha256"]:
            raise LoadRefused([f"{name} differs from the export that was made."])
        plain, size, stored = store.read_back(case, Blob(pk=blob.pk, uuid=blob.uuid, name=saved))
        Blob.objects.filter(pk=blob.pk).update(name=saved, size=size, stored_size=sealing.stored_size, stored_sha256=stored)
        exhibit = Exhibit.objects.filter(original=blob).first()
        if exhibit is not None:
            exhibit.case = case
            if exhibit.sha256 and exhibit.sha256 != plain:
                raise LoadRefused([f"Case {case.uuid}: exhibit {exhibit.number}'s file does not match its recorded SHA-256."])


def load_export(source: IO[bytes], user: Any) -> Outcome:
    """Load the export in ``source`` into ``user``'s account. Raises :class:`LoadRefused` naming what is wrong."""
    zf = open_zip(source)
    with zf:
        manifest = read_manifest(zf)
        check_hashes(zf, manifest)
        outcome = Outcome()
        for entry in manifest["cases"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("uuid"), str) or not re.fullmatch(r"[0-9a-f-]{36}", entry["uuid"]):
                raise LoadRefused(["A case in the manifest has no proper id: the export was edited."])
            existing = Case.objects.filter(uuid=entry["uuid"]).first()
            if existing is not None:
                if existing.owner_id != user.pk:
                    raise LoadRefused([f"Case {entry['uuid']} is already in this Daybook under another account: it cannot be loaded here."])
                outcome.already.append(entry["uuid"])
                outcome.cases[entry["uuid"]] = existing.pk
                continue
            case = _load_case(zf, manifest, entry, user)
            outcome.loaded.append(entry["uuid"])
            outcome.cases[entry["uuid"]] = case.pk
        return outcome


def _load_case(zf: zipfile.ZipFile, manifest: dict[str, Any], entry: dict[str, Any], user: Any) -> Case:
    base = f"cases/{entry['uuid']}/"
    written: list[str] = []
    try:
        with transaction.atomic():
            case, mapper = load_rows(zf, base, user, entry)
            if str(case.uuid) != entry["uuid"]:
                raise LoadRefused([f"Case {entry['uuid']}: its rows name another case ({case.uuid})."])
            load_files(zf, case, entry, manifest, mapper, written)
            result = verify(case, files=False)
            if not result.ok:
                raise LoadRefused([f"Case {entry['uuid']}: its hash chain does not verify. {result.problem}"])
            record(user, AuditAction.TAKEOUT_LOADED, case, "loaded from an export")
            transaction.on_commit(lambda: _make_previews(case))
    except BaseException:
        for name in written:
            store.delete_quietly(name)
        raise
    return case


def _make_previews(case: Case) -> None:
    """Previews are derived copies and are not exported: the worker reads each file back and makes them again."""
    from evidence.models import Exhibit  # noqa: PLC0415
    from evidence.tasks import enqueue_processing  # noqa: PLC0415

    for exhibit in Exhibit.objects.filter(case=case, kind="file", preview_status="pending"):
        enqueue_processing(exhibit)
