"""File names from outside are hostile until cleaned: path tricks, control characters, right-to-left
overrides that make ``photo\u202egpj.exe`` look like ``photoexe.jpg``, reserved names, absurd lengths.

The name exactly as given is kept sealed with the exhibit (it is part of the evidence); everything Daybook
shows or sends uses :func:`display_name`, and downloads use :func:`content_disposition`.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_NAME_BYTES = 200
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()\[\]+,=@-]")


def display_name(raw: str, fallback: str = "file") -> str:
    """A safe, readable file name: the last path component, no control, format (bidi, zero-width) or
    private-use characters, no leading dots, at most 200 bytes of UTF-8, never empty."""
    text = unicodedata.normalize("NFC", raw or "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"):
            continue
        kept.append(" " if cat == "Zs" else ch)
    text = re.sub(r" {2,}", " ", "".join(kept)).strip().lstrip(".").strip()
    text = text.replace(":", "_").replace('"', "'").replace("*", "_").replace("?", "_").replace("<", "_").replace(">", "_").replace("|", "_")
    if _RESERVED.match(text):
        text = "_" + text
    text = _truncate(text, MAX_NAME_BYTES)
    return text or fallback


def _truncate(name: str, limit: int) -> str:
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    ext_bytes = len(ext.encode("utf-8")) + (1 if ext else 0)
    out = ""
    for ch in stem:
        if len((out + ch).encode("utf-8")) > limit - ext_bytes:
            break
        out += ch
    return f"{out.rstrip()}.{ext}" if ext else out.rstrip()


def ascii_name(name: str, fallback: str = "file") -> str:
    """An ASCII-only version for the plain ``filename=`` parameter (old clients)."""

    def fold(text: str) -> str:
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        return re.sub(r"_{2,}", "_", _ASCII_UNSAFE.sub("_", text)).strip(" ._")

    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem, ext = fold(stem)[:140], fold(ext)[:10]
    stem = stem or fallback
    return f"{stem}.{ext}" if ext else stem


def content_disposition(name: str, fallback: str = "file") -> str:
    """``attachment`` with an ASCII ``filename`` and an RFC 5987/6266 ``filename*`` (UTF-8, percent-encoded)."""
    clean = display_name(name, fallback)
    plain = ascii_name(clean, fallback)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(clean, safe='')}"


def had_hidden_characters(raw: str) -> bool:
    """True when the given name held characters that change how it looks (controls, bidi overrides, paths)."""
    base = (raw or "").replace("\\", "/")
    if "/" in base:
        return True
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs", "Zl", "Zp") for ch in base)
