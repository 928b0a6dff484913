"""The format registry: which parser reads a file, and a streamed summary of what it holds.

- ``FORMATS``: id -> parser module (each has ``FORMAT``, ``LABEL``, ``detect(head, name)``, ``parse(source, options)``).
- ``detect(head, name)``: the parser module for a file, from its first 64 KiB and name; raises ``ImportFormatError``
  with a sentence for the person when the file is empty, binary, another kind of document, or no known export.
- ``open_parser(source, name, options)``: detect and start parsing (the file is rewound first).
- ``summarise(items)``: one streamed pass: participants with counts, messages, calls, first/last time, warnings.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import BinaryIO

from imports.formats import sms_xml, whatsapp
from imports.formats._text import head_text, looks_binary, read_head, sniff_encoding
from imports.records import ImportFormatError, ParseOptions, ParseWarning, Record

HEAD_BYTES = 65_536

FORMATS: dict[str, ModuleType] = {m.FORMAT: m for m in (whatsapp, sms_xml)}


def _register_optional() -> None:
    import importlib

    for name in ("telegram", "messenger", "instagram", "mail", "signal", "csv_generic"):
        try:
            module = importlib.import_module(f"imports.formats.{name}")
        except ModuleNotFoundError:
            continue
        FORMATS[module.FORMAT] = module


_register_optional()

# Order matters: the most specific signatures first.
_ORDER = ("sms_xml", "telegram", "instagram", "messenger", "signal", "email", "csv", "whatsapp")

_OTHER_KINDS = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG photo"),
    (b"GIF8", "a GIF picture"),
    (b"RIFF", "an audio, video or picture file"),
    (b"SQLite format 3", "a database file (for example a phone's message database)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
    (b"\x1f\x8b", "a compressed (gzip) file"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"ID3", "an audio recording"),
    (b"OggS", "an audio recording"),
)


def accepted_labels() -> str:
    labels = [FORMATS[f].LABEL for f in ("whatsapp", "signal", "sms_xml", "telegram", "messenger", "instagram", "email", "csv") if f in FORMATS]
    return "; ".join(labels)


def _other_kind(head: bytes, name: str) -> str:
    for magic, what in _OTHER_KINDS:
        if head.startswith(magic):
            return what
    if head[4:8] == b"ftyp":
        return "a video or photo (MP4/MOV/HEIC)"
    if head.startswith(b"PK\x03\x04"):
        if b"word/" in head[:4096]:
            return "a Word document"
        if b"xl/" in head[:4096]:
            return "an Excel spreadsheet"
        return ""
    text = head_text(head).lstrip()[:2048].lower()
    if text.startswith(("<!doctype html", "<html")):
        if "telegram" in text or "messages.html" in name.lower():
            return "Telegram's HTML export (please export the chat again choosing 'Machine-readable JSON')"
        return "a web page (HTML)"
    return ""


def detect(head: bytes, name: str) -> ModuleType:
    """The parser module for a file from its first 64 KiB and name, or ``ImportFormatError`` saying why not."""
    head = head[:HEAD_BYTES]
    if not head or not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise ImportFormatError("This file is empty.", "whole file")
    other = _other_kind(head, name)
    if other:
        raise ImportFormatError(f"This looks like {other}, not a chat export. Daybook can read: {accepted_labels()}.", "file type")
    for fmt in _ORDER:
        module = FORMATS.get(fmt)
        if module is not None and module.detect(head, name):
            return module
    encoding, _ = sniff_encoding(head)
    if encoding == "binary" or looks_binary(head[:4096]) and encoding == "utf-8":
        raise ImportFormatError(f"This file holds binary data, not a chat export. Daybook can read: {accepted_labels()}.", "at the start")
    if head.startswith(b"PK\x03\x04"):
        raise ImportFormatError(f"This zip file is not a WhatsApp export (no chat .txt file was found). Daybook can read: {accepted_labels()}.", "whole zip")
    raise ImportFormatError(f"Daybook does not recognise this file as an export it can read. It can read: {accepted_labels()}.", "the first lines")


def open_parser(source: BinaryIO, name: str, options: ParseOptions | None = None) -> tuple[ModuleType, Iterator[Record | ParseWarning]]:
    """Detect the format of ``source`` and return (module, iterator of records and warnings). Rewinds first."""
    source.seek(0)
    head = read_head(source, HEAD_BYTES)
    module = detect(head, name)
    source.seek(0)
    return module, module.parse(source, options or ParseOptions())


@dataclass
class Participant:
    name: str
    messages: int = 0
    calls: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None


@dataclass
class Summary:
    participants: list[Participant] = field(default_factory=list)  # most active first
    messages: int = 0
    calls: int = 0
    system: int = 0  # system lines ("X added Y"): never counted as messages
    undated: int = 0  # records kept without a readable time (counted in messages, on no day)
    attachments: int = 0
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    warnings: list[ParseWarning] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return self.messages + self.calls


MAX_SUMMARY_WARNINGS = 50


def summarise(items: Iterable[Record | ParseWarning]) -> Summary:
    """One streamed pass over a parser's output (nothing kept but counts)."""
    summary = Summary()
    people: dict[str, Participant] = {}
    channels: Counter[str] = Counter()
    for item in items:
        if isinstance(item, ParseWarning):
            if len(summary.warnings) < MAX_SUMMARY_WARNINGS:
                summary.warnings.append(item)
            continue
        if item.system:
            summary.system += 1
            continue
        when = item.local_time if item.time_known else None
        if when is None:
            summary.undated += 1
        else:
            if summary.first is None or when < summary.first:
                summary.first = when
            if summary.last is None or when > summary.last:
                summary.last = when
        channels[item.channel] += 1
        summary.attachments += len(item.attachments)
        person = people.get(item.sender)
        if person is None:
            person = people[item.sender] = Participant(item.sender)
        if item.kind == "call":
            summary.calls += 1
            person.calls += 1
        else:
            summary.messages += 1
            person.messages += 1
        if when is not None and (person.first is None or when < person.first):
            person.first = when
        if when is not None and (person.last is None or when > person.last):
            person.last = when
    summary.participants = sorted(people.values(), key=lambda p: (-(p.messages + p.calls), p.name))
    summary.channels = dict(channels)
    return summary
