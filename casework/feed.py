"""A force's daily file (design 3.1 and 8), taken by the intake role: CSV or JSON Lines, streamed row by row.

Every row goes through the same code as the police API (casework/police.py): the same field table, the same
natural key (so a row repeated in tomorrow's file, or already sent through the API, is not stored twice), the same
updates and withdrawals, each row in its own transaction. A good row is stored; a bad row is stored nowhere and
comes back in the rejected-rows file with its line number and the reason, so no victim is lost in a bad row.

Rows name their message in a ``message`` column or key: ``referral`` (the default), ``update`` or ``withdrawal``.
In CSV, booleans are true/false (yes/no, 1/0) and lists are separated by ";"; empty cells are absent values.
A row the rules refuse (opted out, or domestic abuse or a sexual offence without explicit consent) comes back with
its crime reference and the reason only: its content is never kept, not even to return it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from casework import bulk, police
from casework.models import FeedStatus, FeedUpload, Source
from casework.services import ReferralRefused
from organisations.access import Staff
from organisations.models import ApiCredential

MAX_ROWS = 200_000
MAX_LINE_CHARS = 64 * 1024
MAX_FILE_BYTES = 256 * 1024 * 1024
# Rejected rows kept whole for the force; beyond this many only their line and reason (a broken export).
MAX_REJECTS_WITH_CONTENT = 10_000
# New referrals are written this many at a time (casework/bulk.py): one transaction each, holding SQLite's write lock
# for about a second on a loaded machine (API requests wait for it: busy timeout 30 s).
BATCH = 1000
MESSAGES = ("referral", "update", "withdrawal")
COLUMNS = tuple(dict.fromkeys(["message", *(f.name for f in police.REFERRAL_FIELDS + police.UPDATE_FIELDS + police.WITHDRAWAL_FIELDS)]))
TABLES = {"referral": police.REFERRAL_FIELDS, "update": police.UPDATE_FIELDS, "withdrawal": police.WITHDRAWAL_FIELDS}


class FeedRefused(Exception):
    """The whole file is unusable (wrong format, unknown columns, too large); nothing was stored."""


@dataclass
class Reject:
    line: int
    error: str
    row: dict[str, Any] = field(default_factory=dict)


@dataclass
class Tally:
    rows: int = 0
    created: int = 0
    repeated: int = 0
    updated: int = 0
    withdrawn: int = 0
    rejects: list[Reject] = field(default_factory=list)


def feed_take(*, staff: Staff, credential: ApiCredential, upload: IO[bytes], file_format: str, size: int | None = None) -> FeedUpload:
    """Take one daily file from ``credential``'s force. Raises FeedRefused before storing anything when the file as
    a whole is unusable; otherwise stores every good row and returns the upload with its counts and rejects."""
    check_sender(staff, credential, file_format)
    if size is not None and size > MAX_FILE_BYTES:
        raise FeedRefused(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB. Split it and send the parts.")
    rows = _csv_rows(upload) if file_format == "csv" else _jsonl_rows(upload)
    first = next(rows, None)  # reads the CSV header: an unknown column refuses the file before any row is stored
    tally = Tally()
    if first is not None:
        _take_all(credential, _chain(first, rows), tally, from_text=file_format == "csv")
    return _record(staff, credential, file_format, tally)


def check_sender(staff: Staff, credential: ApiCredential, file_format: str) -> None:
    """The file comes from one of this organisation's own, active police senders, in a known format."""
    if credential.organisation_id != staff.organisation.pk or not credential.active:
        raise FeedRefused("Choose one of your organisation's police senders.")
    if file_format not in ("csv", "jsonl"):
        raise FeedRefused("Choose CSV or JSON Lines.")


def check_header(header: list[str]) -> None:
    """A CSV header names known columns, each once."""
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise FeedRefused(f"Line 1: unknown column(s) {', '.join(repr(h[:40]) for h in unknown[:5])}. The columns are: {', '.join(COLUMNS)}.")
    if len(set(header)) != len(header):
        raise FeedRefused("Line 1: a column is named twice.")


def rejects_file(upload: FeedUpload) -> str:
    """The rejected rows as a file in the upload's format, each with its line number and the reason."""
    return upload.rejects or ""


