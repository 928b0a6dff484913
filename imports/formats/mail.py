"""E-mail: one message (``.eml``) or a mailbox (``.mbox``, many messages split on ``From `` lines).

The mailbox is read line by line (each line bounded); one message at a time is handed to the standard library's
``email`` parser (``policy.default``). Plain text is preferred; HTML is reduced to its text. Attachments are listed
by name. The ``Date`` header gives the absolute instant (``utc_time``); when it is missing or invalid the newest
``Received`` header's date is used, with a warning.
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
from imports.records import Attachment, ImportFormatError, ParseOptions, ParseWarning, Record

FORMAT = "email"
LABEL = "E-mail (.eml or .mbox)"

MAX_MESSAGE_BYTES = 64 << 20
_HEADER = re.compile(
    r"^(Return-Path|Received|From|To|Cc|Subject|Date|Message-ID|MIME-Version|Delivered-To|X-[\w-]+|DKIM-Signature|Authentication-Results|ARC-[\w-]+|Reply-To|Content-Type|In-Reply-To|References|Sender)\s*:",
    re.IGNORECASE,
)
_FROM_LINE = re.compile(rb"^From \S+.*\d{4}\s*$|^From \S+ +\w{3} \w{3}")


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
        raise ImportFormatError("This file does not look like an e-mail: it has no sender and no date.", "headers")
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

    def flush() -> Iterator[Record | ParseWarning]:
        nonlocal index, count
        index += 1
        record, problems = _message(b"".join(lines), options, index, f"message {index} (line {start_line})")
        yield from problems
        if too_big:
            yield ParseWarning(f"This message is larger than {MAX_MESSAGE_BYTES >> 20} MiB; only its start was read.", f"message {index} (line {start_line})")
        if record is not None:
            count += 1
            yield record
        else:
            yield ParseWarning("A message in this mailbox has no sender and no date, so it was skipped.", f"message {index} (line {start_line})")

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


def _date(msg: EmailMessage) -> tuple[dt.datetime | None, str]:
    raw = msg.get("Date")
    for candidate, note in ((raw, ""), *((r.rsplit(";", 1)[-1], "received") for r in (msg.get_all("Received") or [])[:1])):
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
        return when.astimezone(dt.UTC), note
    return None, ""


def _message(data: bytes, options: ParseOptions, index: int, where: str) -> tuple[Record | None, list[ParseWarning]]:
    problems: list[ParseWarning] = []
    try:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        sender = ", ".join(_addresses([str(v) for v in msg.get_all("From") or []]))
        recipients = tuple(_addresses([str(v) for h in ("To", "Cc") for v in msg.get_all(h) or []]))
        subject = str(msg.get("Subject") or "")
        message_id = str(msg.get("Message-ID") or "").strip()
        when, note = _date(msg)
    except Exception:  # noqa: BLE001 - the email package raises many kinds of errors on damaged headers
        return None, [ParseWarning("The headers of an e-mail could not be read.", where)]
    if when is None:
        if not sender:
            return None, problems
        problems.append(ParseWarning("An e-mail has no readable date, so it was skipped.", where))
        return None, problems
    if note:
        problems.append(ParseWarning("An e-mail's Date header is missing or invalid; the time its mail server received it was used instead.", where))
    body = ""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is not None:
            content = part.get_content()
            if isinstance(content, bytes):
                content = content.decode("utf-8", errors="replace")
            body = html_to_text(content) if part.get_content_type() == "text/html" else content
    except Exception:  # noqa: BLE001 - unknown charsets, broken transfer encodings
        problems.append(ParseWarning("The text of an e-mail could not be read; its headers were kept.", where))
    attachments: list[Attachment] = []
    try:
        for attachment in msg.iter_attachments():
            payload = attachment.get_payload(decode=True)
            attachments.append(
                Attachment(
                    name=str(attachment.get_filename() or ""),
                    media_type=attachment.get_content_type(),
                    size=len(payload) if isinstance(payload, bytes) else None,
                )
            )
    except Exception:  # noqa: BLE001
        problems.append(ParseWarning("The attachments of an e-mail could not be listed.", where))
    limit = options.max_line_chars * 16
    text = (f"Subject: {subject}\n\n" if subject else "") + body.strip()
    if len(text) > limit:
        text = text[:limit]
        problems.append(ParseWarning("An e-mail is extremely long; only its start was kept.", where))
    owner = options.account_owner.lower()
    direction = ("out" if owner in sender.lower() else "in") if owner and sender else ""
    extra = {"subject": subject[:500]} if subject else {}
    if msg.get("In-Reply-To"):
        extra["in_reply_to"] = str(msg.get("In-Reply-To"))[:500]
    if msg.get("Date"):
        extra["raw_time"] = str(msg.get("Date"))[:200]
    record = Record(
        kind="message",
        channel=FORMAT,
        local_time=london_naive(when),
        utc_time=when,
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
