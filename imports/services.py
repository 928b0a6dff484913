"""The import flow, in plain Python: start, scan, run, undo.

1. :func:`start` makes an ``Import`` for an export that is already a sealed exhibit, and detects its format from
   the first 64 KiB and the file's name.
2. :func:`scan` reads the whole export once (streamed from the sealed exhibit through the format's parser) and
   records the participants with their counts, for the person to pick the suspect's senders.
3. :func:`run` (a background task) stores every message and call in the chosen date range, in three phases:

   A. items: parsed and stored in batches (``bulk_create``), sender, recipients and text sealed, each with a stable
      identity (:func:`identity_key`) so a message already stored by an earlier import is skipped; threat and
      night-time flags are set as they are stored. Progress is saved every few thousand records.
   B. bursts: one ordered pass over the suspect's items of the days touched marks the bursts.
   C. incidents and media, in ONE transaction: one incident per local day per diary channel for the suspect's
      messages and calls (created with ``diary.services.create_incident``, or a new version of the day's existing
      imported incident), linked to the export exhibit; files attached inside a WhatsApp .zip become exhibits.

   If anything fails, phase C rolls back as a whole, the items of phase A are deleted, files written for media are
   removed, and the import is marked failed with a sentence that says what was wrong and where. The export exhibit
   is never changed.
4. :func:`undo` retracts the incidents the import made (reason "import undone"), puts days it added to back as they
   were, and deletes its items. The export exhibit stays. Importing again afterwards works.

Time zones: exports carry the phone's wall-clock time without a zone; the person confirms the zone. A wall time
that happens twice (the hour the clocks go back) is read as the FIRST of the two (summer time, Python's fold=0);
a wall time that never happened (the hour the clocks go forward) is read with the offset from before the change
(01:30 on the spring day in London is taken as 01:30 GMT, which is 02:30 BST). Formats with absolute instants
(``Record.utc_time``) are used as they are and shown in the chosen zone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import zipfile
import zlib
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from audit.services import record as audit
from cases.models import Case
from diary import services as diary
from diary.models import Incident
from evidence import names
from evidence import services as evidence
from evidence.models import Exhibit, ExhibitLink
from imports import phrases
from imports.models import ACTIVE, Import, ImportDay, ImportedItem, ImportedMedia
from imports.records import ImportFormatError, ParseOptions, ParseWarning, Record
from vault import keys, store

log = logging.getLogger(__name__)

HEAD_BYTES = 64 * 1024
BATCH = 1000
STORE_BATCH = 5000  # records stored per transaction while importing (progress is saved after each)
PROGRESS_EVERY = 5000
MAX_PARTICIPANTS = 500
MAX_WARNINGS = 20
EXCERPTS = 3  # first messages quoted in a day's incident, and flagged ones
EXCERPT_CHARS = 160

# Flags (Daybook's own choices, shown to the person in the import's result and in each incident):
NIGHT_FROM_HOUR, NIGHT_TO_HOUR = 0, 6  # night-time: 00:00 to 05:59 local time
BURST_MESSAGES, BURST_MESSAGE_MINUTES = 10, 10  # a burst: 10 or more messages within 10 minutes...
BURST_CALLS, BURST_CALL_MINUTES = 5, 30  # ...or 5 or more calls within 30 minutes

SOURCES: dict[str, tuple[str, str]] = {
    # source channel: (what the person sees, diary channel)
    "whatsapp": ("WhatsApp", "messaging_app"),
    "telegram": ("Telegram", "messaging_app"),
    "signal": ("Signal", "messaging_app"),
    "messenger": ("Messenger", "messaging_app"),
    "instagram": ("Instagram", "social_media"),
    "facebook": ("Facebook", "social_media"),
    "sms": ("text", "text"),
    "mms": ("text", "text"),
    "text": ("text", "text"),
    "imessage": ("iMessage", "text"),
    "rcs": ("text", "text"),
    "email": ("e-mail", "email"),
    "e-mail": ("e-mail", "email"),
    "phone": ("phone", "phone_call"),
    "call": ("phone", "phone_call"),
    "calls": ("phone", "phone_call"),
    "voicemail": ("phone", "phone_call"),
}
CHANNEL_NAMES = {"messaging_app": "messaging app", "text": "text message", "phone_call": "phone", "email": "e-mail", "social_media": "social media"}


NOTHING_IMPORTED = "Nothing from this file was imported; the file itself is kept, sealed, in your evidence."


class ImportError_(Exception):  # noqa: N801 - not the builtin
    """The import cannot go on: ``str()`` is a sentence for the person."""


def source_of(channel: str) -> tuple[str, str]:
    """(label, diary channel) for a record's source channel; unknown CSV channels are "other"."""
    key = (channel or "").strip().casefold()
    if key in SOURCES:
        return SOURCES[key]
    return (channel.strip()[:20] or "other", "other")


