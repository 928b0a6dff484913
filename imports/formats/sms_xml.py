"""SMS Backup & Restore (SyncTech) XML: ``<smses>`` with ``<sms>`` and ``<mms>``, and ``<calls>`` with ``<call>``.

Parsed with the standard library's expat parser fed in 1 MiB chunks (never the whole file). Document type
declarations and entities are refused before anything is expanded (no "billion laughs"). The invalid surrogate-pair
character references the app writes for emoji (``&#55357;&#56832;``) are repaired on the fly. A file that stops
part-way through yields everything read before the break plus a warning.
"""

from __future__ import annotations

import binascii
import codecs
import datetime as dt
import re
from collections.abc import Iterator
from typing import BinaryIO
from xml.parsers import expat

from imports.formats._text import CHUNK, epoch_ms_times, head_text, sniff_encoding
from imports.records import Attachment, ImportFormatError, ParseOptions, ParseWarning, Record

FORMAT = "sms_xml"
LABEL = "SMS Backup & Restore file (text messages or call log)"

SMS_TYPES = {"1": "in", "2": "out", "3": "out", "4": "out", "5": "out", "6": "out"}
SMS_STATUS = {"3": "draft", "4": "outbox", "5": "failed", "6": "queued"}
CALL_TYPES = {"1": "incoming", "2": "outgoing", "3": "missed", "4": "voicemail", "5": "rejected", "6": "blocked", "7": "answered elsewhere"}
NO_NAME = {"", "(Unknown)", "null", "Unknown"}
WITHHELD = {"-1", "-2", "-3", "", "null"}

_CHARREF = re.compile(rb"&#(?:x([0-9a-fA-F]{1,8})|([0-9]{1,10}));(?:&#(?:x([0-9a-fA-F]{1,8})|([0-9]{1,10}));)?")
_DECL = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def detect(head: bytes, name: str) -> bool:
    text = head_text(head)[:65536]
    start = text.lstrip()[:4096]
    return start.startswith("<") and re.search(r"<(smses|calls)[\s>]", text) is not None


def _valid_xml_char(cp: int) -> bool:
    return cp in (9, 10, 13) or 0x20 <= cp <= 0xD7FF or 0xE000 <= cp <= 0xFFFD or 0x10000 <= cp <= 0x10FFFF


def _repair_ref(m: re.Match) -> bytes:
    def value(hexa: bytes | None, dec: bytes | None) -> int:
        return int(hexa, 16) if hexa else int(dec)  # type: ignore[arg-type]

    first = value(m.group(1), m.group(2))
    if m.group(3) is None and m.group(4) is None:
        return m.group(0) if _valid_xml_char(first) else b"&#65533;"
    second = value(m.group(3), m.group(4))
    if 0xD800 <= first <= 0xDBFF and 0xDC00 <= second <= 0xDFFF:
        return b"&#%d;" % (0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))
    a = b"&#%d;" % first if _valid_xml_char(first) else b"&#65533;"
    b = b"&#%d;" % second if _valid_xml_char(second) else b"&#65533;"
    return a + b


def _display(number: str, name: str, presentation: str = "") -> str:
    number = (number or "").strip()
    name = (name or "").strip()
    if presentation in ("2", "3", "4") or number in WITHHELD:
        shown = {"2": "Withheld number", "4": "Payphone"}.get(presentation, "Unknown number" if number in ("-2", "") else "Withheld number")
        return f"{name} ({shown})" if name and name not in NO_NAME else shown
    if name and name not in NO_NAME:
        return f"{name} ({number})"
    return number


def _when(attrs: dict[str, str]) -> tuple[dt.datetime, dt.datetime] | None:
    raw = attrs.get("date", "")
    try:
        return epoch_ms_times(int(raw))
    except (ValueError, OverflowError):
        return None


