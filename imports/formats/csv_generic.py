"""Daybook's generic CSV, for anything else (documented in imports/README.md).

A header row is required. Columns (any order, case does not matter): ``date``, ``time``, ``from``, ``text`` (required),
``to``, ``channel``, ``kind``, ``duration_seconds``, ``direction`` (optional). Comma, semicolon or tab separated;
UTF-8 with or without a byte-order mark (UTF-16 is also read).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from typing import BinaryIO

from imports.formats._text import LineReader, head_text, london_naive
from imports.records import ImportFormatError, ParseOptions, ParseWarning, Record

FORMAT = "csv"
LABEL = "Spreadsheet (CSV) in Daybook's simple layout"

REQUIRED = ("date", "time", "from", "text")
OPTIONAL = ("to", "channel", "kind", "duration_seconds", "direction")
MAX_ROW_WARNINGS = 20
CALL_KINDS = {
    "call": "",
    "incoming call": "incoming",
    "incoming": "incoming",
    "outgoing call": "outgoing",
    "outgoing": "outgoing",
    "missed call": "missed",
    "missed": "missed",
    "rejected call": "rejected",
    "rejected": "rejected",
    "blocked call": "blocked",
    "blocked": "blocked",
    "voicemail": "voicemail",
}
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")


def _split_header(line: str) -> tuple[list[str], str]:
    best = ","
    for delimiter in (",", ";", "\t"):
        if line.count(delimiter) > line.count(best):
            best = delimiter
    return [c.strip().strip('"').strip().lower() for c in line.split(best)], best


def detect(head: bytes, name: str) -> bool:
    text = head_text(head)
    first = text.split("\n", 1)[0].strip("\r")
    columns, _ = _split_header(first)
    return all(c in columns for c in ("date", "from", "text"))


def _date(value: str) -> dt.date:
    value = value.strip()
    if _ISO.match(value):
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in value.split("-")))
    m = _UK.match(value)
    if m:
        year = int(m.group(3))
        return dt.date(year + 2000 if year < 100 else year, int(m.group(2)), int(m.group(1)))
    raise ValueError("date")


def _time(value: str) -> dt.time:
    m = _TIME.match(value.strip())
    if not m:
        raise ValueError("time")
    return dt.time(int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def _when(date_value: str, time_value: str) -> tuple[dt.datetime, dt.datetime | None]:
    date_value = date_value.strip()
    if ("T" in date_value or " " in date_value) and not time_value.strip():
        parsed = dt.datetime.fromisoformat(date_value.replace("Z", "+00:00"))
        if parsed.tzinfo is not None:
            instant = parsed.astimezone(dt.UTC)
            return london_naive(instant), instant
        return parsed, None
    return dt.datetime.combine(_date(date_value), _time(time_value)), None


def parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    reader = LineReader(source, options, what="spreadsheet")
    pending: list[ParseWarning] = []

    def lines() -> Iterator[str]:
        for item in reader:
            if isinstance(item, ParseWarning):
                pending.append(item)
            else:
                yield item[1].replace("\x00", "") + "\n"

    source_lines = lines()
    header_line = next(source_lines, None)
    yield from pending
    pending.clear()
    if header_line is None or not header_line.strip():
        raise ImportFormatError("This spreadsheet is empty: the first row should name the columns (date, time, from, to, channel, text).", "row 1")
    columns, delimiter = _split_header(header_line.strip("\r\n"))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFormatError(
            f"This spreadsheet's first row must name the columns date, time, from, to, channel and text; it is missing: {', '.join(missing)}.", "row 1"
        )
    index = {name: columns.index(name) for name in (*REQUIRED, *OPTIONAL) if name in columns}
    rows = csv.reader(source_lines, delimiter=delimiter)
    count = 0
    bad = 0
    first_bad = ""
    owner = options.account_owner
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            where = f"row near line {rows.line_num + 1}"
            if count == 0:
                raise ImportFormatError(f"This spreadsheet cannot be read ({exc}).", where) from None
            yield ParseWarning(f"The spreadsheet is damaged ({exc}); the {count:,} rows before that were read.", where)
            return
        yield from pending
        pending.clear()
        line = rows.line_num + 1
        if not any(cell.strip() for cell in row):
            continue

        def cell(name: str, row: list[str] = row) -> str:
            i = index.get(name)
            return row[i].strip() if i is not None and i < len(row) else ""

        try:
            local, instant = _when(cell("date"), cell("time"))
        except ValueError:
            bad += 1
            first_bad = first_bad or f"line {line}"
            if bad <= MAX_ROW_WARNINGS:
                yield ParseWarning(
                    f"A row has a date or time Daybook cannot read ({cell('date')[:40]!r} {cell('time')[:20]!r}); "
                    "use 2024-03-12 or 12/03/2024 and 21:05. The row was skipped.",
                    f"line {line}",
                )
            continue
        sender = cell("from")
        kind_value = cell("kind").lower()
        direction = cell("direction").lower()
        if direction not in ("in", "out"):
            direction = ("out" if sender == owner else "in") if owner and sender else ""
        recipients = tuple(p.strip() for p in re.split(r"[;|]", cell("to")) if p.strip())
        channel = cell("channel").lower()[:40] or "csv"
        common = {"channel": channel, "local_time": local, "utc_time": instant, "sender": sender, "recipients": recipients, "position": f"line {line}"}
        if kind_value in CALL_KINDS:
            duration = cell("duration_seconds")
            try:
                seconds = int(float(duration)) if duration else None
            except ValueError:
                seconds = None
            call_kind = CALL_KINDS[kind_value] or ("outgoing" if direction == "out" else "incoming" if direction == "in" else "")
            record = Record(kind="call", text=cell("text"), direction=direction, call_seconds=seconds, call_kind=call_kind, **common)
        else:
            record = Record(kind="message", text=cell("text"), direction=direction, **common)
        count += 1
        yield record
        if count >= options.max_records:
            yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", f"line {line}")
            return
    yield from pending
    if bad > MAX_ROW_WARNINGS:
        yield ParseWarning(f"{bad:,} rows in all had a date or time Daybook cannot read and were skipped.", f"first at {first_bad}")
    if count == 0:
        if bad:
            raise ImportFormatError(
                "No row of this spreadsheet has a date and time Daybook can read (use 2024-03-12 or 12/03/2024, and 21:05).", f"first at {first_bad}"
            )
        raise ImportFormatError("This spreadsheet has column names but no rows.", "row 2")