# ---------------------------------------------------------------- formats


def _formats() -> Any:
    from imports import formats  # noqa: PLC0415 - written alongside; imported when used

    return formats


def format_module(code: str) -> Any:
    return _formats().FORMATS.get(code)


def detect(head: bytes, name: str) -> Any:
    """The format module for a file; ``ImportFormatError`` (a sentence for the person) when it is none Daybook reads."""
    return _formats().detect(head, name)


def supported_labels() -> list[str]:
    return [m.LABEL for m in _formats().FORMATS.values()]


def _open(job: Import) -> io.BufferedReader:
    exhibit = job.exhibit
    exhibit.case = job.case
    return io.BufferedReader(store.open_reader(job.case, exhibit.original), buffer_size=1 << 20)


def _records(job: Import, source: io.BufferedReader) -> Iterator[Record | ParseWarning]:
    module = format_module(job.format)
    if module is None:
        raise ImportFormatError("Daybook no longer knows this kind of export")
    yield from module.parse(source, ParseOptions())


# ---------------------------------------------------------------- start and scan


def start(case: Case, user: Any, exhibit: Exhibit) -> Import:
    """An import of a file exhibit: detect its format. The scan comes next (see tasks.scan_import)."""
    if exhibit.case_id != case.pk or exhibit.kind != "file" or not exhibit.original_id:
        raise ImportError_("Only a file in this case's evidence can be imported.")
    job = Import(case=case, exhibit=exhibit, created_by=user if getattr(user, "pk", None) else None, time_zone=default_zone())
    exhibit.case = case
    with store.open_reader(case, exhibit.original) as reader:
        head = reader.read(HEAD_BYTES)
    try:
        module = detect(head, exhibit.original_name)
    except ImportFormatError as exc:
        job.status, job.phase = "failed", "scan"
        job.error = f"{exc} Nothing was imported; the file is kept, sealed, in your evidence."
    else:
        job.format, job.format_label = module.FORMAT, module.LABEL
    job.save()
    audit(user, "import.started", case, f"import {job.pk} of exhibit {exhibit.number}: {job.format or 'unknown format'}")
    return job


def default_zone() -> str:
    return getattr(settings, "TIME_ZONE", "Europe/London") or "Europe/London"


def scan(job: Import) -> Import:
    """One streamed pass over the export (the parsers' ``summarise``): participants with counts, warnings."""
    counted = [0]

    def progress(items: Iterator[Record | ParseWarning]) -> Iterator[Record | ParseWarning]:
        for item in items:
            if not isinstance(item, ParseWarning):
                counted[0] += 1
                if counted[0] % PROGRESS_EVERY == 0:
                    Import.objects.filter(pk=job.pk).update(records_read=counted[0])
            yield item

    try:
        with _open(job) as source:
            summary = _formats().summarise(progress(_records(job, source)))
    except ImportFormatError as exc:
        return _fail(job, f"The file could not be read as a {job.format_label}: {exc}. Nothing was imported.", "scan")
    except Exception as exc:
        log.exception("scan of import %s failed", job.pk)
        return _fail(job, f"The file could not be read ({type(exc).__name__}). Nothing was imported.", "scan")
    if not summary.records:
        return _fail(job, f"No messages or calls were found in this {job.format_label}. Check that you chose the right file.", "scan")
    people = [
        {
            "name": (p.name or "").strip(),
            "messages": p.messages,
            "calls": p.calls,
            "first": p.first.date().isoformat() if p.first else None,
            "last": p.last.date().isoformat() if p.last else None,
        }
        for p in summary.participants[:MAX_PARTICIPANTS]
    ]
    warnings = [_warning_text(w) for w in summary.warnings[:MAX_WARNINGS]]
    if len(summary.participants) > MAX_PARTICIPANTS:
        warnings.append(f"More than {MAX_PARTICIPANTS} people wrote in this chat; only the {MAX_PARTICIPANTS} who wrote most are listed.")
    job.participants = people
    job.warnings = warnings
    job.records_total = counted[0]
    job.records_read = 0
    job.status = "ready"
    job.save()
    return job


def _warning_text(w: ParseWarning) -> str:
    return f"{w.message} ({w.where})" if w.where else w.message


def _fail(job: Import, message: str, phase: str) -> Import:
    job.status, job.phase = "failed", phase
    job.error = message
    job.finished_at = timezone.now()
    job.save()
    return job


