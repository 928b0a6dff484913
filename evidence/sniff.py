"""What a file really is, read from its content (magic bytes), never from its name or the browser's claim.

A small signature table of our own (no libmagic needed): the common formats of evidence people keep
(photos, screenshots, video, voice notes, e-mails, PDFs, office files, web pages, archives). It also
notices when a file's name says one thing and its content another, and polyglots: a file that is valid
as two formats at once (an image that is also a web page or a ZIP archive).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEAD_BYTES = 64 * 1024
TAIL_BYTES = 64 * 1024


@dataclass(frozen=True)
class Kind:
    media_type: str
    label: str
    family: str  # image, video, audio, document, email, web, archive, text, program, other


def _k(media_type: str, label: str, family: str) -> Kind:
    return Kind(media_type, label, family)


JPEG = _k("image/jpeg", "JPEG image", "image")
PNG = _k("image/png", "PNG image", "image")
GIF = _k("image/gif", "GIF image", "image")
WEBP = _k("image/webp", "WebP image", "image")
BMP = _k("image/bmp", "BMP image", "image")
TIFF = _k("image/tiff", "TIFF image", "image")
HEIC = _k("image/heic", "HEIC photo (iPhone)", "image")
AVIF = _k("image/avif", "AVIF image", "image")
ICO = _k("image/vnd.microsoft.icon", "Icon", "image")
MP4 = _k("video/mp4", "MP4 video", "video")
MOV = _k("video/quicktime", "QuickTime video", "video")
M4V = _k("video/x-m4v", "M4V video", "video")
GP3 = _k("video/3gpp", "3GP video", "video")
WEBM = _k("video/webm", "WebM video", "video")
MKV = _k("video/x-matroska", "Matroska video", "video")
AVI = _k("video/x-msvideo", "AVI video", "video")
MPEGTS = _k("video/mp2t", "MPEG transport stream video", "video")
M4A = _k("audio/mp4", "M4A audio", "audio")
MP3 = _k("audio/mpeg", "MP3 audio", "audio")
WAV = _k("audio/wav", "WAV audio", "audio")
OGG = _k("audio/ogg", "Ogg audio", "audio")
OPUS = _k("audio/ogg", "Opus voice note", "audio")
FLAC = _k("audio/flac", "FLAC audio", "audio")
AMR = _k("audio/amr", "AMR voice recording", "audio")
PDF = _k("application/pdf", "PDF document", "document")
RTF = _k("application/rtf", "RTF document", "document")
DOCX = _k("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document", "document")
XLSX = _k("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel spreadsheet", "document")
PPTX = _k("application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation", "document")
ODF = _k("application/vnd.oasis.opendocument", "OpenDocument file", "document")
OLE = _k("application/x-ole-storage", "Older Office or Outlook file", "document")
EML = _k("message/rfc822", "E-mail message", "email")
MBOX = _k("application/mbox", "Mailbox of e-mails", "email")
HTML = _k("text/html", "Web page (HTML)", "web")
SVG = _k("image/svg+xml", "SVG drawing (can contain script)", "web")
XML = _k("application/xml", "XML file", "web")
JS = _k("text/javascript", "Script (JavaScript)", "web")
ZIP = _k("application/zip", "ZIP archive", "archive")
GZIP = _k("application/gzip", "GZIP archive", "archive")
SEVENZ = _k("application/x-7z-compressed", "7-Zip archive", "archive")
RAR = _k("application/vnd.rar", "RAR archive", "archive")
SQLITE = _k("application/vnd.sqlite3", "SQLite database", "other")
VCARD = _k("text/vcard", "Contact card", "text")
ICAL = _k("text/calendar", "Calendar file", "text")
JSON = _k("application/json", "JSON data", "text")
CSV = _k("text/csv", "CSV table", "text")
TEXT = _k("text/plain", "Text", "text")
SCRIPT = _k("text/x-script", "Script", "program")
EXE = _k("application/x-msdownload", "Windows program", "program")
ELF = _k("application/x-executable", "Program (Linux)", "program")
MACHO = _k("application/x-mach-binary", "Program (macOS)", "program")
EMPTY = _k("application/x-empty", "Empty file", "other")
UNKNOWN = _k("application/octet-stream", "Unknown type", "other")

# Families whose content must never be shown in a browser as a document, whatever else is true.
ACTIVE_FAMILIES = {"web", "program"}
# Types Daybook may label correctly on a download (always as an attachment); everything else is octet-stream.
SAFE_DOWNLOAD_TYPES = {
    k.media_type for k in (JPEG, PNG, GIF, WEBP, BMP, TIFF, HEIC, AVIF, MP4, MOV, M4V, GP3, WEBM, MKV, AVI, M4A, MP3, WAV, OGG, FLAC, AMR, PDF)
}
# What a browser's <video>/<audio> element can be given directly (range requests let it seek).
PLAYABLE = {MP4.media_type, MOV.media_type, M4V.media_type, WEBM.media_type, M4A.media_type, MP3.media_type, WAV.media_type, OGG.media_type, FLAC.media_type}

_FTYP_BRANDS = {
    b"heic": HEIC,
    b"heix": HEIC,
    b"hevc": HEIC,
    b"hevx": HEIC,
    b"heim": HEIC,
    b"heis": HEIC,
    b"mif1": HEIC,
    b"msf1": HEIC,
    b"avif": AVIF,
    b"avis": AVIF,
    b"qt  ": MOV,
    b"M4V ": M4V,
    b"M4VH": M4V,
    b"M4VP": M4V,
    b"M4A ": M4A,
    b"M4B ": M4A,
    b"M4P ": M4A,
    b"F4A ": M4A,
    b"3gp4": GP3,
    b"3gp5": GP3,
    b"3gp6": GP3,
    b"3gp7": GP3,
    b"3ge6": GP3,
    b"3ge7": GP3,
    b"3gg6": GP3,
    b"3g2a": GP3,
}

# What a name's extension promises, by family (for the "content lies about its type" note).
EXTENSION_FAMILIES = {
    **dict.fromkeys(["jpg", "jpeg", "jpe", "png", "gif", "webp", "bmp", "tif", "tiff", "heic", "heif", "avif"], "image"),
    **dict.fromkeys(["mp4", "mov", "m4v", "3gp", "webm", "mkv", "avi", "ts"], "video"),
    **dict.fromkeys(["mp3", "m4a", "wav", "ogg", "opus", "oga", "flac", "amr", "aac"], "audio"),
    **dict.fromkeys(["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "rtf", "msg"], "document"),
    **dict.fromkeys(["eml", "mbox"], "email"),
    **dict.fromkeys(["html", "htm", "xhtml", "svg", "xml", "js", "mjs"], "web"),
    **dict.fromkeys(["zip", "gz", "tgz", "7z", "rar"], "archive"),
    **dict.fromkeys(["txt", "csv", "json", "vcf", "ics", "log", "md"], "text"),
    **dict.fromkeys(["exe", "dll", "bat", "cmd", "sh", "ps1", "vbs", "scr", "msi", "apk", "app", "bin"], "program"),
}

# Extensions whose content is one precise format: a PNG named .jpg is noticed even though both are images.
EXTENSION_TYPES = {
    "jpg": {JPEG}, "jpeg": {JPEG}, "jpe": {JPEG}, "png": {PNG}, "gif": {GIF}, "webp": {WEBP}, "bmp": {BMP}, "tif": {TIFF}, "tiff": {TIFF},
    "heic": {HEIC}, "heif": {HEIC}, "avif": {AVIF},
    "mp4": {MP4, M4V, MOV}, "m4v": {M4V, MP4}, "mov": {MOV, MP4}, "3gp": {GP3, MP4}, "webm": {WEBM, MKV}, "mkv": {MKV, WEBM}, "avi": {AVI},
    "mp3": {MP3}, "m4a": {M4A, MP4}, "wav": {WAV}, "ogg": {OGG, OPUS}, "opus": {OPUS, OGG}, "flac": {FLAC}, "amr": {AMR},
    "pdf": {PDF}, "docx": {DOCX}, "xlsx": {XLSX}, "pptx": {PPTX}, "zip": {ZIP, DOCX, XLSX, PPTX, ODF}, "eml": {EML, TEXT}, "rtf": {RTF},
}  # fmt: skip

_MAIL_HEADER = re.compile(
    rb"^(Return-Path|Received|Delivered-To|From|To|Subject|Date|Message-ID|MIME-Version|X-[A-Za-z0-9-]+|Reply-To|Cc|Content-Type|"
    rb"Authentication-Results|DKIM-Signature|ARC-[A-Za-z-]+):[ \t]",
    re.IGNORECASE,
)
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<script|<iframe|<meta|<title|<style|<a\s|<div|<p>|<!--)", re.IGNORECASE)
_ACTIVE_MARKUP = re.compile(rb"<(script|html|svg|iframe|object|embed)[\s>/]|<!doctype\s+html|javascript:|\bon(load|error|click)\s*=", re.IGNORECASE)


@dataclass
class Sniffed:
    kind: Kind
    notes: list[str] = field(default_factory=list)

    @property
    def media_type(self) -> str:
        return self.kind.media_type

    @property
    def active(self) -> bool:
        return self.kind.family in ACTIVE_FAMILIES


def _ftyp(head: bytes) -> Kind | None:
    if len(head) < 12 or head[4:8] != b"ftyp":
        return None
    size = int.from_bytes(head[0:4], "big")
    brands = [head[8:12]]
    end = min(len(head), size if 16 <= size <= 4096 else 64)
    brands += [head[i : i + 4] for i in range(16, end - 3, 4)]
    for brand in brands:
        if brand in _FTYP_BRANDS:
            return _FTYP_BRANDS[brand]
    return MP4


def _zip_kind(head: bytes) -> Kind:
    window = head[:4096]
    if b"mimetypeapplication/vnd.oasis.opendocument" in window:
        return ODF
    if b"word/" in head:
        return DOCX
    if b"xl/" in head:
        return XLSX
    if b"ppt/" in head:
        return PPTX
    return ZIP


def _riff(head: bytes) -> Kind:
    form = head[8:12]
    return {b"WEBP": WEBP, b"WAVE": WAV, b"AVI ": AVI}.get(form, UNKNOWN)


def _is_mp3(head: bytes) -> bool:
    if head.startswith(b"ID3"):
        return True
    return len(head) > 2 and head[0] == 0xFF and (head[1] & 0xE0) == 0xE0 and (head[1] & 0x06) != 0 and (head[1] & 0x18) != 0x08


def _text_kind(head: bytes) -> Kind | None:
    """Text formats, when the head decodes as text."""
    sample = head[:8192]
    if b"\x00" in sample:
        if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
            return TEXT  # UTF-16 with a byte-order mark
        return None
    body = sample.removeprefix(b"\xef\xbb\xbf")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 4:  # not just a character cut by the sample's end
            try:
                body.decode("cp1252")
            except UnicodeDecodeError:
                return None
    stripped = body.lstrip()
    lower = stripped[:512].lower()
    if lower.startswith(b"<?xml") or lower.startswith(b"<svg") or lower.startswith(b"<!doctype svg"):
        if b"<svg" in body[:4096].lower():
            return SVG
        if b"<html" in body[:4096].lower():
            return HTML
        return XML
    if _HTML_START.match(body):
        return HTML
    if stripped.startswith(b"#!"):
        return SCRIPT
    if stripped.startswith(b"{\\rtf"):
        return RTF
    if stripped.startswith(b"BEGIN:VCARD"):
        return VCARD
    if stripped.startswith(b"BEGIN:VCALENDAR"):
        return ICAL
    if body.startswith(b"From ") and _MAIL_HEADER.search(body.split(b"\n", 2)[1] if body.count(b"\n") >= 1 else b""):
        return MBOX
    lines = body.replace(b"\r\n", b"\n").split(b"\n")[:8]
    if lines and _MAIL_HEADER.match(lines[0]) and sum(1 for line in lines if _MAIL_HEADER.match(line) or line[:1] in (b" ", b"\t")) >= 2:
        return EML
    if stripped[:1] in (b"{", b"[") and stripped.rstrip()[-1:] in (b"}", b"]", b""):
        return JSON
    first = lines[0] if lines else b""
    if len(lines) > 1 and first.count(b",") >= 1 and all(line.count(b",") == first.count(b",") for line in lines[1:4] if line):
        return CSV
    return TEXT


def sniff_kind(head: bytes, size: int) -> Kind:
    if size == 0:
        return EMPTY
    h = head
    if h.startswith(b"\xff\xd8\xff"):
        return JPEG
    if h.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if h.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if h.startswith(b"RIFF") and len(h) >= 12:
        kind = _riff(h)
        if kind is not UNKNOWN:
            return kind
    if h.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if h.startswith(b"BM") and len(h) >= 14 and int.from_bytes(h[2:6], "little") in (size, 0):
        return BMP
    if h.startswith(b"\x00\x00\x01\x00") and len(h) > 6 and 0 < h[4] < 32:
        return ICO
    ftyp = _ftyp(h)
    if ftyp is not None:
        return ftyp
    if len(h) >= 8 and h[4:8] in (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"):
        return MOV
    if h.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM if b"webm" in h[:64] else MKV
    if h.startswith(b"%PDF-"):
        return PDF
    if h.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(h)
    if h.startswith(b"\x1f\x8b"):
        return GZIP
    if h.startswith(b"7z\xbc\xaf\x27\x1c"):
        return SEVENZ
    if h.startswith(b"Rar!\x1a\x07"):
        return RAR
    if h.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if h.startswith(b"SQLite format 3\x00"):
        return SQLITE
    if h.startswith(b"OggS"):
        return OPUS if b"OpusHead" in h[:128] else OGG
    if h.startswith(b"fLaC"):
        return FLAC
    if h.startswith(b"#!AMR"):
        return AMR
    if h.startswith(b"MZ"):
        return EXE
    if h.startswith(b"\x7fELF"):
        return ELF
    if h[:4] in (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return MACHO
    if len(h) >= 189 and h[0] == 0x47 and h[188] == 0x47:
        return MPEGTS
    if _is_mp3(h):
        return MP3
    return _text_kind(h) or UNKNOWN


def extension(name: str) -> str:
    base = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in base.strip("."):
        return ""
    return base.rsplit(".", 1)[-1].strip().lower()[:10]


def sniff(head: bytes, tail: bytes, size: int, name: str = "") -> Sniffed:
    """The type of a file from its first and last bytes, with notes on anything suspicious."""
    kind = sniff_kind(head, size)
    result = Sniffed(kind)
    ext = extension(name)
    promised = EXTENSION_FAMILIES.get(ext)
    exact = EXTENSION_TYPES.get(ext)
    family_differs = promised and promised != kind.family and not (promised == "text" and kind.family in {"text", "web"})
    if kind not in (EMPTY, UNKNOWN) and (family_differs or (exact and kind not in exact)):
        article = "an" if kind.label[:1].lower() in "aeiou" else "a"
        result.notes.append(f"The name ends in .{ext}, but the content is {article} {kind.label}. Daybook goes by the content.")
    if kind.family in ACTIVE_FAMILIES:
        result.notes.append("This kind of file can run code in a browser or on a computer. It is kept safely and only ever downloaded, never opened here.")
    if kind.family not in {"web", "text", "email"} and _ACTIVE_MARKUP.search(head):
        result.notes.append("The file also contains web page or script code (it may be a polyglot: valid as two types at once). It is only ever downloaded.")
    if kind is not PDF and b"%PDF-" in head[1:1024]:
        result.notes.append("The file can also be opened as a PDF (it is valid as two types at once).")
    if kind.family != "archive" and kind not in (DOCX, XLSX, PPTX, ODF) and b"PK\x05\x06" in tail:
        result.notes.append("The file also contains a ZIP archive at its end (it is valid as two types at once).")
    return result
