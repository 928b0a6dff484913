"""Facts read from inside a file: when and where a photo was taken (EXIF), when a video was made (the MP4/
QuickTime ``mvhd`` box and Apple's location atom), who sent an e-mail and when (its headers), a PDF's dates.

Everything is read through a seekable reader over the sealed blob (see :class:`vault.stream.SealedReader`),
reading only headers and boxes, never the whole file. Everything in a file is untrusted: each value is
cleaned (no control or direction-changing characters, length capped) and every parser gives up quietly
on damaged input. Values are strings or integers only, so the facts can enter the hash chain as canonical JSON.
"""

from __future__ import annotations

import datetime as dt
import email.errors
import email.parser
import email.policy
import io
import re
import struct
import unicodedata
from email.utils import parsedate_to_datetime
from typing import IO, Any

from evidence import sniff

MAX_VALUE = 300
FACT_LABELS = {
    "captured_at": "Taken (camera clock)",
    "captured_offset": "Camera time zone offset",
    "digitised_at": "Digitised (camera clock)",
    "modified_at": "Last changed (file's own record)",
    "camera": "Camera or phone",
    "software": "Software",
    "gps_latitude": "GPS latitude",
    "gps_longitude": "GPS longitude",
    "gps_altitude_m": "GPS altitude (metres)",
    "gps_time": "GPS time (UTC)",
    "width": "Width (pixels)",
    "height": "Height (pixels)",
    "created_at": "Created (file's own record, UTC)",
    "duration_s": "Length (seconds)",
    "location": "Location recorded in the file",
    "email_from": "From",
    "email_to": "To",
    "email_cc": "Copied to",
    "email_reply_to": "Reply to",
    "email_subject": "Subject",
    "email_date": "Date (as written in the e-mail)",
    "email_date_utc": "Date (UTC)",
    "email_message_id": "Message-ID",
    "email_in_reply_to": "In reply to",
    "email_received_first": "First server to receive it",
    "email_received_count": "Servers it passed through",
    "email_authentication": "Authentication results",
    "pdf_created": "Created (PDF's own record)",
    "pdf_modified": "Changed (PDF's own record)",
    "pdf_producer": "Made with",
    "pdf_author": "Author (PDF's own record)",
    "problem": "Note",
}