# ---------------------------------------------------------------- choices


@dataclass
class Choices:
    suspects: list[str]
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    time_zone: str = "Europe/London"


def choose(job: Import, user: Any, choices: Choices) -> Import:
    """Save the person's choices and queue the import (the caller enqueues the task)."""
    if job.status != "ready":
        raise ImportError_("This import has already been started.")
    if Import.objects.filter(case=job.case, status__in=["queued", "running"]).exclude(pk=job.pk).exists():
        raise ImportError_("Another import in this case is still running. Wait for it to finish, then start this one.")
    zone(choices.time_zone)
    job.suspects = sorted(set(choices.suspects))
    job.date_from, job.date_to = choices.date_from, choices.date_to
    job.time_zone = choices.time_zone
    job.status = "queued"
    job.save()
    audit(user, "import.queued", job.case, f"import {job.pk}")
    return job


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportError_(f"{name!r} is not a time zone Daybook knows.") from exc


# ---------------------------------------------------------------- identity and flags


def identity_key(case: Case) -> bytes:
    return keys._subkey(case, b"daybook.import-identity.v1")


class Identities:
    """Stable identity of each record: HMAC-SHA256 under a per-case key (HKDF of the case's data key) of the record's
    kind, source channel, sender, instant (UTC), SHA-256 of the text, call details and its occurrence index (the
    n-th identical record at that instant), truncated to 128 bits. No clear hash of personal text is ever stored.

    Occurrence counts are kept for one day around the latest instant, so memory stays bounded."""

    def __init__(self, case: Case) -> None:
        self.key = identity_key(case)
        self.counts: dict[int, Counter[bytes]] = {}
        self.latest = 0
        self.horizon: int | None = None  # instants at or before this may have lost their counts (pruned)
        self.unsure = False  # a record came from before the horizon: two records of this export may share an identity

    def __call__(self, r: Record, instant: dt.datetime) -> str:
        stamp = int(instant.timestamp())
        if self.horizon is not None and stamp <= self.horizon:
            self.unsure = True
        text_hash = hashlib.sha256(r.text.encode("utf-8", "surrogatepass")).hexdigest()
        base = "\x1f".join(
            (r.kind, r.channel.casefold(), r.sender.strip(), instant.strftime("%Y-%m-%dT%H:%M:%S"), text_hash, str(r.call_seconds), r.call_kind)
        ).encode("utf-8", "surrogatepass")
        bucket = self.counts.setdefault(stamp, Counter())
        n = bucket[base]
        bucket[base] = n + 1
        if stamp > self.latest:
            self.latest = stamp
            if len(self.counts) > 4096:
                self.horizon = stamp - 86400
                self.counts = {k: v for k, v in self.counts.items() if k > self.horizon}
        return hmac.new(self.key, base + b"\x1f" + str(n).encode(), hashlib.sha256).hexdigest()[:32]


class Clock:
    """Wall-clock times in the confirmed zone to UTC (see the module docstring for clock changes)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def utc(self, local: dt.datetime) -> dt.datetime:
        return local.replace(tzinfo=self.tz, fold=0).astimezone(dt.UTC)

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.tz).replace(tzinfo=None)


def is_night(local: dt.datetime) -> bool:
    return NIGHT_FROM_HOUR <= local.hour < NIGHT_TO_HOUR


# ---------------------------------------------------------------- run


@dataclass
class Stats:
    messages: int = 0
    calls: int = 0
    suspect_messages: int = 0
    suspect_calls: int = 0
    already: int = 0  # already stored by an earlier import
    outside: int = 0  # outside the date range
    system: int = 0
    threats: int = 0
    night: int = 0
    burst_items: int = 0
    bursts: int = 0
    incidents_created: int = 0
    incidents_updated: int = 0
    incidents_kept_retracted: int = 0
    media: int = 0
    days: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


@dataclass
class DayFacts:
    """What one local day on one diary channel holds of the suspect's contact (kept while importing, or read back)."""

    day: dt.date
    channel: str
    messages: int = 0
    calls: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    first_minute: int = 24 * 60
    last_minute: int = -1
    night: int = 0
    burst: int = 0
    threats: int = 0
    threat_codes: set[str] = field(default_factory=set)
    call_seconds: int = 0
    sources: set[str] = field(default_factory=set)
    senders: set[str] = field(default_factory=set)
    first: list[tuple[dt.datetime, int, int, str, str]] = field(default_factory=list)  # (at, seq, minute, text, position)
    flagged: list[tuple[dt.datetime, int, int, str, str]] = field(default_factory=list)

    def add(self, at: dt.datetime, seq: int, minute: int, kind: str, source: str, sender: str, text: str, position: str,
            threats: list[str], night: bool, call_seconds: int | None) -> None:  # fmt: skip
        if kind == "call":
            self.calls += 1
            self.call_seconds += call_seconds or 0
        else:
            self.messages += 1
        if self.first_at is None or at < self.first_at:
            self.first_at = at
        if self.last_at is None or at > self.last_at:
            self.last_at = at
        self.first_minute = min(self.first_minute, minute)
        self.last_minute = max(self.last_minute, minute)
        self.night += night
        if len(self.sources) < 5:
            self.sources.add(source)
        if sender and len(self.senders) < 3:
            self.senders.add(sender)
        quote = (at, seq, minute, _excerpt(text), position)
        if kind == "message" and text:
            _keep_earliest(self.first, quote)
        if threats:
            self.threats += 1
            self.threat_codes.update(threats)
            _keep_earliest(self.flagged, quote)


