"""E-mail: one message (``.eml``) or a mailbox (``.mbox``, many messages split on ``From `` lines).

The mailbox is read line by line (each line bounded); one message at a time is handed to the standard library's
``email`` parser (``policy.default``). Plain text is preferred; HTML is reduced to its text. Attachments are listed
by name; every other text part of a multipart message (quoted-printable, base64, HTML) is text too. The ``Date``
header gives the absolute instant (``utc_time``); when it is missing or invalid the newest ``Received`` header's date
is used, then the date on the mbox ``From `` line (a wall-clock time without a zone), each with a warning. An e-mail
with no readable date at all is kept with its date unknown (``time_known`` False) and a warning naming it; it is
never the loss of the file. Each header is read on its own, so one damaged header does not lose the others.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser
from typing import BinaryIO

from imports.formats._text import head_text, london_naive
from imports.records import UNKNOWN_TIME, Attachment, ImportFormatError, ParseOptions, ParseWarning, Record

FORMAT = "email"
LABEL = "E-mail (.eml or .mbox)"

MAX_MESSAGE_BYTES = 64 << 20
_HEADER = re.compile(
    r"^(Return-Path|Received|From|To|Cc|Subject|Date|Message-ID|MIME-Version|Delivered-To|X-[\w-]+|DKIM-Signature|Authentication-Results|ARC-[\w-]+|Reply-To|Content-Type|In-Reply-To|References|Sender)\s*:",
    re.IGNORECASE,
)
_FROM_LINE = re.compile(rb"^From \S+.*\d{4}\s*$|^From \S+ +\w{3} \w{3}")
_FROM_DATE = re.compile(r"(\w{3}) +(\w{3}) +(\d{1,2}) +(\d{1,2}:\d{2}(?::\d{2})?) +(?:[A-Z]{2,5} +|[+-]\d{4} +)?(\d{4})")
MAX_DEPTH = 20


def detect(head: bytes, name: str) -> bool:
    text = head_text(head)
    if text.startswith("From ") and _HEADER.search("\n".join(text.splitlines()[1:20])) is not None:
        return True
    lines = text.splitlines()[:40]
    if not lines or not _HEADER.match(lines[0]):
        return False
    hits = sum(1 for line in lines if _HEADER.match(line))
    return hits >= 2


class _Text(HTMLParser):
    BLOCK = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "table", "hr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "head", "title"):
            self.hidden += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title"):
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _Text()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # noqa: BLE001, S110 - html.parser on hostile markup: keep what was read
        parser.parts.append("")
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    return text.strip()


def parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    start = source.tell()
    first = source.read(5)
    source.seek(start)
    if first.lstrip(b"\xef\xbb\xbf").startswith(b"From "):
        yield from _mbox(source, options)
        return
    data = source.read(MAX_MESSAGE_BYTES + 1)
    warnings = []
    if len(data) > MAX_MESSAGE_BYTES:
        data = data[:MAX_MESSAGE_BYTES]
        warnings.append(ParseWarning(f"This e-mail is larger than {MAX_MESSAGE_BYTES >> 20} MiB; only its start was read.", "whole file"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    record, problems = _message(data, options, 1, "the e-mail")
    if record is None:
        raise ImportFormatError("This file does not look like an e-mail: Daybook could not read its headers.", "headers")
    yield from warnings
    yield from problems
    yield record


def _mbox(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    limit = max(options.max_line_chars * 4, 1024)
    lines: list[bytes] = []
    size = 0
    start_line = 0
    number = 0
    index = 0
    count = 0
    previous_blank = True
    too_big = False
    from_date: dt.datetime | None = None

    def flush() -> Iterator[Record | ParseWarning]:
        nonlocal index, count
        index += 1
        record, problems = _message(b"".join(lines), options, index, f"message {index} (line {start_line})", from_date)
        yield from problems
        if too_big:
            yield ParseWarning(f"This message is larger than {MAX_MESSAGE_BYTES >> 20} MiB; only its start was read.", f"message {index} (line {start_line})")
        if record is not None:
            count += 1
            yield record
        else:
            yield ParseWarning("A message in this mailbox could not be read at all, so it was skipped.", f"message {index} (line {start_line})")

    while True:
        line = source.readline(limit)
        if not line:
            break
        number += 1
        if len(line) == limit and not line.endswith(b"\n"):
            rest = line
            while rest and not rest.endswith(b"\n"):
                rest = source.readline(limit)
            line += b"\n"
        if line.startswith(b"From ") and previous_blank and _FROM_LINE.match(line.rstrip(b"\r\n")):
            if lines or start_line:
                yield from flush()
                if count >= options.max_records:
                    yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", f"line {number}")
                    return
            lines, size, start_line, too_big = [], 0, number, False
            from_date = from_line_date(line.decode("latin-1"))
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]  # mboxrd quoting
        if size + len(line) > MAX_MESSAGE_BYTES:
            too_big = True
            continue
        lines.append(line)
        size += len(line)
    if lines or start_line:
        yield from flush()
    if count == 0:
        raise ImportFormatError("No e-mails could be read from this mailbox file.", "whole file")


def _addresses(values: list[str]) -> list[str]:
    out = []
    for name, addr in getaddresses(values):
        if name and addr:
            out.append(f"{name} <{addr}>")
        elif addr or name:
            out.append(addr or name)
    return out


def from_line_date(line: str) -> dt.datetime | None:
    """The date on an mbox ``From `` line (``From alex@example.com Tue Mar 12 21:05:33 2024``), naive; None if unreadable."""
    m = _FROM_DATE.search(line)
    if m is None:
        return None
    _, month, day, clock, year = m.groups()
    try:
        return dt.datetime.strptime(f"{year} {month} {day} {clock if clock.count(':') == 2 else clock + ':00'}", "%Y %b %d %H:%M:%S")
    except ValueError:
        return None


def _raw(msg: EmailMessage, name: str) -> list[str]:
    """Every value of a header as written (unfolded), never parsed: a damaged header cannot raise here."""
    return [str(v) for k, v in msg.raw_items() if k.lower() == name.lower()]


def _header(msg: EmailMessage, name: str) -> list[str]:
    """Every value of a header, decoded; a header the e-mail package cannot parse is given as written."""
    try:
        return [str(v) for v in msg.get_all(name) or []]
    except Exception:  # noqa: BLE001 - the e-mail package raises many kinds of errors on damaged headers
        return _raw(msg, name)


def _date(msg: EmailMessage) -> tuple[dt.datetime | None, str]:
    raw = (_raw(msg, "Date") or [""])[0]
    for candidate, note in ((raw, ""), *((r.rsplit(";", 1)[-1], "received") for r in _raw(msg, "Received")[:1])):
        if not candidate:
            continue
        try:
            when = parsedate_to_datetime(str(candidate).strip())
        except (TypeError, ValueError, IndexError, OverflowError):
            continue
        if when is None:
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        try:
            return when.astimezone(dt.UTC), note
        except (OverflowError, ValueError):
            continue
    return None, ""


def _message(data: bytes, options: ParseOptions, index: int, where: str, from_date: dt.datetime | None = None) -> tuple[Record | None, list[ParseWarning]]:
    problems: list[ParseWarning] = []
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
    except Exception:  # noqa: BLE001 - the email package raises many kinds of errors on damaged input
        return None, [ParseWarning("The headers of an e-mail could not be read.", where)]
    sender = ", ".join(_addresses(_header(msg, "From")))
    recipients = tuple(_addresses([v for h in ("To", "Cc") for v in _header(msg, h)]))
    subject = (_header(msg, "Subject") or [""])[0]
    message_id = (_header(msg, "Message-ID") or [""])[0].strip()
    when, note = _date(msg)
    local: dt.datetime | None = london_naive(when) if when is not None else None
    who = f" from {sender[:80]}" if sender else ""
    if when is None and from_date is not None:
        local = from_date
        problems.append(
            ParseWarning(
                f"An e-mail{who} has no readable Date header; the date on the mailbox's From line was used (a clock time with no zone: "
                "your chosen time zone applies).",
                where,
            )
        )
    elif when is None:
        problems.append(ParseWarning(f"An e-mail{who} has no readable date; it is kept with its date unknown and is on no day of the diary.", where))
    if note:
        problems.append(ParseWarning("An e-mail's Date header is missing or invalid; the time its mail server received it was used instead.", where))
    texts, attachments = _parts(msg, problems, where)
    body = "\n\n".join(t.strip() for t in texts if t.strip())
    limit = options.max_line_chars * 16
    text = (f"Subject: {subject}\n\n" if subject else "") + body.strip()
    if len(text) > limit:
        text = text[:limit]
        problems.append(ParseWarning("An e-mail is extremely long; only its start was kept.", where))
    owner = options.account_owner.lower()
    direction = ("out" if owner in sender.lower() else "in") if owner and sender else ""
    extra = {"subject": subject[:500]} if subject else {}
    reply = _raw(msg, "In-Reply-To")
    if reply:
        extra["in_reply_to"] = reply[0][:500]
    raw_date = _raw(msg, "Date")
    if raw_date:
        extra["raw_time"] = raw_date[0][:200]
    if local is None:
        if not sender and not body.strip() and not subject:
            return None, problems[:-1]  # nothing that makes it an e-mail
        extra["date_unknown"] = "1"
    record = Record(
        kind="message",
        channel=FORMAT,
        local_time=local or UNKNOWN_TIME,
        utc_time=when,
        time_known=local is not None,
        sender=sender,
        recipients=recipients,
        text=text,
        direction=direction,
        attachments=tuple(attachments),
        position=where,
        source_id=message_id[:500],
        extra=extra,
    )
    return record, problems


def _parts(msg: EmailMessage, problems: list[ParseWarning], where: str) -> tuple[list[str], list[Attachment]]:
    """Every text part of the message (plain preferred over HTML within an alternative) and every attachment."""
    texts: list[str] = []
    attachments: list[Attachment] = []
    failed = False

    def visit(part: EmailMessage, depth: int) -> None:
        nonlocal failed
        if depth > MAX_DEPTH:
            return
        if part.is_multipart():
            children = [c for c in part.iter_parts() if isinstance(c, EmailMessage)]
            if part.get_content_subtype() == "alternative" and children:
                by_type = {c.get_content_type(): c for c in reversed(children)}
                children = [by_type.get("text/plain") or by_type.get("text/html") or children[-1]]
            for child in children:
                visit(child, depth + 1)
            return
        ctype = part.get_content_type()
        try:
            filename = part.get_filename()
            disposition = part.get_content_disposition()
        except Exception:  # noqa: BLE001
            filename, disposition = None, None
        if ctype in ("text/plain", "text/html") and not filename and disposition != "attachment":
            text = _decoded_text(part)
            if text is None:
                failed = True
            else:
                texts.append(html_to_text(text) if ctype == "text/html" else text)
            return
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001
            payload = None
        attachments.append(Attachment(name=str(filename or ""), media_type=ctype, size=len(payload) if isinstance(payload, bytes) else None))

    visit(msg, 0)
    if failed:
        problems.append(ParseWarning("Part of the text of an e-mail could not be read; the rest was kept.", where))
    return texts, attachments


def _decoded_text(part: EmailMessage) -> str | None:
    """A text part decoded (quoted-printable or base64, its charset, or UTF-8 when the charset is unknown)."""
    try:
        content = part.get_content()
        return content.decode("utf-8", errors="replace") if isinstance(content, bytes) else str(content)
    except Exception:  # noqa: BLE001 - unknown charsets, broken transfer encodings
        try:
            payload = part.get_payload(decode=True)
        except Exception:  # noqa: BLE001
            return None
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else None