class _Handler:
    def __init__(self, options: ParseOptions) -> None:
        self.options = options
        self.out: list[Record | ParseWarning] = []
        self.count = 0
        self.declared: int | None = None
        self.root = ""
        self.mms: dict | None = None
        self.parser: expat.XMLParserType | None = None
        self.bad_dates = 0
        self.bad_parts = 0

    def where(self) -> str:
        line = self.parser.CurrentLineNumber if self.parser else 0
        return f"line {line}"

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if not self.root:
            self.root = tag
            if tag not in ("smses", "calls"):
                raise ImportFormatError(f"This XML file is not an SMS Backup & Restore export (its main element is <{tag[:40]}>).", "line 1")
            try:
                self.declared = int(attrs.get("count", ""))
            except ValueError:
                self.declared = None
            return
        if tag == "sms":
            self._sms(attrs)
        elif tag == "call":
            self._call(attrs)
        elif tag == "mms":
            self.mms = {"attrs": attrs, "parts": [], "addrs": [], "where": self.where()}
        elif self.mms is not None and tag == "part":
            self.mms["parts"].append(attrs)
        elif self.mms is not None and tag == "addr":
            self.mms["addrs"].append(attrs)

    def end(self, tag: str) -> None:
        if tag == "mms" and self.mms is not None:
            self._mms(self.mms)
            self.mms = None

    def _emit(self, record: Record) -> None:
        self.count += 1
        if self.count > self.options.max_records:
            raise _TooMany()
        self.out.append(record)

    def _time(self, attrs: dict[str, str]) -> tuple[dt.datetime, dt.datetime] | None:
        when = _when(attrs)
        if when is None:
            self.bad_dates += 1
            if self.bad_dates <= 5:
                self.out.append(ParseWarning("A record has no readable date, so it was skipped.", self.where()))
        return when

    def _sms(self, a: dict[str, str]) -> None:
        when = self._time(a)
        if when is None:
            return
        other = _display(a.get("address", ""), a.get("contact_name", ""))
        direction = SMS_TYPES.get(a.get("type", ""), "")
        owner = self.options.account_owner
        sender, recipients = (other, ()) if direction != "out" else (owner, (other,))
        extra = {"number": a.get("address", "")}
        if a.get("type") in SMS_STATUS:
            extra["status"] = SMS_STATUS[a["type"]]
        if a.get("readable_date"):
            extra["readable_date"] = a["readable_date"]
        body = a.get("body", "")
        if body == "null":
            body = ""
        self._emit(
            Record(
                kind="message",
                channel="sms",
                local_time=when[1],
                utc_time=when[0],
                sender=sender,
                recipients=recipients,
                text=body,
                direction=direction,
                position=f"sms at {self.where()}",
                extra=extra,
            )
        )

    def _call(self, a: dict[str, str]) -> None:
        when = self._time(a)
        if when is None:
            return
        other = _display(a.get("number", ""), a.get("contact_name", ""), a.get("presentation", ""))
        kind = CALL_TYPES.get(a.get("type", ""), "")
        direction = "out" if kind == "outgoing" else "in" if kind else ""
        owner = self.options.account_owner
        sender, recipients = (other, ()) if direction != "out" else (owner, (other,))
        try:
            seconds = max(0, int(a.get("duration", "0") or 0))
        except ValueError:
            seconds = None
        extra = {"number": a.get("number", "")}
        if a.get("readable_date"):
            extra["readable_date"] = a["readable_date"]
        self._emit(
            Record(
                kind="call",
                channel="phone",
                local_time=when[1],
                utc_time=when[0],
                sender=sender,
                recipients=recipients,
                direction=direction,
                call_seconds=seconds,
                call_kind=kind,
                position=f"call at {self.where()}",
                extra=extra,
            )
        )

    def _decoded_size(self, data: str, name: str, where: str) -> int | None:
        """The size of a part's base64 data once decoded; None, with a warning, when the data is not valid base64."""
        if not data:
            return None
        try:
            return len(binascii.a2b_base64(data.encode("ascii"), strict_mode=True))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            pass
        try:  # line breaks and spaces inside the data are allowed
            return len(binascii.a2b_base64("".join(data.split()).encode("ascii"), strict_mode=True))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            self.bad_parts += 1
            if self.bad_parts <= 5:
                shown = f" ({name[:80]})" if name else ""
                self.out.append(ParseWarning(f"An MMS attachment{shown} holds damaged data (not valid base64); its size is unknown.", f"mms at {where}"))
            return None

    def _mms(self, mms: dict) -> None:
        a = mms["attrs"]
        when = self._time(a)
        if when is None:
            return
        box = a.get("msg_box", "")
        direction = {"1": "in", "2": "out", "3": "out", "4": "out"}.get(box, "")
        names: dict[str, str] = {}
        address = a.get("address", "")
        contact = a.get("contact_name", "")
        if address and "~" not in address and contact not in NO_NAME and "," not in contact:
            names[address] = contact
        from_addr = ""
        to: list[str] = []
        for addr in mms["addrs"]:
            number = addr.get("address", "")
            typ = addr.get("type", "")
            if typ == "137":
                from_addr = number
            elif typ in ("151", "130", "129") and number:
                to.append(number)
        owner = self.options.account_owner
        if direction == "out":
            sender = owner
            recipients = tuple(_display(n, names.get(n, "")) for n in to) or tuple(_display(n, names.get(n, "")) for n in address.split("~") if n)
        else:
            sender = _display(from_addr or address.split("~")[0], names.get(from_addr or address, ""))
            recipients = tuple(_display(n, names.get(n, "")) for n in to if n != from_addr and n not in ("insert-address-token",))
        texts: list[str] = []
        attachments: list[Attachment] = []
        for part in mms["parts"]:
            ct = (part.get("ct") or "").lower()
            if ct == "application/smil":
                continue
            if ct == "text/plain":
                text = part.get("text", "")
                if text and text != "null":
                    texts.append(text)
                continue
            name = part.get("name") or part.get("cl") or ""
            if name == "null":
                name = part.get("cl", "") if part.get("cl") != "null" else ""
            attachments.append(Attachment(name=name, media_type=ct, size=self._decoded_size(part.get("data", ""), name, mms["where"])))
        extra = {"number": address}
        if a.get("readable_date"):
            extra["readable_date"] = a["readable_date"]
        if a.get("sub") and a["sub"] != "null":
            extra["subject"] = a["sub"]
        self._emit(
            Record(
                kind="message",
                channel="mms",
                local_time=when[1],
                utc_time=when[0],
                sender=sender,
                recipients=recipients,
                text="\n".join(texts),
                direction=direction,
                attachments=tuple(attachments),
                position=f"mms at {mms['where']}",
                extra=extra,
            )
        )