def _keep_earliest(quotes: list[tuple[dt.datetime, int, int, str, str]], quote: tuple[dt.datetime, int, int, str, str]) -> None:
    if len(quotes) < EXCERPTS or quote[:2] < quotes[-1][:2]:
        quotes.append(quote)
        quotes.sort(key=lambda q: q[:2])
        del quotes[EXCERPTS:]


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


def run(job: Import, user: Any | None = None) -> Import:
    """Import the records (see the module docstring). Safe to call for a queued job only."""
    job = Import.objects.select_related("case", "exhibit", "exhibit__original").get(pk=job.pk)
    if job.status != "queued":
        return job
    user = user or job.created_by
    case = job.case
    Import.objects.filter(pk=job.pk).update(status="running", started_at=timezone.now(), records_read=0)
    job.status = "running"
    stats = Stats()
    warnings = list(job.warnings or [])
    media_blobs: list[Any] = []
    try:
        days, pending_media = _store_items(job, stats, warnings)
        _mark_bursts(case, days, stats)
        with transaction.atomic():
            _incidents_and_media(job, user, days, pending_media, stats, warnings, media_blobs)
            job.status = "done"
            job.phase = ""
            job.stats = stats.as_dict()
            job.warnings = warnings[: MAX_WARNINGS * 2]
            job.records_read = job.records_total = max(job.records_total, Import.objects.get(pk=job.pk).records_read)
            job.finished_at = timezone.now()
            job.save()
        audit(user, "import.done", case, f"import {job.pk}: {stats.messages} messages, {stats.calls} calls")
        return job
    except Exception as exc:
        _cleanup_failed(job, media_blobs)
        if isinstance(exc, ImportFormatError):
            message = f"The import stopped because part of the file could not be read: {exc}. {NOTHING_IMPORTED}"
        elif isinstance(exc, ImportError_):
            message = f"{exc} Nothing from this file was imported."
        else:
            log.exception("import %s failed", job.pk)
            message = f"The import could not finish ({type(exc).__name__}). {NOTHING_IMPORTED} Try again, or tell whoever runs Daybook."
        job.stats = {}
        _fail(job, message, "import")
        audit(user, "import.failed", case, f"import {job.pk}")
        return job


def _cleanup_failed(job: Import, media_blobs: list[Any]) -> None:
    """Remove everything a failed run stored: its items (phase A) and any media files written (phase C rolled back)."""
    _delete_items(job)
    for blob in media_blobs:
        store.delete_quietly(blob.name)


def _delete_items(job: Import) -> int:
    ImportedMedia.objects.filter(item__job=job).delete()
    return ImportedItem.objects.filter(job=job).delete()[0]


# The columns written by the bulk insert, in order (see _Inserter).
COLUMNS = (
    "case_id", "job_id", "exhibit_id", "identity", "kind", "source", "channel", "at", "local_day", "local_minute", "seq",
    "position", "suspect", "direction", "call_seconds", "call_kind", "attachments", "threats", "night", "burst",
    "sender_enc", "recipients_enc", "text_enc",
)  # fmt: skip
_IDENTITY = COLUMNS.index("identity")


class _Inserter:
    """Plain parameterised INSERTs with ``executemany`` (Django's bulk_create spends most of its time preparing each
    value of each model instance; here the values are ready). Works on SQLite and PostgreSQL alike."""

    def __init__(self, case_id: int | None = None) -> None:
        from django.db import connection  # noqa: PLC0415

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