def clean(value: Any, limit: int = MAX_VALUE) -> str:
    """A string safe to show and to hash: no control, format (bidi) or private-use characters, capped."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Co", "Cs", "Cn"):
            out.append(" " if ch in "\t\r\n" else "")
        else:
            out.append(ch)
    return re.sub(r"\s+", " ", "".join(out)).strip()[:limit]


def extract(reader: IO[bytes], kind: sniff.Kind) -> dict[str, str | int]:
    """Facts for a file of this kind; an empty dict when there are none. Never raises on bad content."""
    reader.seek(0)
    try:
        if kind.family == "image" and kind is not sniff.HEIC and kind is not sniff.AVIF:
            facts = image_facts(reader)
        elif kind in (sniff.MP4, sniff.MOV, sniff.M4V, sniff.GP3, sniff.M4A, sniff.HEIC, sniff.AVIF):
            facts = mp4_facts(reader)
        elif kind is sniff.EML:
            facts = email_facts(reader)
        elif kind is sniff.PDF:
            facts = pdf_facts(reader)
        else:
            facts = {}
    except Exception:  # noqa: BLE001 - any parser failure on hostile input means "no facts", never a crash
        facts = {"problem": "The file's own information could not be read (it may be damaged)."}
    return {k: v for k, v in facts.items() if v not in ("", None)}


# --- Images (Pillow reads only the headers here) ---

_EXIF_IFD = 0x8769
_GPS_IFD = 0x8825


def _exif_time(value: Any) -> str:
    text = clean(value, 40)
    m = re.fullmatch(r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})", text)
    if not m:
        return text
    return "{}-{}-{}T{}:{}:{}".format(*m.groups())


def _ratio(value: Any) -> float:
    if isinstance(value, tuple) and len(value) == 2:
        return value[0] / value[1] if value[1] else 0.0
    return float(value)


def _degrees(dms: Any, ref: Any) -> str:
    d, m, s = (_ratio(x) for x in tuple(dms)[:3])
    value = d + m / 60 + s / 3600
    if clean(ref, 2).upper() in ("S", "W"):
        value = -value
    if not -180 <= value <= 180:
        return ""
    return f"{value:.6f}"


def image_facts(reader: IO[bytes]) -> dict[str, str | int]:
    from PIL import Image  # noqa: PLC0415

    facts: dict[str, str | int] = {}
    with Image.open(reader) as img:
        facts["width"], facts["height"] = int(img.width), int(img.height)
        exif = img.getexif()
        if not exif:
            return facts
        make, model = clean(exif.get(271, ""), 80), clean(exif.get(272, ""), 80)
        facts["camera"] = clean(f"{make} {model}" if model and not model.startswith(make) else (model or make), 160)
        facts["software"] = clean(exif.get(305, ""), 120)
        facts["modified_at"] = _exif_time(exif.get(306, "")) if exif.get(306) else ""
        sub = exif.get_ifd(_EXIF_IFD)
        if sub.get(36867):
            facts["captured_at"] = _exif_time(sub[36867])
        if sub.get(36881):
            facts["captured_offset"] = clean(sub[36881], 10)
        if sub.get(36868):
            facts["digitised_at"] = _exif_time(sub[36868])
        gps = exif.get_ifd(_GPS_IFD)
        if gps.get(2) and gps.get(4):
            try:
                facts["gps_latitude"] = _degrees(gps[2], gps.get(1, "N"))
                facts["gps_longitude"] = _degrees(gps[4], gps.get(3, "E"))
            except (TypeError, ValueError, ZeroDivisionError):
                facts["problem"] = "The photo's GPS position could not be read."
        if gps.get(6) is not None:
            try:
                altitude = _ratio(gps[6]) * (-1 if gps.get(5) in (1, b"\x01") else 1)
                facts["gps_altitude_m"] = f"{altitude:.1f}"
            except (TypeError, ValueError, ZeroDivisionError):
                pass
        if gps.get(29) and gps.get(7):
            try:
                h, m, s = (_ratio(x) for x in tuple(gps[7])[:3])
                facts["gps_time"] = f"{clean(gps[29], 12).replace(':', '-')}T{int(h):02d}:{int(m):02d}:{int(s):02d}Z"
            except (TypeError, ValueError, ZeroDivisionError):
                pass
    return facts


# --- MP4 / QuickTime (pure Python box walk) ---

_MAC_EPOCH = dt.datetime(1904, 1, 1, tzinfo=dt.UTC)
_CONTAINERS = {b"moov", b"udta", b"meta", b"trak", b"mdia", b"ilst"}
_ISO6709 = re.compile(r"^([+-]\d{1,3}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)")


def _boxes(reader: IO[bytes], start: int, end: int):  # noqa: ANN202
    """(type, payload start, payload end) of each box between start and end."""
    pos = start
    count = 0
    while pos + 8 <= end and count < 10_000:
        count += 1
        reader.seek(pos)
        head = reader.read(8)
        if len(head) < 8:
            return
        size, box = struct.unpack(">I4s", head)
        header = 8
        if size == 1:
            big = reader.read(8)
            if len(big) < 8:
                return
            size = struct.unpack(">Q", big)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            return
        yield box, pos + header, pos + size
        pos += size


def mp4_facts(reader: IO[bytes]) -> dict[str, str | int]:
    facts: dict[str, str | int] = {}
    end = reader.seek(0, io.SEEK_END)
    for box, start, stop in _boxes(reader, 0, end):
        if box == b"moov":
            _walk_moov(reader, start, stop, facts, 0)
            break
    return facts


def _walk_moov(reader: IO[bytes], start: int, stop: int, facts: dict[str, str | int], depth: int) -> None:
    if depth > 6:
        return
    for box, s, e in _boxes(reader, start, stop):
        if box == b"mvhd" and "created_at" not in facts:
            reader.seek(s)
            data = reader.read(min(e - s, 32))
            if data[:1] == b"\x01" and len(data) >= 32:
                created, _mod, scale, duration = struct.unpack(">QQIQ", data[4:32])
            elif data[:1] == b"\x00" and len(data) >= 20:
                created, _mod, scale, duration = struct.unpack(">IIII", data[4:20])
            else:
                continue
            if created:
                moment = _MAC_EPOCH + dt.timedelta(seconds=created)
                if moment.year > 1970:
                    facts["created_at"] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
            if scale:
                facts["duration_s"] = int(duration // scale)
        elif box == b"\xa9xyz":
            reader.seek(s)
            data = reader.read(min(e - s, 64))
            text = clean(data[4:], 40) if len(data) > 4 else ""
            m = _ISO6709.match(text)
            if m:
                facts["location"] = f"{float(m.group(1)):.6f}, {float(m.group(2)):.6f}"
        elif box == b"meta":
            # QuickTime 'meta' has no version field; ISO 'meta' (inside udta) has 4 bytes of it.
            reader.seek(s)
            peek = reader.read(8)
            offset = 4 if len(peek) >= 8 and peek[4:8] != b"hdlr" and peek[:4] == b"\0\0\0\0" else 0
            _quicktime_keys(reader, s + offset, e, facts)
            _walk_moov(reader, s + offset, e, facts, depth + 1)
        elif box in _CONTAINERS:
            _walk_moov(reader, s, e, facts, depth + 1)


def _quicktime_keys(reader: IO[bytes], start: int, stop: int, facts: dict[str, str | int]) -> None:
    """Apple's mdta keys: com.apple.quicktime.creationdate and location.ISO6709."""
    keys: list[bytes] = []
    values: dict[int, str] = {}
    for box, s, e in _boxes(reader, start, stop):
        if box == b"keys":
            reader.seek(s + 4)
            count = struct.unpack(">I", reader.read(4) or b"\0\0\0\0")[0]
            pos = s + 8
            for _ in range(min(count, 256)):
                reader.seek(pos)
                head = reader.read(8)
                if len(head) < 8:
                    break
                size = struct.unpack(">I", head[:4])[0]
                if size < 8 or pos + size > e:
                    break
                keys.append(reader.read(size - 8))
                pos += size
        elif box == b"ilst":
            for item, s2, e2 in _boxes(reader, s, e):
                index = int.from_bytes(item, "big")
                for sub, s3, e3 in _boxes(reader, s2, e2):
                    if sub == b"data" and e3 - s3 > 8:
                        reader.seek(s3 + 8)
                        values[index] = clean(reader.read(min(e3 - s3 - 8, 120)), 120)
    for i, key in enumerate(keys, start=1):
        if i not in values:
            continue
        if key == b"com.apple.quicktime.creationdate":
            facts["created_at"] = values[i]
        elif key == b"com.apple.quicktime.location.ISO6709":
            m = _ISO6709.match(values[i])
            if m:
                facts["location"] = f"{float(m.group(1)):.6f}, {float(m.group(2)):.6f}"
        elif key == b"com.apple.quicktime.model":
            facts["camera"] = values[i]
        elif key == b"com.apple.quicktime.software":
            facts["software"] = values[i]


