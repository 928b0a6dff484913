"""Instagram "Download your information" messages JSON: the same shape (and mis-encoding) as Messenger's.

The files themselves do not say which service wrote them; Daybook reads a file as Instagram when its name (or its
thread path) mentions Instagram, otherwise as Messenger. The person can see which was detected before importing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from imports.formats import messenger
from imports.formats._text import head_text
from imports.records import ParseOptions, ParseWarning, Record

FORMAT = "instagram"
LABEL = "Instagram messages export (JSON)"


def detect(head: bytes, name: str) -> bool:
    text = head_text(head)
    if not text.lstrip().startswith("{"):
        return False
    mentions = "instagram" in name.lower() or "instagram" in text[:4096].lower()
    return mentions and '"participants"' in text and ('"sender_name"' in text or '"timestamp_ms"' in text)


def parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    return messenger.parse(source, options, channel="instagram", label="Instagram messages export")
