"""Reading text exports safely: encoding sniffing, bounded line reading, clean-up of stray marks.

Everything here streams: a file is read in chunks of ``CHUNK`` bytes and split into lines; a line longer than
``ParseOptions.max_line_chars`` is cut (with a warning) and the rest of it is skipped without being kept, so memory
stays bounded whatever the file holds.
"""

from __future__ import annotations

import codecs
import datetime as dt
import shutil
import tempfile
from collections.abc import Iterator
from typing import BinaryIO
from zoneinfo import ZoneInfo

from imports.records import ImportFormatError, ParseOptions, ParseWarning

CHUNK = 1 << 18  # 256 KiB: bounded memory (decoded text can take 4 bytes a character)
LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
MAX_LONG_LINE_WARNINGS = 10

_GENUINE_FFFD = {"utf-8": b"\xef\xbf\xbd", "utf-16-le": b"\xfd\xff", "utf-16-be": b"\xff\xfd", "cp1252": b""}


def sniff_encoding(head: bytes) -> tuple[str, int]:
    """(codec name, length of the byte-order mark) for the start of a file."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    sample = head[:4096]
    if len(sample) >= 4:
        half = len(sample) // 2
        even, odd = sample[0::2].count(0), sample[1::2].count(0)
        if odd > half * 0.3 and even < half * 0.05:
            return "utf-16-le", 0
        if even > half * 0.3 and odd < half * 0.05:
            return "utf-16-be", 0
    if not _is_utf8(sample):
        if looks_binary(sample):
            return "binary", 0
        return "cp1252", 0
    return "utf-8", 0


def _is_utf8(sample: bytes) -> bool:
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the end of the sample is fine.
        return exc.start >= len(sample) - 3 and exc.reason == "unexpected end of data"


def looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    controls = sum(1 for b in sample[:4096] if b < 9 or 13 < b < 32 and b != 27)
    return controls > len(sample[:4096]) * 0.02


def head_text(head: bytes) -> str:
    """The start of a file as text, for format detection (never fails)."""
    encoding, bom = sniff_encoding(head)
    if encoding == "binary":
        return ""
    text = head[bom:].decode(encoding, errors="replace")
    return text.replace("\ufeff", "")


def clean(text: str) -> str:
    """Remove byte-order marks that appear mid-file (export tools concatenate files) and a trailing CR."""
    if "\ufeff" in text:
        text = text.replace("\ufeff", "")
    if text.endswith("\r"):
        text = text[:-1]
    return text


def seekable_copy(source: BinaryIO) -> BinaryIO:
    """``source`` itself when it can be rewound, otherwise a temporary copy (streamed, spilling to disk)."""
    try:
        if source.seekable():
            return source
    except (AttributeError, ValueError, OSError):
        pass
    copy = tempfile.SpooledTemporaryFile(max_size=32 << 20)  # noqa: SIM115 - returned to the caller
    shutil.copyfileobj(source, copy, CHUNK)
    copy.seek(0)
    return copy


def read_head(source: BinaryIO, size: int = 65_536) -> bytes:
    start = source.tell()
    head = source.read(size)
    source.seek(start)
    return head


class LineReader:
    """Iterates ``(line number, text)`` over a binary file, interleaving ``ParseWarning`` objects.

    Lines are cut at ``options.max_line_chars``; bytes that are not valid in the detected encoding are replaced with
    U+FFFD and reported once.
    """

    def __init__(self, source: BinaryIO, options: ParseOptions, *, what: str = "file") -> None:
        self.source = source
        self.options = options
        self.what = what
        self.start = source.tell()
        head = source.read(4096)
        source.seek(self.start)
        self.encoding, self.bom = sniff_encoding(head)
        if self.encoding == "binary":
            raise ImportFormatError(f"This {what} does not look like text: it holds binary data.", "at the start")

    def rewind(self) -> None:
        self.source.seek(self.start)

    def __iter__(self) -> Iterator[tuple[int, str] | ParseWarning]:
        self.rewind()
        if self.bom:
            self.source.read(self.bom)
        encoding = self.encoding
        if encoding == "cp1252":
            yield ParseWarning(
                "This file is not in UTF-8; Daybook read it as Windows-1252 (Western European). Check names and accents look right.",
                "whole file",
            )
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        genuine = _GENUINE_FFFD.get(encoding, b"")
        limit = self.options.max_line_chars
        pending = ""
        pending_cut = False
        number = 0
        long_lines = 0
        bad_reported = False
        read = self.source.read
        while True:
            raw = read(CHUNK)
            text = decoder.decode(raw, final=not raw)
            if not raw and not text:
                break
            if not bad_reported and "\ufffd" in text and text.count("\ufffd") > (raw.count(genuine) if genuine else 0):
                bad_reported = True
                first_bad = number + 1 + (pending + text[: text.index("\ufffd")]).count("\n")
                yield ParseWarning(f"Some characters in this file are not valid {encoding.upper()} and are shown as \ufffd.", f"first at line {first_bad}")
            if "\ufeff" in text:
                text = text.replace("\ufeff", "")  # byte-order marks mid-file (export tools concatenate files)
            parts = text.split("\n")
            parts[0] = pending + parts[0]
            pending = parts.pop()
            for part in parts:
                number += 1
                if pending_cut:
                    pending_cut = False
                    part = part[:limit]
                elif len(part) > limit:
                    long_lines += 1
                    if long_lines <= MAX_LONG_LINE_WARNINGS:
                        yield self._long_warning(number, len(part))
                    part = part[:limit]
                if part[-1:] == "\r":
                    part = part[:-1]
                yield number, part
            if len(pending) > limit:
                if not pending_cut:
                    long_lines += 1
                    if long_lines <= MAX_LONG_LINE_WARNINGS:
                        yield self._long_warning(number + 1, None)
                pending = pending[:limit]
                pending_cut = True
            if not raw:
                break
        if pending:
            number += 1
            yield number, clean(pending)
        if long_lines > MAX_LONG_LINE_WARNINGS:
            yield ParseWarning(f"{long_lines - MAX_LONG_LINE_WARNINGS} more lines were too long and were cut short.", "")

    def _long_warning(self, number: int, length: int | None) -> ParseWarning:
        size = f" ({length:,} characters)" if length else ""
        return ParseWarning(f"A line is too long{size}; only its first {self.options.max_line_chars:,} characters were read.", f"line {number}")


def london_naive(instant: dt.datetime) -> dt.datetime:
    """An aware instant as a naive Europe/London wall time."""
    return instant.astimezone(LONDON).replace(tzinfo=None)


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = dt.datetime(1970, 1, 1)
_OFFSETS: dict[int, dt.timedelta | None] = {}
_MISSING = dt.timedelta(days=-99_999)


def epoch_ms_times(ms: int) -> tuple[dt.datetime, dt.datetime]:
    """(aware UTC instant, naive Europe/London wall time) for Java epoch milliseconds.

    London's offset is cached per UTC day (recomputed exactly on the two clock-change days a year): this conversion
    is the hot path of a 200 000-record SMS backup.
    """
    delta = dt.timedelta(milliseconds=ms)
    instant = _EPOCH + delta
    day = ms // 86_400_000
    offset = _OFFSETS.get(day, _MISSING)
    if offset is _MISSING:
        start = _EPOCH + dt.timedelta(days=day)
        first = start.astimezone(LONDON).utcoffset()
        last = (start + dt.timedelta(hours=23, minutes=59, seconds=59)).astimezone(LONDON).utcoffset()
        offset = first if first == last else None
        if len(_OFFSETS) > 100_000:
            _OFFSETS.clear()
        _OFFSETS[day] = offset
    if offset is None:
        offset = instant.astimezone(LONDON).utcoffset() or dt.timedelta(0)
    return instant, _EPOCH_NAIVE + delta + offset
