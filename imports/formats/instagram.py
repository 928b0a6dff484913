"""Instagram "Download your information" messages JSON: the same shape (and mis-encoding) as Messenger's.

The files themselves do not say which service wrote them; Daybook reads a file as Instagram when its name or its
start mentions Instagram (a thread path, a shared instagram.com link), otherwise as Messenger (with a warning when
the file has no participants either). Detection rests on the shape of the messages, not on the optional
``participants`` list, which Instagram exports often leave out. The person can see which was detected before importing.
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
    return messenger.meta_family(text) and messenger.mentions_instagram(text, name)


def parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    return messenger.parse(source, options, channel="instagram", label="Instagram messages export")
