"""Signal: the exports made by the common Signal Desktop export tool (``signal-export``): ``chat.md`` (plain text or
markdown, one message a line) and ``data.json`` (one JSON object a line, or a JSON list of the same objects).

Text lines look like ``[2024-03-12 21:05:33] Alex Smith: text`` (older versions: ``[2024-03-12, 21:05] ...``); a
line without that header continues the message before it. Attachments are markdown links ``[name](./path)`` (``!``
before them for pictures), a deleted message is ``(This message was deleted)``, reactions a last line
``(- Name: emoji, ... -)``, a quoted message lines starting ``>``. JSON objects carry ``date`` (ISO, the computer's
wall clock), ``sender``, ``body``, ``quote``, ``attachments`` ([{name, path}]), ``reactions``, ``sticker``,
``deleted``, ``call`` and ``missed``. Times carry no zone: they are returned naive. The export tool names the
person's own messages ``Me``.

Signal's own in-app backup is encrypted and cannot be read; nothing here is ever labelled WhatsApp.
"""

from __future__ import annotations

import datetime as dt
import json
import mimetypes
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from imports.formats._json import JsonStream
from imports.formats._text import LineReader, head_text, seekable_copy
from imports.formats.whatsapp import unmark
from imports.records import Attachment, ImportFormatError, ParseOptions, ParseWarning, Record

FORMAT = "signal"
LABEL = "Signal chat export (from Signal Desktop)"
CHANNEL = "signal"
OWN = "Me"  # how the export tool names the person's own messages

HEADER = re.compile(r"\[(\d{4})-(\d{2})-(\d{2}),? (\d{2}):(\d{2})(?::(\d{2}))?\] (.{1,120}?): ?")
_STRICT = re.compile(r"\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\] ")  # WhatsApp always writes a comma after the date
_LINK = re.compile(r"!?\[([^\[\]\n]{0,255})\]\((\./[^()\n]{1,500})\)")
_REACTIONS = re.compile(r"^\(- (.*) -\)$")
_STICKER = re.compile(r"^\(\( (.*) \)\)$")
_DELETED = "(This message was deleted)"
_JSON_KEYS = ('"sender"', '"body"', '"date"')


def detect(head: bytes, name: str) -> bool:
    text = head_text(head)
    lower = name.lower()
    if _json_kind(text):
        sample = text[:8192]
        return all(k in sample for k in _JSON_KEYS) and ('"quote"' in sample or '"reactions"' in sample) and '"sender_name"' not in sample
    lines = [unmark(line) for line in text.splitlines()[:40]]
    hits = sum(1 for line in lines if HEADER.match(line))
    if not hits:
        return False
    strict = sum(1 for line in lines if _STRICT.match(line))
    return lower.endswith(".md") or "signal" in lower or strict == hits or any(_LINK.search(line) for line in lines)


def _json_kind(text: str) -> str:
    """'{' for JSON lines, '[' for a JSON list, '' for text (whose lines also start with '[')."""
    start = text.lstrip()
    if start.startswith("{"):
        return "{"
    return "[" if re.match(r"\[\s*[{\]]", start) else ""


def parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    source = seekable_copy(source)
    start = source.tell()
    head = source.read(4096)
    source.seek(start)
    kind = _json_kind(head_text(head))
    if kind == "[":
        yield from _json_list(source, options)
    elif kind == "{":
        yield from _json_lines(source, options)
    else:
        yield from _text(source, options)


# ------------------------------------------------------------------------------------------------ chat.md


def _text(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    reader = LineReader(source, options, what="Signal export")
    max_chars = options.max_line_chars * 16
    current: tuple[dt.datetime, str, int, str] | None = None
    more: list[str] = []
    size = 0
    count = 0
    bad = 0
    for item in reader:
        if isinstance(item, ParseWarning):
            yield item
            continue
        number, line = item
        line = unmark(line)
        m = HEADER.match(line)
        when = _time(m) if m else None
        if m and when is None:
            bad += 1
        if when is not None:
            if current is not None:
                yield _from_text(current, more, options)
                count += 1
                if count >= options.max_records:
                    yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", f"line {number}")
                    return
            current = (when, m.group(7).strip(), number, line[m.end() :])  # type: ignore[union-attr]
            more, size = [], 0
        elif current is not None:
            size += len(line) + 1
            if size <= max_chars:
                more.append(line)
    if current is not None:
        yield _from_text(current, more, options)
        count += 1
    if count == 0:
        raise ImportFormatError("No Signal messages were found in this file: no line starts with [date time] and a name.", "whole file")
    if bad:
        yield ParseWarning(
            f"{bad} line(s) started like a message but had an impossible date or time; they were kept with the message before them.", "whole file"
        )


def _time(m: re.Match) -> dt.datetime | None:
    y, mo, d, hh, mm, ss = m.group(1, 2, 3, 4, 5, 6)
    try:
        return dt.datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0))
    except ValueError:
        return None