def _store_items(job: Import, stats: Stats, warnings: list[str]) -> tuple[dict[tuple[dt.date, str], DayFacts], list[tuple[str, tuple[str, ...]]]]:
    case = job.case
    clock = Clock(zone(job.time_zone))
    identities = Identities(case)
    sealer = _Sealer(case)
    inserter = _Inserter(case.pk)
    adapt_at, adapt_day = inserter.at, inserter.day
    suspects = {s.strip() for s in (job.suspects or [])}
    lo, hi = job.date_from, job.date_to
    days: dict[tuple[dt.date, str], DayFacts] = {}
    pending: list[tuple[tuple, tuple | None, tuple[str, ...]]] = []  # (row, facts for the day or None, attachments)
    media: list[tuple[str, tuple[str, ...]]] = []
    read = 0
    seq = 0
    case_id, job_id, exhibit_id = case.pk, job.pk, job.exhibit_id
    with _open(job) as source:
        for r in _records(job, source):
            if isinstance(r, ParseWarning):
                text = _warning_text(r)
                if text not in warnings and len(warnings) < MAX_WARNINGS * 2:
                    warnings.append(text)
                continue
            read += 1
            if read % PROGRESS_EVERY == 0:
                Import.objects.filter(pk=job_id).update(records_read=read)
            if r.system:
                stats.system += 1
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
    Import.objects.filter(pk=job_id).update(records_read=read)
    return days, media


def _json_list(values: Iterable[str]) -> str:
    return json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))