class _TooMany(Exception):
    pass


def _refuse(*_args: object) -> None:
    raise ImportFormatError("This XML file declares its own document type or entities, which Daybook refuses for safety.", "document type declaration")


def parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    head = source.read(4096)
    encoding, bom = sniff_encoding(head)
    if encoding == "binary":
        raise ImportFormatError("This file does not look like an XML export: it holds binary data.", "at the start")
    decoder = None if encoding == "utf-8" else codecs.getincrementaldecoder(encoding)(errors="replace")
    handler = _Handler(options)
    parser = expat.ParserCreate(encoding="UTF-8")
    handler.parser = parser
    parser.buffer_text = True
    parser.StartElementHandler = handler.start
    parser.EndElementHandler = handler.end
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    pending = head[bom:] if bom else head
    carry = b""
    offset = 0
    prolog = True
    while True:
        raw = pending if pending is not None else source.read(CHUNK)
        pending = None
        final = not raw
        data = raw if decoder is None else decoder.decode(raw, final=final).encode("utf-8")
        if decoder is not None and final is False and not data:
            continue
        data = carry + data
        carry = b""
        if not final:
            amp = data.rfind(b"&", max(0, len(data) - 40))
            if amp != -1:
                carry, data = data[amp:], data[:amp]
        if prolog:
            # Before the root element: refuse declarations outright (also guards against expat's own expansion).
            if _DECL.search(data):
                _refuse()
            if handler.root:
                prolog = False
        if b"&#" in data:
            data = _CHARREF.sub(_repair_ref, data)
        try:
            parser.Parse(data, final)
        except expat.ExpatError as exc:
            yield from handler.out
            handler.out.clear()
            yield from _broken(handler, parser, exc, offset, at_end=final)
            return
        except _TooMany:
            yield from handler.out[: max(0, len(handler.out) - 1)]
            yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", handler.where())
            return
        offset += len(raw)
        if handler.out:
            yield from handler.out
            handler.out.clear()
        if final:
            break
    if not handler.root:
        raise ImportFormatError("This file is not an SMS Backup & Restore export: no <smses> or <calls> element was found.", "whole file")
    if handler.bad_dates > 5:
        yield ParseWarning(f"{handler.bad_dates} records had no readable date and were skipped.", "whole file")
    if handler.bad_parts > 5:
        yield ParseWarning(f"{handler.bad_parts} MMS attachments hold damaged data (not valid base64); their sizes are unknown.", "whole file")
    if handler.declared is not None and handler.declared != handler.count and handler.count < options.max_records:
        yield ParseWarning(
            f"The file says it holds {handler.declared:,} records but {handler.count:,} were found. Some may be missing from the backup.", "whole file"
        )


def _broken(handler: _Handler, parser: expat.XMLParserType, exc: expat.ExpatError, offset: int, *, at_end: bool) -> Iterator[ParseWarning]:
    where = f"line {exc.lineno}, column {exc.offset}"
    byte = parser.ErrorByteIndex if parser.ErrorByteIndex >= 0 else offset
    reason = expat.errors.messages.get(exc.code, "") if hasattr(expat.errors, "messages") else ""
    truncated = at_end and exc.code in (
        expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
        expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
        expat.errors.codes[expat.errors.XML_ERROR_PARTIAL_CHAR],
        expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_CDATA_SECTION],
    )
    if handler.count == 0:
        if not handler.root:
            raise ImportFormatError("This file is not valid XML, so it cannot be an SMS Backup & Restore export.", f"{where}: {reason or exc}")
        if truncated:
            raise ImportFormatError("The file stops part-way through before any complete message or call.", f"near byte {byte:,}")
        raise ImportFormatError(f"This XML file is damaged before any complete message or call ({reason or exc}).", where)
    if truncated:
        yield ParseWarning(f"The file stops part-way through (after {handler.count:,} records, near byte {byte:,}); everything before that was read.", where)
    else:
        yield ParseWarning(
            f"The file is damaged ({reason or exc}); the {handler.count:,} records before that point were read, anything after it was not.", where
        )
