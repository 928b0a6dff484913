"""WhatsApp "Export chat": a .txt file, or a .zip holding the chat .txt and the media files.

One message per line (``HEADER BODY``); a line without a header continues the message before it. Android headers
look like ``12/03/2024, 21:05 - ``; iOS headers like ``[12/03/2024, 21:05:33] ``. The date order (day first, month
first or year first) is decided from the whole file in a first pass that stops as soon as one date settles it.
Times carry no zone: they are the exporting phone's wall clock, returned naive.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from imports.formats._text import LineReader, head_text, seekable_copy
from imports.records import Attachment, ImportFormatError, ParseOptions, ParseWarning, Record, make_record

FORMAT = "whatsapp"
LABEL = "WhatsApp chat export"

# Limits for .zip exports (a real export has one chat file and its media).
ZIP_MAX_ENTRIES = 20_000
ZIP_MAX_TOTAL = 16 << 30  # 16 GiB uncompressed in all
ZIP_MAX_RATIO = 200  # uncompressed / compressed for any entry bigger than 1 MiB
ZIP_MAX_CHAT = 4 << 30

_MARKS = "\u200e\u200f\ufeff\u202a\u202b\u202c\u061c "
# Marks that carry no meaning in an export (left-to-right, right-to-left and Arabic letter marks, byte-order marks):
# removed from every line before it is read, so they are never left in a date, a name, a text or a file name.
_STRAY = re.compile("[\u200e\u200f\u061c\ufeff]")
HEADER = re.compile(
    r"\[?(\d{1,4})[./\-][\u200e\u200f]?\s?(\d{1,2})[./\-][\u200e\u200f]?\s?(\d{1,4})\.?(\s?(?:BE|B\.E\.))?[,\u060c]?[\u200e\u200f]?"
    r"\s+(?:[^\d\s\]]{1,8}\s+)?"
    r"(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
    r"(?:[\s\u202f\u00a0]?([AaPp])\.?\s?[Mm]\.?)?"
    r"(?:\][\u200e\u200f]?\s?|\s[-\u2013][\u200e\u200f]?\s)"
)
_ATTACHED_IOS = re.compile(r"<attached: ([^<>\n]{1,255})>")
_ATTACHED_ANDROID = re.compile(
    r"^([^\n/\\]{1,255}\.[A-Za-z0-9]{1,6}) \((?:file attached|Datei angehängt|soubor byl přiložen|archivo adjunto|fichier joint|bestand bijgevoegd"
    r"|file allegato|arquivo anexado)\)"
)
_OMITTED = re.compile(
    r"^(?:<Media omitted>|<View once message>|<Medien ausgeschlossen>|<Média vynechány>|<Multimedia omitido>|<Médias omis>|<Media weggelaten>|<Media omessi>|"
    r"(?:image|video|audio|sticker|GIF|document|Contact card|Kontaktkarte|Bild|Video|Audio|Sticker|Dokument) (?:omitted|weggelassen))"
    r"|(?:^|\s)(?:document|Dokument) (?:omitted|weggelassen)$"  # iOS: "Report.pdf • 3 pages document omitted"
)
_VIEW_ONCE = ("null",)  # a view-once photo or video: WhatsApp writes the word null where the media would be
_CALL = re.compile(r"^(Missed )?(?:group )?(voice|video) call(?:[.,]?\s*(?:\u200e)?(\d+)\s*(sec|min|hr|h|s|m)\w*)?", re.IGNORECASE)
_DELETED = ("This message was deleted", "You deleted this message", "Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht")
_SYSTEM_HINTS = (
    "end-to-end encrypted",
    "created group",
    "created this group",
    " added ",
    " left",
    " removed ",
    "changed the subject",
    "changed the group",
    "changed this group",
    "security code",
    "joined using",
    "disappearing messages",
    "changed their phone number",
    "changed to",
    "blocked this contact",
    "unblocked this contact",
    "business account",
    "You're now an admin",
    "pinned a message",
)
MAX_MESSAGE_CHARS_FACTOR = 16  # a message may run over at most 16 x max_line_chars characters


def detect(head: bytes, name: str) -> bool:
    lower = name.lower()
    if head.startswith(b"PK\x03\x04"):
        return lower.endswith(".zip") and (b"_chat.txt" in head or b".txt" in head or b"WhatsApp" in head)
    text = head_text(head)
    hits = 0
    for line in text.splitlines()[:40]:
        if HEADER.match(unmark(line).lstrip(_MARKS)):
            hits += 1
    return hits >= 1 and (hits >= 2 or "whatsapp" in lower or lower.endswith(".txt"))


def unmark(line: str) -> str:
    """``line`` without the direction marks and byte-order marks that carry no meaning in an export."""
    return _STRAY.sub("", line) if _STRAY.search(line) else line


# ------------------------------------------------------------------------------------------------ zip handling


@dataclass(frozen=True)
class ZipMedia:
    name: str
    size: int
    compressed_size: int


def _check_name(name: str) -> None:
    bad = (
        name.startswith(("/", "\\"))
        or "\\" in name
        or re.match(r"^[A-Za-z]:", name) is not None
        or any(part == ".." for part in name.split("/"))
        or "\x00" in name
    )
    if bad:
        raise ImportFormatError("This zip file contains a file with an unsafe name, so Daybook will not open it.", f"entry {name[:120]!r}")


def open_zip(source: BinaryIO) -> zipfile.ZipFile:
    """Open a WhatsApp .zip export after checking its limits (entries, sizes, compression ratio, names)."""
    try:
        archive = zipfile.ZipFile(seekable_copy(source))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise ImportFormatError("This zip file is damaged or incomplete and cannot be opened.", str(exc)[:120]) from None
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        raise ImportFormatError(f"This zip file holds too many files ({len(infos):,}; the limit is {ZIP_MAX_ENTRIES:,}).", "whole zip")
    total = 0
    for info in infos:
        _check_name(info.filename)
        total += info.file_size
        if info.file_size > (1 << 20) and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
            raise ImportFormatError(
                "This zip file expands far more than any real export would (a 'zip bomb'), so Daybook will not open it.", f"entry {info.filename[:120]!r}"
            )
    if total > ZIP_MAX_TOTAL:
        raise ImportFormatError(f"This zip file would expand to {total / (1 << 30):.1f} GiB, more than Daybook accepts.", "whole zip")
    return archive


def _chat_entry(archive: zipfile.ZipFile) -> zipfile.ZipInfo:
    texts = [
        i
        for i in archive.infolist()
        if not i.is_dir()
        and i.filename.lower().endswith(".txt")
        and not i.filename.startswith("__MACOSX/")
        and not i.filename.rsplit("/", 1)[-1].startswith("._")
    ]
    if not texts:
        raise ImportFormatError("This zip file has no WhatsApp chat in it (no .txt file was found).", "whole zip")

    def rank(info: zipfile.ZipInfo) -> tuple[int, int]:
        base = info.filename.rsplit("/", 1)[-1].lower()
        return (0 if base == "_chat.txt" else 1 if base.startswith("whatsapp") else 2, -info.file_size)

    chosen = min(texts, key=rank)
    if chosen.file_size > ZIP_MAX_CHAT:
        raise ImportFormatError("The chat file inside this zip is larger than Daybook accepts.", f"entry {chosen.filename[:120]!r}")
    return chosen


class _Bounded:
    """Reads a zip member and refuses to give more bytes than its header declared (a lying header is a bomb)."""

    def __init__(self, inner: BinaryIO, declared: int, name: str) -> None:
        self.inner, self.left, self.name = inner, declared, name

    def read(self, size: int = -1) -> bytes:
        data = self.inner.read(size)
        self.left -= len(data)
        if self.left < 0:
            raise ImportFormatError("A file inside this zip is larger than its header says, so Daybook stopped reading it.", f"entry {self.name[:120]!r}")
        return data

    def close(self) -> None:
        self.inner.close()

    def __enter__(self) -> _Bounded:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def readinto(self, buffer) -> int:  # pragma: no cover - not used by our readers
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# ------------------------------------------------------------------------------------------------ parsing


def parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    source = seekable_copy(source)
    start = source.tell()
    magic = source.read(4)
    source.seek(start)
    media: dict[str, ZipMedia] = {}
    if magic == b"PK\x03\x04":
        archive = open_zip(source)
        chat = _chat_entry(archive)
        for info in archive.infolist():
            if not info.is_dir() and info.filename != chat.filename and not info.filename.startswith("__MACOSX/"):
                base = info.filename.rsplit("/", 1)[-1]
                media[base] = ZipMedia(base, info.file_size, info.compress_size)
        try:
            with archive.open(chat) as member:
                stream = seekable_copy(_Bounded(member, chat.file_size, chat.filename))  # type: ignore[arg-type]
                yield from _parse_text(stream, options, media)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise ImportFormatError("The chat file inside this zip is damaged and cannot be read.", str(exc)[:120]) from None
        return
    yield from _parse_text(source, options, media)


def _date_order(reader: LineReader, options: ParseOptions) -> tuple[str, ParseWarning | None]:
    """'dmy', 'mdy' or 'ymd', decided from the whole file; stops at the first date that settles it."""
    inversions = {"dmy": 0, "mdy": 0}
    previous: dict[str, tuple[int, int, int]] = {}
    headers = 0
    match = HEADER.match
    for item in reader:
        if isinstance(item, ParseWarning):
            continue
        m = match(unmark(item[1]).lstrip(_MARKS))
        if not m:
            continue
        headers += 1
        a, b, c = m.group(1), m.group(2), m.group(3)
        if len(a) == 4:
            return "ymd", None
        ia, ib, ic = int(a), int(b), int(c)
        if ia > 12 >= ib:
            return "dmy", None
        if ib > 12 >= ia:
            return "mdy", None
        for order, key in (("dmy", (ic, ib, ia)), ("mdy", (ic, ia, ib))):
            if order in previous and key < previous[order]:
                inversions[order] += 1
            previous[order] = key
    if options.day_first is not None:
        return ("dmy" if options.day_first else "mdy"), None
    if headers == 0:
        return "dmy", None
    if inversions["mdy"] < inversions["dmy"]:
        order = "mdy"
    else:
        order = "dmy"
    example = "01/02/2024 = 1 February 2024" if order == "dmy" else "01/02/2024 = 2 January 2024"
    first = "day" if order == "dmy" else "month"
    return order, ParseWarning(
        f"Every date in this file could be read day-first or month-first; Daybook read them {first}-first ({example}). Check the dates look right.",
        "whole file",
    )


def _parse_text(source: BinaryIO, options: ParseOptions, media: dict[str, ZipMedia]) -> Iterator[Record | ParseWarning]:
    reader = LineReader(source, options, what="chat file")
    order, warning = _date_order(reader, options)
    if warning:
        yield warning
    max_chars = options.max_line_chars * MAX_MESSAGE_CHARS_FACTOR
    owner = options.account_owner
    match = HEADER.match
    current: dict | None = None
    lines: list[str] = []
    size = 0
    count = 0
    impossible = 0
    first_impossible = 0
    headers_seen = 0
    cut_reported = False
    odd_clocks = 0

    def finish() -> Record:
        return _build(current, lines, owner, media)  # type: ignore[arg-type]

    for item in reader:
        if isinstance(item, ParseWarning):
            yield item
            continue
        number, line = item
        marked = False
        if "\u200f" in line or "\u200e" in line or "\u061c" in line:  # (byte-order marks: LineReader removes them)
            marked = ": \u200e" in line
            line = _STRAY.sub("", line)
        stripped = line.lstrip(_MARKS)
        m = match(stripped)
        when = None
        if m:
            headers_seen += 1
            when = _when(m, order)
            if when is None:
                impossible += 1
                first_impossible = first_impossible or number
            elif m.group(8) and int(m.group(5)) > 12:
                odd_clocks += 1
                if odd_clocks <= MAX_CLOCK_WARNINGS:
                    yield _clock_warning(m, number)
        if when is not None:
            if current is not None:
                yield finish()
                count += 1
                if count >= options.max_records:
                    yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", f"line {number}")
                    return
            rest = stripped[m.end() :]  # type: ignore[union-attr]
            current = {"when": when, "line": number, "raw_time": m.group(0).strip(" -\u2013[]"), "rest": rest, "marked": marked}  # type: ignore[union-attr]
            lines = []
            size = len(rest)
        elif current is not None:
            size += len(line) + 1
            if size > max_chars:
                if not cut_reported:
                    cut_reported = True
                    yield ParseWarning(
                        f"A message is extremely long; only its first {max_chars:,} characters were kept.", f"message starting at line {current['line']}"
                    )
                continue
            lines.append(line)
        elif line.strip():
            # Text before the first message header.
            if number > 200 and headers_seen == 0:
                break
    if current is not None:
        yield finish()
        count += 1
    if count == 0:
        raise ImportFormatError("No WhatsApp messages were found in this file: no line starts with a date and time as WhatsApp writes them.", "whole file")
    if odd_clocks > MAX_CLOCK_WARNINGS:
        yield ParseWarning(f"{odd_clocks - MAX_CLOCK_WARNINGS} more times were impossible on a 12-hour clock (such as 13:04 AM); read as 24-hour times.", "")
    if impossible:
        yield ParseWarning(
            f"{impossible} line(s) started like a message but had an impossible date, so they were kept as part of the message before them.",
            f"first at line {first_impossible}",
        )


MAX_CLOCK_WARNINGS = 10


def _clock_warning(m: re.Match, number: int) -> ParseWarning:
    hh, mm, ampm = m.group(5), m.group(6), m.group(8)
    shown = f"{hh}:{mm} {'AM' if ampm in 'Aa' else 'PM'}"
    return ParseWarning(
        f"The time {shown} is impossible on a 12-hour clock; Daybook read it as {int(hh) % 24:02d}:{mm} (24-hour). Check this message's time.",
        f"line {number}",
    )


_DATES: dict[tuple[str, str, str, str | None, str], tuple[int, int, int] | None] = {}


def _date(a: str, b: str, c: str, era: str | None, order: str) -> tuple[int, int, int] | None:
    if order == "ymd":
        year, month, day = int(a), int(b), int(c)
    elif order == "dmy":
        day, month, year = int(a), int(b), int(c)
    else:
        month, day, year = int(a), int(b), int(c)
    if year < 100:
        year += 2000
    elif era or year > 2400:
        year -= 543  # Thai Buddhist era (iOS "2565 BE")
    try:
        dt.date(year, month, day)
    except ValueError:
        return None
    return year, month, day


def _when(m: re.Match, order: str) -> dt.datetime | None:
    a, b, c, era, hh, mm, ss, ampm = m.groups()
    key = (a, b, c, era, order)
    try:
        date = _DATES[key]  # a chat has few distinct dates and many messages a day: each date is read once
    except KeyError:
        if len(_DATES) > 100_000:
            _DATES.clear()
        date = _DATES[key] = _date(a, b, c, era, order)
    if date is None:
        return None
    hour = int(hh)
    if ampm:
        pm = ampm in "Pp"
        if hour == 12:
            hour = 12 if pm else 0
        elif pm and hour < 12:
            hour += 12
    try:
        return dt.datetime(date[0], date[1], date[2], hour, int(mm), int(ss) if ss else 0)
    except ValueError:
        return None


def _build(current: dict, more: list[str], owner: str, media: dict[str, ZipMedia]) -> Record:
    rest: str = current["rest"]
    sender = ""
    body = rest
    cut = rest.find(": ", 1, 82)  # the sender: the first ": " after 1 to 80 characters
    if cut > 0 and '"' not in rest[:cut] and "\u201c" not in rest[:cut]:
        sender = rest[:cut].strip(_MARKS)
        body = rest[cut + 2 :]
    elif rest.rstrip().endswith(":") and 0 < len(rest.rstrip()) <= 81 and '"' not in rest:
        sender, body = rest.rstrip()[:-1].strip(_MARKS), ""  # an empty message keeps its sender
    led_by_mark = current.get("marked", False)
    body_clean = body.lstrip(_MARKS)
    text = body_clean if not more else body_clean + "\n" + "\n".join(more)
    extra = {"raw_time": current["raw_time"]}
    position = f"line {current['line']}"
    when = current["when"]
    system = not sender
    if sender and led_by_mark and any(h in body_clean for h in _SYSTEM_HINTS):
        system = True
    direction = ("out" if sender == owner else "in") if owner and sender else ""
    call = _CALL.match(body_clean) if not more and body_clean[:1] in "MmGgVv" and len(body_clean) < 80 else None
    if call and not system and len(body_clean) < 80:
        missed = bool(call.group(1))
        seconds = None
        if call.group(3):
            unit = call.group(4).lower()[0]
            seconds = int(call.group(3)) * (3600 if unit == "h" else 60 if unit == "m" else 1)
        extra["call_media"] = call.group(2).lower()
        if missed:
            kind = "missed"
        elif direction == "out":
            kind = "outgoing"
        else:
            kind = "incoming" if direction == "in" else ""
        return make_record(
            kind="call",
            channel=FORMAT,
            local_time=when,
            sender=sender,
            text=text,
            direction=direction or ("in" if missed and sender and sender != owner else ""),
            call_seconds=seconds if not missed else 0,
            call_kind=kind,
            position=position,
            extra=extra,
        )
    attachments: tuple[Attachment, ...] = ()
    first = body_clean
    a = (_ATTACHED_IOS.search(first) if "<attached: " in first else None) or (_ATTACHED_ANDROID.match(first) if " (" in first else None)
    if a:
        name = a.group(1).strip()
        known = media.get(name)
        attachments = (Attachment(name=name, media_type=mimetypes.guess_type(name)[0] or "", size=known.size if known else None),)
        if media and not known:
            extra["attachment_missing"] = "1"
    elif (first[:1] == "<" or "omitted" in first or "weggelassen" in first) and _OMITTED.search(first):
        extra["media_omitted"] = "1"
    elif first in _VIEW_ONCE and not more and sender:
        extra["media_omitted"] = extra["view_once"] = "1"
        text = ""
    if first.startswith(_DELETED):
        extra["deleted"] = "1"
    return make_record(
        kind="message",
        channel=FORMAT,
        local_time=when,
        sender=sender,
        text=text,
        direction=direction,
        attachments=attachments,
        system=system,
        position=position,
        extra=extra,
    )