def _from_text(current: tuple[dt.datetime, str, int, str], more: list[str], options: ParseOptions) -> Record:
    when, sender, number, first = current
    lines = [first, *more]
    while len(lines) > 1 and not lines[-1].strip():
        lines.pop()
    extra: dict[str, str] = {}
    if lines and (r := _REACTIONS.match(lines[-1])) is not None and len(lines) > 1:
        extra["reactions"] = r.group(1)[:500]
        lines.pop()
    if lines and (s := _STICKER.match(lines[-1])) is not None and len(lines) > 1:
        extra["sticker"] = s.group(1)[:100]
        lines.pop()
    text = "\n".join(lines)
    attachments = tuple(_attachment(name, path) for name, path in _LINK.findall(text))
    if attachments:
        text = _LINK.sub("", text).strip()
    if text == _DELETED:
        extra["deleted"] = "1"
    return _record(when, sender, text, attachments, extra, f"line {number}", options)


def _attachment(name: str, path: str) -> Attachment:
    base = path.rsplit("/", 1)[-1]
    shown = name or base
    return Attachment(name=shown[:255], media_type=mimetypes.guess_type(base)[0] or "")


def _record(
    when: dt.datetime,
    sender: str,
    text: str,
    attachments: tuple[Attachment, ...],
    extra: dict[str, str],
    position: str,
    options: ParseOptions,
    *,
    call: str = "",
) -> Record:
    own = sender == OWN or (options.account_owner and sender == options.account_owner)
    direction = "out" if own else "in"
    if call:
        kind = "missed" if call == "missed" else ("outgoing" if own else "incoming")
        return Record(
            kind="call",
            channel=CHANNEL,
            local_time=when,
            sender=sender,
            text=text,
            direction=direction,
            call_kind=kind,
            call_seconds=0 if call == "missed" else None,
            position=position,
            extra=extra,
        )
    return Record(
        kind="message", channel=CHANNEL, local_time=when, sender=sender, text=text, direction=direction, attachments=attachments, position=position, extra=extra
    )


# ------------------------------------------------------------------------------------------------ data.json


def _json_lines(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    reader = LineReader(source, options, what="Signal export")
    count = bad = 0
    for item in reader:
        if isinstance(item, ParseWarning):
            yield item
            continue
        number, line = item
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        record = _from_json(value, f"line {number}", options)
        if record is None:
            bad += 1
            if bad <= 5:
                yield ParseWarning("A line of this Signal export is not a message Daybook can read, so it was skipped.", f"line {number}")
            continue
        count += 1
        yield record
        if count >= options.max_records:
            yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", f"line {number}")
            return
    if count == 0:
        raise ImportFormatError("No Signal messages were found in this file.", "whole file")
    if bad > 5:
        yield ParseWarning(f"{bad} lines of this Signal export could not be read and were skipped.", "whole file")


def _json_list(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    stream = JsonStream(source, what="Signal export")
    count = bad = 0
    for index in stream.array():
        where = f"message {index + 1} ({stream.where()})"
        record = _from_json(stream.load(), where, options)
        if record is None:
            bad += 1
            continue
        count += 1
        yield record
        if count >= options.max_records:
            yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", where)
            return
    if count == 0:
        raise ImportFormatError("No Signal messages were found in this file.", "whole file")
    if bad:
        yield ParseWarning(f"{bad} item(s) of this Signal export were not messages with a readable date and were skipped.", "whole file")


def _from_json(value: Any, position: str, options: ParseOptions) -> Record | None:
    if not isinstance(value, dict) or not isinstance(value.get("date"), str):
        return None
    try:
        when = dt.datetime.fromisoformat(value["date"][:26])
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.replace(tzinfo=None)  # the export tool writes the computer's wall clock
    sender = unmark(str(value.get("sender") or ""))
    body = unmark(str(value.get("body") or ""))
    extra: dict[str, str] = {}
    quote = value.get("quote")
    if isinstance(quote, str) and quote.strip():
        extra["quote"] = unmark(quote)[:500]
    reactions = value.get("reactions")
    if isinstance(reactions, list) and reactions:
        extra["reactions"] = ", ".join(": ".join(str(x) for x in r) if isinstance(r, list) else str(r) for r in reactions)[:500]
    if value.get("deleted") is True:
        extra["deleted"] = "1"
    attachments: list[Attachment] = []
    for item in value.get("attachments") or []:
        if isinstance(item, dict) and isinstance(item.get("path") or item.get("name"), str):
            attachments.append(_attachment(unmark(str(item.get("name") or "")), str(item.get("path") or item.get("name"))))
    sticker = value.get("sticker")
    if isinstance(sticker, dict):
        extra["sticker"] = str(sticker.get("emoji") or "sticker")[:100]
    call = ("missed" if value.get("missed") is True else "call") if value.get("call") is True else ""
    limit = options.max_line_chars * 16
    return _record(when, sender, body[:limit], tuple(attachments), extra, position, options, call=call)