# ---------------------------------------------------------------------------------------------------------------


def _chain(first: tuple[int, Any], rest: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    yield first
    yield from rest


def _lines(upload: IO[bytes]) -> Iterator[str]:
    """Text lines, decoded one by one: a line that is not UTF-8 comes through with replacement characters and its
    row is rejected (never the whole file)."""
    first = True
    for raw in upload:
        text = raw.decode("utf-8", errors="replace")
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        yield text


def _csv_rows(upload: IO[bytes]) -> Iterator[tuple[int, Any]]:
    csv.field_size_limit(MAX_LINE_CHARS)
    reader = csv.reader(_lines(upload))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise FeedRefused(f"Line 1: the header is not valid CSV ({exc}).") from None
    header = [h.strip() for h in header]
    check_header(header)
    line = reader.line_num
    while True:
        start = line + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = reader.line_num
            yield start, Reject(start, f"Not valid CSV: {exc}.")
            continue
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            yield start, Reject(start, f"Has {len(values)} cells; the header has {len(header)}.", dict(zip(header, values, strict=False)))
            continue
        yield start, {h: v for h, v in zip(header, values, strict=True) if v.strip()}


def _jsonl_rows(upload: IO[bytes]) -> Iterator[tuple[int, Any]]:
    for number, text in enumerate(_lines(upload), start=1):
        if not text.strip():
            continue
        if len(text) > MAX_LINE_CHARS:
            yield number, Reject(number, f"The line is longer than {MAX_LINE_CHARS} characters.")
            continue
        try:
            row = json.loads(text)
        except ValueError:
            yield number, Reject(number, "Not a JSON object.")
            continue
        if not isinstance(row, dict):
            yield number, Reject(number, "Not a JSON object.")
            continue
        yield number, row


def _take_all(credential: ApiCredential, rows: Iterable[tuple[int, Any]], tally: Tally, *, from_text: bool) -> None:
    batch: list[tuple[int, dict[str, Any], bulk.Item]] = []
    for line, row in rows:
        tally.rows += 1
        if tally.rows > MAX_ROWS:
            tally.rejects.append(Reject(line, f"The file has more than {MAX_ROWS} rows; this row and the rest were not read. Send them in another file."))
            break
        if isinstance(row, Reject):
            tally.rejects.append(row)
            continue
        message = row.get("message") or "referral"
        if message == "referral" and (error := _check(row, "referral", from_text)) is None:
            body = {k: v for k, v in row.items() if k != "message"}
            try:
                data, key = police.prepare(credential, body, source=Source.POLICE_FILE, from_text=from_text)
            except police.MessageInvalid as exc:
                _reject(tally, line, row, _words(exc))
                continue
            batch.append((line, row, bulk.Item(data, key)))
            if len(batch) >= BATCH:
                _flush(credential, batch, tally)
            continue
        # Updates and withdrawals apply to what came before them: the pending batch is stored first.
        _flush(credential, batch, tally)
        error = error or _take(credential, row, tally, from_text=from_text)
        if error is not None:
            _reject(tally, line, row, error)
    _flush(credential, batch, tally)
    tally.rejects.sort(key=lambda r: r.line)


def _reject(tally: Tally, line: int, row: dict[str, Any], error: str) -> None:
    keep = not error.startswith("Refused") and len(tally.rejects) < MAX_REJECTS_WITH_CONTENT
    kept = row if keep else {"crime_reference": str(row.get("crime_reference", ""))[:40]}
    tally.rejects.append(Reject(line, error, kept))


def _flush(credential: ApiCredential, batch: list[tuple[int, dict[str, Any], bulk.Item]], tally: Tally) -> None:
    if not batch:
        return
    bulk.store_many(credential, [item for _, _, item in batch])
    for line, row, item in batch:
        if isinstance(item.error, ReferralRefused):
            _reject(tally, line, row, f"Refused, not stored: {item.error}")
        elif isinstance(item.error, ValidationError):
            _reject(tally, line, row, "; ".join(f"{k}: {' '.join(v)}" for k, v in item.error.message_dict.items()))
        elif item.created:
            tally.created += 1
        else:
            tally.repeated += 1
    batch.clear()


def _words(exc: police.MessageInvalid) -> str:
    return "; ".join(f"{k}: {v}" for k, v in exc.errors.items())


def _check(row: dict[str, Any], message: str, from_text: bool) -> str | None:
    """Row-level checks before the fields: the message kind, the text decoding, fields of another kind of row."""
    if message not in MESSAGES:
        return f"message: unknown value; one of: {', '.join(MESSAGES)}."
    if any(isinstance(v, str) and "\ufffd" in v for v in row.values()):
        return "This row is not valid UTF-8 text."
    if from_text:
        known = {f.name for f in TABLES[message]} | {"message"}
        stray = [k for k in row if k not in known]
        if stray:
            return f"{stray[0]}: not a field of a {message} row."
    return None


def _take(credential: ApiCredential, row: dict[str, Any], tally: Tally, *, from_text: bool) -> str | None:
    """Apply one update or withdrawal in its own transaction; the reason in words when it is not applied."""
    message = row.get("message") or "referral"
    if (error := _check(row, message, from_text)) is not None:
        return error
    body = {k: v for k, v in row.items() if k != "message"}
    try:
        if message == "update":
            _, applied = police.update(credential, body, from_text=from_text)
            tally.updated += applied
            tally.repeated += not applied
        else:
            police.withdraw(credential, body, from_text=from_text)
            tally.withdrawn += 1
    except police.MessageInvalid as exc:
        return _words(exc)
    except police.UnknownReferral:
        return "No referral from this force with this crime reference and name."
    except police.OutOfOrder:
        return "Out of order: a later update on this referral has already been applied."
    return None


def _rejects_text(file_format: str, rejects: list[Reject]) -> str:
    if not rejects:
        return ""
    out = io.StringIO()
    if file_format == "jsonl":
        for r in rejects:
            out.write(json.dumps({"line": r.line, "error": r.error, "row": r.row}, ensure_ascii=False, default=str) + "\n")
        return out.getvalue()
    writer = csv.writer(out)
    columns = [c for c in COLUMNS if any(c in r.row for r in rejects)]
    writer.writerow(["line", "error", *columns])
    for r in rejects:
        writer.writerow([r.line, r.error, *(_cell(r.row.get(c, "")) for c in columns)])
    return out.getvalue()


def _cell(value: Any) -> str:
    text = ";".join(map(str, value)) if isinstance(value, list) else str(value)
    # A rejected row goes back to the force and is opened in a spreadsheet: no formulas.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _record(staff: Staff, credential: ApiCredential, file_format: str, tally: Tally) -> FeedUpload:
    upload = FeedUpload(organisation=staff.organisation, credential=credential, uploaded_by=staff.membership, file_format=file_format)
    return complete(upload, tally, actor=staff.user)


def take_into(upload: FeedUpload, lines: Iterable[bytes]) -> Tally:
    """Read one stored daily file (its lines, as bytes) into ``upload``'s organisation: the worker's half of
    casework/feedjobs.py. Raises FeedRefused when the file as a whole is unusable (before any row is stored)."""
    rows = _csv_rows(lines) if upload.file_format == "csv" else _jsonl_rows(lines)  # type: ignore[arg-type]
    first = next(rows, None)
    tally = Tally()
    if first is not None:
        _take_all(upload.credential, _chain(first, rows), tally, from_text=upload.file_format == "csv")
    return tally


@transaction.atomic
def complete(upload: FeedUpload, tally: Tally, *, actor: Any) -> FeedUpload:
    """Write the counts and the sealed rejected rows on the upload, and its audit row, in one transaction."""
    upload.rows = tally.rows
    upload.created = tally.created
    upload.repeated = tally.repeated
    upload.updated = tally.updated
    upload.withdrawn = tally.withdrawn
    upload.rejected = len(tally.rejects)
    upload.rejects = _rejects_text(upload.file_format, tally.rejects)
    upload.status = FeedStatus.DONE
    upload.finished_at = timezone.now()
    upload.save()
    record_staff(
        actor,
        AuditAction.FEED_UPLOADED,
        organisation=upload.organisation,
        target=f"file {upload.pk}: {tally.rows} rows, {tally.created} new, {tally.updated} updates, {len(tally.rejects)} rejected",
    )
    return upload
