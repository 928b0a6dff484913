"""Checking an evidence bundle (``python manage.py verify_bundle FILE``): intact, or exactly what differs.

Every file is hashed as a stream (never read whole). Each file's SHA-256 is compared with every independent
record of it, and when the records disagree the file that disagrees with the others is named:

* the report and each exhibit: their ``SHA256SUMS`` line and their entry in ``manifest.json`` (hash and size);
* ``manifest.json``: its ``SHA256SUMS`` line, the SHA-256 written in ``README.txt`` and the hash inside the
  RFC 3161 timestamp (``manifest.json.tsr``), whose signature is checked too (and its authority, given a CA file);
* ``README.txt`` and ``manifest.json.tsr``: only their ``SHA256SUMS`` line, so a mismatch names both the file and
  ``SHA256SUMS`` (either may be the one changed).

Files in the ZIP that ``SHA256SUMS`` does not list, files it lists that are missing, names that try to leave the
folder, a damaged or truncated ZIP, and a manifest that is not valid JSON are all reported.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from reports import manifest as mf
from reports.timestamp import TimestampCheck, check_timestamp, imprint_of

CHUNK = 1 << 20
SUMS_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")
README_HASH = re.compile(r"^SHA-256 of manifest\.json: ([0-9a-f]{64})$", re.MULTILINE)


WHERE = {
    mf.SUMS_NAME: "its line in SHA256SUMS",
    mf.MANIFEST_NAME: "its entry in manifest.json",
    mf.README_NAME: "the SHA-256 written in README.txt",
    mf.TIMESTAMP_NAME: "the trusted timestamp",
}


@dataclass
class BundleVerification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # files whose content matched every record of it
    timestamp: TimestampCheck | None = None
    # The files found to differ (added, missing, changed); both names when it cannot be told which of two changed.
    changed: list[str] = field(default_factory=list)

    def blame(self, problem: str, *names: str) -> None:
        self.problems.append(problem)
        for name in names:
            if name not in self.changed:
                self.changed.append(name)


def _hash_entry(archive: zipfile.ZipFile, name: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with archive.open(name) as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _read_small(archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    info = archive.getinfo(name)
    if info.file_size > limit:
        return None
    with archive.open(name) as handle:
        return handle.read(limit + 1)[:limit]


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"^[A-Za-z]:", name)) or any(ord(c) < 32 for c in name)


def verify_bundle(path: str | os.PathLike[str], *, tsa_ca_file: Path | str | None = None) -> BundleVerification:
    """Check a bundle ZIP. ``tsa_ca_file``: PEM file of trusted time-stamping authorities (else the setting
    DAYBOOK_TSA_CA_FILE when Django is configured; without one the timestamp's signature is still checked)."""
    result = BundleVerification(ok=False)
    path = Path(path)
    name = path.name
    if not path.exists():
        result.problems.append(f"There is no file at {path}.")
        return result
    if path.is_dir():
        result.problems.append(f"{path} is a folder, not a bundle file.")
        return result
    if tsa_ca_file is None:
        tsa_ca_file = _setting_ca_file()
    try:
        archive = zipfile.ZipFile(path)
    except PermissionError:
        result.problems.append(f"{path} cannot be opened: permission denied.")
        return result
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        result.problems.append(f"{name} is not a complete ZIP file: it may be truncated or damaged ({exc}).")
        return result
    with archive:
        _verify(archive, result, Path(tsa_ca_file) if tsa_ca_file else None)
    result.ok = not result.problems
    return result


def _setting_ca_file() -> str | None:
    try:
        from django.conf import settings  # noqa: PLC0415

        return getattr(settings, "DAYBOOK_TSA_CA_FILE", "") or None
    except Exception:  # noqa: BLE001 (used without Django settings)
        return None


def _verify(archive: zipfile.ZipFile, result: BundleVerification, ca_file: Path | None) -> None:
    entries = [i for i in archive.infolist() if not i.is_dir()]
    names = [i.filename for i in entries]
    seen: set[str] = set()
    for n in names:
        if n in seen:
            result.blame(f"{n} appears more than once in the ZIP.", n)
        seen.add(n)
        if _unsafe(n):
            result.blame(f"{n!r} has a name that points outside the bundle folder.", n)

    # The actual hash of every file.
    actual: dict[str, tuple[str, int]] = {}
    for n in dict.fromkeys(names):
        try:
            actual[n] = _hash_entry(archive, n)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            result.blame(f"{n} is damaged inside the ZIP and cannot be read ({exc}).", n)

    if mf.SUMS_NAME not in names:
        result.blame(f"{mf.SUMS_NAME} is missing, so the files cannot be checked against it.", mf.SUMS_NAME)
        sums: dict[str, str] = {}
    else:
        sums = _read_sums(archive, result)

    manifest = _read_manifest(archive, names, result)
    manifest_actual = actual.get(mf.MANIFEST_NAME, ("", 0))[0]

    # Independent records of each file, beside SHA256SUMS: {file: [(source, sha256, size or None)]}
    records: dict[str, list[tuple[str, str, int | None]]] = {}
    expected_files: set[str] = {mf.SUMS_NAME, mf.MANIFEST_NAME, mf.README_NAME}
    if manifest is not None:
        report = manifest.get("report") or {}
        if report.get("file"):
            records.setdefault(report["file"], []).append((mf.MANIFEST_NAME, str(report.get("sha256")), report.get("size")))
            expected_files.add(report["file"])
        for row in manifest.get("exhibits") or []:
            if isinstance(row, dict) and row.get("file"):
                records.setdefault(row["file"], []).append((mf.MANIFEST_NAME, str(row.get("sha256")), row.get("size")))
                expected_files.add(row["file"])
    readme_hash = _readme_hash(archive, names)
    if readme_hash:
        records.setdefault(mf.MANIFEST_NAME, []).append((mf.README_NAME, readme_hash, None))

    token = None
    if mf.TIMESTAMP_NAME in names:
        expected_files.add(mf.TIMESTAMP_NAME)
        token = _read_small(archive, mf.TIMESTAMP_NAME, 1 << 20)
        imprint = imprint_of(token) if token else None
        if imprint is not None:
            records.setdefault(mf.MANIFEST_NAME, []).append((mf.TIMESTAMP_NAME, imprint.hex(), None))

    # Files listed in SHA256SUMS but not in the ZIP; files in the ZIP not listed.
    for listed in sums:
        if listed not in seen:
            if listed in expected_files:
                result.blame(f"{listed} is missing from the bundle (SHA256SUMS lists it).", listed)
            else:
                result.blame(f"SHA256SUMS has been changed: it lists {listed}, which is neither in the bundle nor in the manifest.", mf.SUMS_NAME)
    if mf.SUMS_NAME in names:
        for n in dict.fromkeys(names):
            if n == mf.SUMS_NAME or n in sums:
                continue
            if n in expected_files:
                result.blame(f"SHA256SUMS has been changed: it does not list {n}, which the bundle and its manifest have.", mf.SUMS_NAME)
            else:
                result.blame(f"{n} is in the bundle but not listed in SHA256SUMS: it was added or renamed.", n)
    for expected in sorted(expected_files - seen - set(sums)):
        if expected != mf.SUMS_NAME:
            result.blame(f"{expected} is missing from the bundle (the manifest lists it).", expected)

    # The timestamp's own signature, over the manifest as it is now.
    check = None
    if token is not None:
        check = check_timestamp(token, bytes.fromhex(manifest_actual) if manifest_actual else b"", ca_file)
        result.timestamp = check

    blamed_manifest = False
    for n, (sha, size) in actual.items():
        if n == mf.SUMS_NAME or n not in sums:
            continue
        if n == mf.TIMESTAMP_NAME and sha != sums[n] and check is not None and not check.ok and "different data" not in check.problem:
            # A timestamp that no longer verifies is itself the damaged file, whatever SHA256SUMS says.
            result.blame(
                f"{n} has been changed: SHA256SUMS gives {sums[n]}, its SHA-256 is {sha}, and the trusted timestamp no longer checks out ({check.problem})",
                n,
            )
            continue
        claims = [(mf.SUMS_NAME, sums[n], None), *records.get(n, [])]
        bad = _judge(n, sha, size, claims, result)
        if n == mf.MANIFEST_NAME and bad:
            blamed_manifest = True
        if not bad:
            result.checked.append(n)
    for n, recs in records.items():
        if n in actual and n not in sums and n != mf.SUMS_NAME:
            _judge(n, actual[n][0], actual[n][1], recs, result)

    if check is not None and not check.ok and not blamed_manifest and mf.TIMESTAMP_NAME not in result.changed:
        result.blame(f"{mf.TIMESTAMP_NAME}: the trusted timestamp does not check out. {check.problem}", mf.TIMESTAMP_NAME)
    if mf.SUMS_NAME in names and not result.problems:
        result.checked.append(mf.SUMS_NAME)


def _judge(name: str, sha: str, size: int, claims: list[tuple[str, str, int | None]], result: BundleVerification) -> bool:
    """Compare a file's hash with every record of it; blame whichever disagrees. True when something was wrong."""
    agree = [c for c in claims if c[1].lower() == sha and (c[2] is None or c[2] == size)]
    disagree = [c for c in claims if c not in agree]
    if not disagree:
        return False
    if agree:
        # The file matches at least one independent record: the disagreeing records are the ones altered.
        for source, value, recorded_size in disagree:
            where = WHERE.get(source, source)
            what = f"SHA-256 {value}" + (f", {recorded_size} bytes" if recorded_size is not None and recorded_size != size else "")
            result.blame(
                f"{source} has been changed: {where} gives {what} for {name}, but {name} has SHA-256 {sha} ({size} bytes), "
                f"as {', '.join(a[0] for a in agree)} records.",
                source,
            )
        return False
    sources = ", ".join(c[0] for c in claims)
    expected = claims[0][1] if len({c[1].lower() for c in claims}) == 1 else " / ".join(f"{c[0]}: {c[1]}" for c in claims)
    if len(claims) == 1:
        result.blame(
            f"{name} does not match SHA256SUMS: SHA256SUMS gives {expected}, the file's SHA-256 is {sha}. {name} (or its line in SHA256SUMS) has been changed.",
            name,
            mf.SUMS_NAME,
        )
    else:
        result.blame(f"{name} has been changed: {sources} give {expected}, but its SHA-256 is {sha} ({size} bytes).", name)
    return True


def _read_sums(archive: zipfile.ZipFile, result: BundleVerification) -> dict[str, str]:
    raw = _read_small(archive, mf.SUMS_NAME, 16 << 20)
    if raw is None:
        result.blame("SHA256SUMS is far too large to be a list of fingerprints.", mf.SUMS_NAME)
        return {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        result.blame("SHA256SUMS is not plain text: it has been damaged or changed.", mf.SUMS_NAME)
        text = raw.decode("utf-8", "replace")
    sums: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = SUMS_LINE.match(line)
        if not match:
            result.blame(f"SHA256SUMS line {number} is not in the form '<64 hex digits>  <file>': it has been changed.", mf.SUMS_NAME)
            continue
        sha, listed = match.group(1).lower(), match.group(2)
        if listed in sums:
            result.blame(f"SHA256SUMS lists {listed} twice.", mf.SUMS_NAME)
        sums[listed] = sha
    return sums


def _read_manifest(archive: zipfile.ZipFile, names: list[str], result: BundleVerification) -> dict | None:
    if mf.MANIFEST_NAME not in names:
        return None
    try:
        raw = _read_small(archive, mf.MANIFEST_NAME, 256 << 20)
        data = json.loads(raw) if raw is not None else None
    except (ValueError, zipfile.BadZipFile, zlib.error, OSError, EOFError):
        data = None
    if not isinstance(data, dict) or data.get("schema") != mf.SCHEMA:
        if not any(mf.MANIFEST_NAME in p for p in result.problems):
            result.blame("manifest.json cannot be read as a Daybook bundle manifest: it has been damaged or changed.", mf.MANIFEST_NAME)
        return None
    return data


def _readme_hash(archive: zipfile.ZipFile, names: list[str]) -> str | None:
    if mf.README_NAME not in names:
        return None
    try:
        raw = _read_small(archive, mf.README_NAME, 1 << 20)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError):
        return None
    match = README_HASH.search((raw or b"").decode("utf-8", "replace"))
    return match.group(1) if match else None