def _flush(
    job: Import,
    inserter: _Inserter,
    pending: list[tuple[tuple, tuple | None, tuple[str, ...]]],
    stats: Stats,
    days: dict[tuple[dt.date, str], DayFacts],
    media: list[tuple[str, tuple[str, ...]]],
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


_DAY = COLUMNS.index("local_day")


def _local_day_of(row: tuple) -> dt.date:
    value = row[_DAY]
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _mark_bursts(case: Case, days: dict[tuple[dt.date, str], DayFacts], stats: Stats) -> None:
    """Mark the suspect's items that are part of a burst, over the days touched (and a day either side), and count
    the burst items per day for the day's incident. Bursts less than one window apart count as one (as the
    findings group them: insights.facts.imported_bursts)."""
    if not days:
        return
    touched = sorted({d for d, _ in days})
    lo, hi = touched[0] - dt.timedelta(days=1), touched[-1] + dt.timedelta(days=1)
    rows = (
        ImportedItem.objects.filter(case=case, suspect=True, local_day__gte=lo, local_day__lte=hi)
        .order_by("at", "id")
        .values_list("id", "at", "kind", "burst", "local_day", "channel")
    )
    marks: list[int] = []
    windows = {"message": (deque(), BURST_MESSAGES, BURST_MESSAGE_MINUTES * 60), "call": (deque(), BURST_CALLS, BURST_CALL_MINUTES * 60)}
    ends: dict[str, float] = {"message": float("-inf"), "call": float("-inf")}  # the last item of the latest burst
    marked: dict[str, set[int]] = {"message": set(), "call": set()}
    for pk, at, kind, already, day, channel in rows.iterator(chunk_size=5000):
        window, need, span = windows[kind]
        t = at.timestamp()
        window.append((t, pk, already, day, channel))
        while window[0][0] < t - span:
            window.popleft()
        if len(window) >= need:
            if window[0][0] - ends[kind] > span:  # more than one window after the latest burst: a new one
                stats.bursts += 1
            ends[kind] = t
            seen = marked[kind]
            for _t, wpk, was, wday, wchannel in window:
                if wpk not in seen:
                    seen.add(wpk)
                    if not was:
                        marks.append(wpk)
                        agg = days.get((wday, wchannel))
                        if agg is not None:
                            agg.burst += 1
            if len(seen) > 50000:  # only the window's ids matter from here on
                marked[kind] = {w[1] for w in window}
    for start in range(0, len(marks), BATCH):
        ImportedItem.objects.filter(pk__in=marks[start : start + BATCH]).update(burst=True)
    stats.burst_items = len(marks)


# ---------------------------------------------------------------- incidents


def _when(day: dt.date, minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def _excerpt(text: str) -> str:
    text = " ".join((text or "")[: EXCERPT_CHARS * 4].split())
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1].rstrip() + "…"
    return text


def _quote(day: dt.date, quote: tuple[dt.datetime, int, int, str, str]) -> str:
    _at, _seq, minute, text, position = quote
    where = f" ({position})" if position else ""
    return f"- {_when(day, minute)} “{text}”{where}"


def read_day(case: Case, day: dt.date, channel: str) -> DayFacts | None:
    """The suspect's stored items (all imports) for one day and channel, read back from the database."""
    qs = ImportedItem.objects.filter(case=case, suspect=True, local_day=day, channel=channel)
    agg = qs.aggregate(
        messages=Count("id", filter=Q(kind="message")),
        calls=Count("id", filter=Q(kind="call")),
        first_at=Min("at"),
        last_at=Max("at"),
        first_minute=Min("local_minute"),
        last_minute=Max("local_minute"),
        night=Count("id", filter=Q(night=True)),
        burst=Count("id", filter=Q(burst=True)),
        threats=Count("id", filter=~Q(threats="")),
        call_seconds=Sum("call_seconds"),
    )
    if not (agg["messages"] + agg["calls"]):
        return None
    facts = DayFacts(day, channel, **{k: v or 0 for k, v in agg.items() if k not in ("first_at", "last_at")})
    facts.first_at, facts.last_at = agg["first_at"], agg["last_at"]
    facts.sources = set(qs.values_list("source", flat=True).distinct()[:5])
    for codes in qs.exclude(threats="").values_list("threats", flat=True).distinct()[:50]:
        facts.threat_codes.update(codes.split())
    for i in _with_case(qs.only("id", "case_id", "sender_enc").order_by("at", "id")[:50], case):
        if i.sender and len(facts.senders) < 3:
            facts.senders.add(i.sender)
    first = _with_case(qs.filter(kind="message").exclude(text_enc="").order_by("at", "id")[:EXCERPTS], case)
    facts.first = [(i.at, i.seq, i.local_minute, _excerpt(i.text), i.position) for i in first]
    flagged = _with_case(qs.exclude(threats="").order_by("at", "id")[:EXCERPTS], case)
    facts.flagged = [(i.at, i.seq, i.local_minute, _excerpt(i.text), i.position) for i in flagged]
    return facts


def incident_data(facts: DayFacts, exhibit: Exhibit, export_name: str) -> diary.IncidentData:
    """The incident for one day and channel: "31 WhatsApp messages and 6 calls, 03:10 to 23:45", flags, quotes."""
    day, channel = facts.day, facts.channel
    sources = sorted(facts.sources)
    label = source_of(sources[0])[0] if len(sources) == 1 else CHANNEL_NAMES.get(channel, channel)
    parts = []
    if facts.messages:
        parts.append(_plural(facts.messages, f"{label} message"))
    if facts.calls:
        parts.append(_plural(facts.calls, "call" if label == "phone" or facts.messages else f"{label} call"))
    first_time, last_time = _when(day, facts.first_minute), _when(day, facts.last_minute)
    span = first_time if first_time == last_time else f"{first_time} to {last_time}"
    headline = f"{' and '.join(parts)}, {span}"
    if facts.senders:
        headline += f", from {', '.join(sorted(facts.senders))}"
    lines = [headline + f". Imported from exhibit {exhibit.reference} ({export_name})."]
    flags = []
    if facts.threats:
        flags.append(f"{_plural(facts.threats, 'message')} with threatening words ({', '.join(phrases.label(c) for c in sorted(facts.threat_codes))})")
    if facts.night:
        flags.append(f"{facts.night} at night (midnight to 6am)")
    if facts.burst:
        flags.append(
            f"{facts.burst} in bursts ({BURST_MESSAGES} or more messages within {BURST_MESSAGE_MINUTES} minutes, "
            f"or {BURST_CALLS} or more calls within {BURST_CALL_MINUTES} minutes)"
        )
    if flags:
        lines.append("Flagged: " + "; ".join(flags) + ".")
    if facts.first:
        lines.append("First messages:")
        lines += [_quote(day, q) for q in facts.first]
    shown = {q[:2] for q in facts.first}
    extra = [q for q in facts.flagged if q[:2] not in shown]
    if extra:
        lines.append("Flagged messages:")
        lines += [_quote(day, q) for q in extra]
    if facts.calls and facts.call_seconds:
        lines.append(f"Calls lasted {facts.call_seconds // 60} min {facts.call_seconds % 60} s in all.")
    behaviours = set()
    if facts.messages:
        behaviours.add("CONT.MSG")
    if facts.calls:
        behaviours.add("CONT.CALL")
    for code in facts.threat_codes:
        b = phrases.behaviour(code)
        if b:
            behaviours.add(b)
    return diary.IncidentData(
        occurred_at=facts.first_at,
        ended_at=facts.last_at if facts.last_at != facts.first_at else None,
        time_precision="exact",
        channel=channel if channel in _CHANNEL_CODES else "other",
        location_kind="online" if channel in ("messaging_app", "social_media", "email") else "",
        how_many=facts.messages + facts.calls,
        behaviours=sorted(behaviours),
        description="\n".join(lines),
    )


def describe_day(case: Case, exhibit: Exhibit, day: dt.date, channel: str) -> diary.IncidentData | None:
    facts = read_day(case, day, channel)
    if facts is None:
        return None
    return incident_data(facts, exhibit, names.display_name(exhibit.original_name, "export"))


_CHANNEL_CODES = {"in_person", "phone_call", "text", "messaging_app", "email", "social_media", "letter", "gift", "third_party", "other"}


def _with_case(rows: Iterable[ImportedItem], case: Case) -> Iterator[ImportedItem]:
    for row in rows:
        row.case = case
        yield row


def _incidents_and_media(
    job: Import,
    user: Any,
    days: dict[tuple[dt.date, str], DayFacts],
    pending_media: list[tuple[str, tuple[str, ...]]],
    stats: Stats,
    warnings: list[str],
    media_blobs: list[Any],
) -> None:
    case = job.case
    exhibit = job.exhibit
    exhibit.case = case
    export_name = names.display_name(exhibit.original_name, "export")
    linked: list[Incident] = []
    by_day: dict[tuple[dt.date, str], Incident] = {}
    keys_ = sorted(days)
    existing: dict[tuple[dt.date, str], ImportDay] = {}
    if keys_:
        for row in ImportDay.objects.filter(case=case, day__gte=keys_[0][0], day__lte=keys_[-1][0]).select_related("incident"):
            existing[(row.day, row.channel)] = row
    # Days no import has touched: what was kept while importing is the whole day. Their incidents are recorded
    # together (diary.services.create_incidents: one lock, bulk inserts, the same chain as one by one).
    fresh = [key for key in keys_ if key not in existing]
    made = diary.create_incidents(case, user, [incident_data(days[key], exhibit, export_name) for key in fresh])
    pairs = list(zip(fresh, made, strict=True))
    ImportDay.objects.bulk_create([ImportDay(case=case, day=d, channel=c, incident=i, created_by_import=job) for (d, c), i in pairs], batch_size=BATCH)
    by_day.update(pairs)
    linked += made
    stats.incidents_created += len(made)
    for key in keys_:
        row = existing.get(key)
        if row is None:
            continue
        incident = row.incident
        incident.case = case
        if incident.retracted:
            stats.incidents_kept_retracted += 1
            continue
        data = describe_day(case, exhibit, *key)  # this import's items and the earlier ones
        if data is None:
            continue
        _update_incident(incident, user, data)
        stats.incidents_updated += 1
        by_day[key] = incident
        linked.append(incident)
    stats.days = len(by_day)
    if linked:
        current = list(Incident.objects.filter(pk__in=ExhibitLink.objects.filter(exhibit=exhibit).values("incident")))
        wanted = {i.pk: i for i in current}
        wanted.update({i.pk: i for i in linked})
        evidence.set_links(exhibit, user, list(wanted.values()))
    if pending_media:
        _import_media(job, user, pending_media, by_day, stats, warnings, media_blobs)


def _update_incident(incident: Incident, user: Any, data: diary.IncidentData) -> None:
    """A new version of a day's imported incident: the imported facts change; what the person added stays."""
    current = diary.IncidentData.from_incident(incident)
    current.occurred_at = data.occurred_at
    current.ended_at = data.ended_at
    current.time_precision = data.time_precision
    current.how_many = data.how_many
    current.description = data.description
    current.channel = data.channel
    current.location_kind = current.location_kind or data.location_kind
    current.behaviours = sorted(set(current.behaviours) | set(data.behaviours))
    diary.edit_incident(incident, user, current)


# ---------------------------------------------------------------- media inside a WhatsApp .zip


def media_limits() -> tuple[int, int, int]:
    """(largest file, total of all files, most files) taken out of one export."""
    largest = min(evidence.max_upload_bytes(), int(getattr(settings, "IMPORT_MAX_MEDIA_BYTES", 512 * 1024**2)))
    total = int(getattr(settings, "IMPORT_MAX_MEDIA_TOTAL_BYTES", 4 * 1024**3))
    count = int(getattr(settings, "IMPORT_MAX_MEDIA_FILES", 5000))
    return largest, total, count


MAX_RATIO = 200  # a file that unpacks to more than 200 times its packed size is refused (zip bomb)


class _TooBig(Exception):
    pass


def _entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    got = 0
    with archive.open(info) as handle:
        while True:
            piece = handle.read(1 << 20)
            if not piece:
                return
            got += len(piece)
            if got > limit or got > info.file_size:
                raise _TooBig()
            yield piece


def _import_media(
    job: Import,
    user: Any,
    pending: list[tuple[str, tuple[str, ...]]],
    by_day: dict[tuple[dt.date, str], Incident],
    stats: Stats,
    warnings: list[str],
    media_blobs: list[Any],
) -> None:
    case = job.case
    largest, total_limit, count_limit = media_limits()
    with _open(job) as source:
        if source.peek(4)[:4] != b"PK\x03\x04":
            return  # a .txt export: the attached files are not in it (the scan's warnings say so)
        from imports.formats import whatsapp  # noqa: PLC0415

        archive = whatsapp.open_zip(source)  # its limits: entries, total size, compression ratio, names
        entries: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith("._") or not base:
                continue
            entries.setdefault(base, info)
        total = 0
        done = 0
        made: dict[str, Exhibit] = {}
        missing = 0
        for identity, attached in pending:
            item = ImportedItem.objects.filter(case=case, identity=identity).first()
            if item is None:
                continue
            item.case = case
            for name in attached:
                base = name.replace("\\", "/").rsplit("/", 1)[-1]
                info = entries.get(base)
                if info is None:
                    missing += 1
                    continue
                shown = names.display_name(base, "attachment")
                exhibit = made.get(base)
                if exhibit is None:
                    if done >= count_limit:
                        warnings.append(f"Only the first {count_limit} attached files were kept; the rest are still inside the export.")
                        break
                    ratio = info.file_size / max(info.compress_size, 1)
                    if info.file_size > largest or total + info.file_size > total_limit or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
                        warnings.append(f"The attached file {shown} ({item.position}) is too large to take out of the export; it is still inside it.")
                        continue
                    day_incident = by_day.get((item.local_day, item.channel)) if item.suspect else None
                    details = evidence.Details(
                        description=(
                            f"Attached to a message at {item.local_day:%d/%m/%Y} {_when(item.local_day, item.local_minute)} "
                            f"({item.position}) in exhibit {job.exhibit.reference}."
                        ),
                        incident=day_incident,
                    )
                    try:
                        result = evidence.ingest(case, user, _entry_chunks(archive, info, largest), name=base, details=details)
                    except (_TooBig, evidence.UploadError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                        reason = exc.message if isinstance(exc, evidence.UploadError) else "it is damaged or larger than it claims"
                        warnings.append(f"The attached file {shown} ({item.position}) could not be kept: {reason}")
                        continue
                    exhibit = result.exhibit
                    if result.created:
                        media_blobs.append(exhibit.original)
                        stats.media += 1
                    total += info.file_size
                    done += 1
                    made[base] = exhibit
                ImportedMedia.objects.create(case=case, item=item, exhibit=exhibit, name=shown[:255])
        if missing:
            verb = "is" if missing == 1 else "are"
            warnings.append(f"{_plural(missing, 'attached file')} named in the chat {verb} not in the export (exported without media?).")


# ---------------------------------------------------------------- undo


def undo(job: Import, user: Any) -> Import:
    """Retract the incidents this import made (reason "import undone"), put back days it added to, delete its items."""
    if job.status != "done":
        raise ImportError_("Only a finished import can be undone.")
    case = job.case
    with transaction.atomic():
        current = Import.objects.select_for_update().get(pk=job.pk)
        if current.status != "done":
            raise ImportError_("This import has already been undone.")
        days = set(ImportedItem.objects.filter(job=job, suspect=True).values_list("local_day", "channel").distinct())
        _delete_items(job)
        exhibit = job.exhibit
        exhibit.case = case
        retracted = updated = 0
        for day, channel in sorted(days):
            row = ImportDay.objects.filter(case=case, day=day, channel=channel).select_related("incident").first()
            if row is None:
                continue
            incident = row.incident
            incident.case = case
            made = describe_day(case, exhibit, day, channel)
            if made is None:
                if not incident.retracted:
                    diary.retract_incident(incident, user, "import undone")
                    retracted += 1
                row.delete()
            elif not incident.retracted:
                _update_incident(incident, user, made)
                updated += 1
        job.status = "undone"
        job.undone_at = timezone.now()
        stats = dict(job.stats or {})
        stats.update({"undone_retracted": retracted, "undone_updated": updated})
        job.stats = stats
        job.save()
        audit(user, "import.undone", case, f"import {job.pk}: {retracted} incidents retracted")
    return job


def active_import(case: Case) -> Import | None:
    return Import.objects.filter(case=case, status__in=ACTIVE).first()
