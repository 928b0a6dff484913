"""Phase A of a run: every message and call of the export stored as an ``ImportedItem``, in batches.

Sender, recipients and text are sealed; each record has a stable identity (imports.services.identity), so one
already stored by an earlier import is skipped; the threat and night-time flags are set as they are stored, and the
suspect's contact is summed per local day and diary channel (``DayFacts``) for the day incidents. Progress is saved
every few thousand records.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from cases.models import Case
from imports import phrases
from imports.flags import is_night
from imports.models import Import, ImportedItem, ImportedMedia
from imports.records import ParseWarning
from imports.services.channels import source_of
from imports.services.clock import Clock, zone
from imports.services.days import DayFacts
from imports.services.identity import Identities
from imports.services.reading import MAX_WARNINGS, PROGRESS_EVERY, open_export, records, warning_text
from imports.services.stats import Stats

STORE_BATCH = 5000  # records stored per transaction while importing (progress is saved after each)

# The columns written by the bulk insert, in order (see _Inserter).
COLUMNS = (
    "case_id", "job_id", "exhibit_id", "identity", "kind", "source", "channel", "at", "local_day", "local_minute", "seq",
    "position", "suspect", "direction", "call_seconds", "call_kind", "attachments", "threats", "night", "burst",
    "sender_enc", "recipients_enc", "text_enc",
)  # fmt: skip
_IDENTITY = COLUMNS.index("identity")
_DAY = COLUMNS.index("local_day")

Days = dict[tuple[dt.date, str], DayFacts]
Media = list[tuple[str, tuple[str, ...]]]  # (identity of the message, names of the files attached to it)


def store_items(job: Import, stats: Stats, warnings: list[str]) -> tuple[Days, Media]:
    """Store the export's records; the suspect's days touched, and the messages with attached files."""
    case = job.case
    clock = Clock(zone(job.time_zone))
    identities = Identities(case)
    sealer = _Sealer(case)
    inserter = _Inserter(case.pk)
    adapt_at, adapt_day = inserter.at, inserter.day
    suspects = {s.strip() for s in (job.suspects or [])}
    lo, hi = job.date_from, job.date_to
    days: Days = {}
    pending: list[tuple[tuple, tuple | None, tuple[str, ...]]] = []  # (row, facts for the day or None, attachments)
    media: Media = []
    read = 0
    seq = 0
    case_id, job_id, exhibit_id = case.pk, job.pk, job.exhibit_id
    with open_export(job) as source:
        for r in records(job, source):
            if isinstance(r, ParseWarning):
                text = warning_text(r)
                if text not in warnings and len(warnings) < MAX_WARNINGS * 2:
                    warnings.append(text)
                continue
            read += 1
            if read % PROGRESS_EVERY == 0:
                Import.objects.filter(pk=job_id).update(records_read=Greatest(F("records_read"), Value(read)))
            if r.system:
                stats.system += 1
                continue
            if not r.time_known:
                stats.undated += 1  # kept in the sealed export, named in a warning; it belongs to no day
                continue
            utc_time = getattr(r, "utc_time", None)
            if utc_time is not None:
                instant = utc_time.astimezone(dt.UTC)
                local = clock.local(instant)
            else:
                local = r.local_time.replace(tzinfo=None)
                instant = clock.utc(local)
            day = local.date()
            if (lo and day < lo) or (hi and day > hi):
                stats.outside += 1
                continue
            channel = source_of(r.channel)[1]
            sender = (r.sender or "").strip()
            suspect = sender in suspects
            kind = "call" if r.kind == "call" else "message"
            text = r.text or ""
            threats = phrases.find(text) if suspect and kind == "message" else []
            night = suspect and is_night(local)
            minute = local.hour * 60 + local.minute
            position = (r.position or "")[:60]
            call_seconds = r.call_seconds if kind == "call" and r.call_seconds is not None and r.call_seconds >= 0 else None
            row = (
                case_id, job_id, exhibit_id, identities(r, instant), kind, (r.channel or "")[:20], channel, adapt_at(instant),
                adapt_day(day), minute, seq, position, suspect, (r.direction or "")[:3], call_seconds, (r.call_kind or "")[:12],
                min(len(r.attachments), 32767), " ".join(threats)[:120], night, False,
                sealer.repeated(sender, "importeditem.sender") if sender else "",
                sealer.repeated(_json_list(r.recipients), "importeditem.recipients") if r.recipients else "",
                sealer.text(text) if text else "",
            )  # fmt: skip
            facts = (instant, seq, minute, kind, r.channel or "", sender, text, position, threats, night, call_seconds) if suspect else None
            seq += 1
            pending.append((row, facts, tuple(a.name for a in r.attachments)))
            if len(pending) >= STORE_BATCH:
                inserter.first = inserter.first and not identities.unsure
                _flush(job, inserter, pending, stats, days, media)
    inserter.first = inserter.first and not identities.unsure
    _flush(job, inserter, pending, stats, days, media)
    Import.objects.filter(pk=job_id).update(records_read=Greatest(F("records_read"), Value(read)))
    return days, media


def delete_items(job: Import) -> int:
    """Delete what an import stored (its items, and the links of its media files to them)."""
    ImportedMedia.objects.filter(item__job=job).delete()
    return ImportedItem.objects.filter(job=job).delete()[0]


# ---------------------------------------------------------------- private helpers


class _Sealer:
    """Seals item fields. Equal senders and recipient lists reuse one ciphertext (they repeat in every message); a
    ciphertext of the same plaintext under the same key and purpose reveals only that the two are equal."""

    def __init__(self, case: Case) -> None:
        self.cipher = case.get_cipher()
        self.cache: dict[tuple[str, str], str] = {}

    def repeated(self, value: str, purpose: str) -> str:
        key = (purpose, value)
        hit = self.cache.get(key)
        if hit is None:
            if len(self.cache) > 10000:
                self.cache.clear()
            hit = self.cache[key] = self.cipher.seal(value, purpose)
        return hit

    def text(self, value: str) -> str:
        return self.cipher.seal(value, "importeditem.text")


class _Inserter:
    """Plain parameterised INSERTs with ``executemany`` (Django's bulk_create spends most of its time preparing each
    value of each model instance; here the values are ready). Works on SQLite and PostgreSQL alike."""

    def __init__(self, case_id: int | None = None) -> None:
        self.connection = connection
        table = connection.ops.quote_name(ImportedItem._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in COLUMNS)
        self.sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"  # noqa: S608 - fixed names
        self.at = connection.ops.adapt_datetimefield_value
        if connection.vendor == "sqlite" and connection.timezone_name == "UTC":
            self.at = _sqlite_utc  # what Django's adapter gives for an aware UTC instant, without its checks per value
        # Whether the case held no imported items before this import: then nothing can be a duplicate (the identities
        # of one export are distinct by construction, while Identities is not ``unsure``), and the look-up of already
        # stored identities is skipped. The unique constraint on (case, identity) still guards it.
        self.first = not ImportedItem.objects.filter(case_id=case_id).exists() if case_id is not None else False
        self.day = connection.ops.adapt_datefield_value

    def insert(self, rows: list[tuple]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)


def _sqlite_utc(instant: dt.datetime) -> str:
    """An aware UTC instant as SQLite stores it (Django's adapter: naive UTC, ``str``)."""
    return str(instant.replace(tzinfo=None))


def _json_list(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def _flush(
    job: Import,
    inserter: _Inserter,
    pending: list[tuple[tuple, tuple | None, tuple[str, ...]]],
    stats: Stats,
    days: Days,
    media: Media,
) -> None:
    if not pending:
        return
    if inserter.first:
        new = list(pending)
    else:
        wanted = [p[0][_IDENTITY] for p in pending]
        existing = set(ImportedItem.objects.filter(case_id=job.case_id, identity__in=wanted).values_list("identity", flat=True))
        new = []
        for p in pending:
            if p[0][_IDENTITY] not in existing:
                existing.add(p[0][_IDENTITY])  # the same identity twice in one batch is stored once
                new.append(p)
    stats.already += len(pending) - len(new)
    with transaction.atomic():
        inserter.insert([p[0] for p in new])
    for row, facts, attached in new:
        kind, channel = row[4], row[6]
        if kind == "call":
            stats.calls += 1
        else:
            stats.messages += 1
        if attached:
            media.append((row[_IDENTITY], attached))
        if facts is None:
            continue
        day = _local_day_of(row)
        key = (day, channel)
        agg = days.get(key)
        if agg is None:
            agg = days[key] = DayFacts(day, channel)
        agg.add(*facts)
        if kind == "call":
            stats.suspect_calls += 1
        else:
            stats.suspect_messages += 1
        stats.threats += bool(facts[8])
        stats.night += facts[9]
    pending.clear()


def _local_day_of(row: tuple) -> dt.date:
    value = row[_DAY]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