# --- E-mail (headers only) ---

_EMAIL_HEADERS = {
    "From": "email_from",
    "To": "email_to",
    "Cc": "email_cc",
    "Reply-To": "email_reply_to",
    "Subject": "email_subject",
    "Date": "email_date",
    "Message-ID": "email_message_id",
    "In-Reply-To": "email_in_reply_to",
    "Authentication-Results": "email_authentication",
}


def email_facts(reader: IO[bytes]) -> dict[str, str | int]:
    head = reader.read(256 * 1024)
    end = head.find(b"\r\n\r\n")
    end = end if end >= 0 else head.find(b"\n\n")
    if end >= 0:
        head = head[:end]
    message = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(head)
    facts: dict[str, str | int] = {}
    for header, key in _EMAIL_HEADERS.items():
        value = message.get(header)
        if value is not None:
            facts[key] = clean(_decode_header(value))
    date = message.get("Date")
    if date:
        try:
            parsed = parsedate_to_datetime(str(date))
            if parsed.tzinfo is not None:
                facts["email_date_utc"] = parsed.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (TypeError, ValueError, IndexError, OverflowError):
            facts["problem"] = "The e-mail's Date header is not a valid date."
    received = message.get_all("Received") or []
    if received:
        facts["email_received_count"] = len(received)
        facts["email_received_first"] = clean(str(received[-1]), 200)
    return facts


def _decode_header(value: Any) -> str:
    from email.header import decode_header, make_header  # noqa: PLC0415

    try:
        return str(make_header(decode_header(str(value))))
    except (UnicodeDecodeError, LookupError, ValueError, email.errors.HeaderParseError):
        return str(value)


# --- PDF (dates in the document information dictionary) ---

_PDF_DATE = re.compile(rb"/(CreationDate|ModDate)\s*\(D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([^)]{0,8})\)")
_PDF_TEXT = re.compile(rb"/(Producer|Author)\s*\(([^)]{0,200})\)")


def pdf_facts(reader: IO[bytes]) -> dict[str, str | int]:
    head = reader.read(sniff.HEAD_BYTES)
    end = reader.seek(0, io.SEEK_END)
    reader.seek(max(0, end - sniff.TAIL_BYTES))
    tail = reader.read(sniff.TAIL_BYTES)
    facts: dict[str, str | int] = {}
    for blob in (tail, head):
        for m in _PDF_DATE.finditer(blob):
            key = "pdf_created" if m.group(1) == b"CreationDate" else "pdf_modified"
            if key in facts:
                continue
            y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups()[1:7])
            facts[key] = f"{y:04d}-{mo or 1:02d}-{d or 1:02d}T{h:02d}:{mi:02d}:{s:02d} {clean(m.group(8), 8)}".strip()
        for m in _PDF_TEXT.finditer(blob):
            key = "pdf_producer" if m.group(1) == b"Producer" else "pdf_author"
            facts.setdefault(key, clean(m.group(2), 120))
    return facts
