"""Facebook Messenger "Download your information" JSON (``message_1.json``); Instagram uses the same shape.

Every string in these files is UTF-8 written as Latin-1 code points (``\\u00c3\\u00a9`` for "é"); ``fix_text``
repairs it when the repair round-trips and leaves correct text alone. Messages are listed newest first; they are
returned in file order. Read with the incremental reader in ``_json.py``, one message at a time.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from imports.formats._json import JsonStream
from imports.formats._text import head_text, london_naive
from imports.records import Attachment, ImportFormatError, ParseOptions, ParseWarning, Record

FORMAT = "messenger"
LABEL = "Facebook Messenger export (JSON)"
CHANNEL = "messenger"

MEDIA_FIELDS = (("photos", "image"), ("videos", "video"), ("audio_files", "audio"), ("gifs", "image/gif"), ("files", ""))


_MESSAGE_SHAPE = re.compile(r'"sender_name"\s*:\s*"')
_TIME_SHAPE = re.compile(r'"timestamp_ms"\s*:\s*\d')


def meta_family(text: str) -> bool:
    """A Messenger or Instagram messages file: detected from the shape of its messages (a sender name and a time in
    milliseconds), not from the optional list of participants (Instagram often leaves it out)."""
    if not text.lstrip().startswith("{") or '"messages"' not in text:
        return False
    return _MESSAGE_SHAPE.search(text) is not None and _TIME_SHAPE.search(text) is not None


def mentions_instagram(text: str, name: str) -> bool:
    lower = text[:65_536].lower()
    return "instagram" in name.lower() or "instagram" in lower


def detect(head: bytes, name: str) -> bool:
    text = head_text(head)
    return meta_family(text) and not mentions_instagram(text, name)


def fix_text(value: str) -> str:
    """Undo the Latin-1/UTF-8 mis-encoding of Facebook and Instagram exports (only when it round-trips)."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def fix_all(value: Any) -> Any:
    if isinstance(value, str):
        return fix_text(value)
    if isinstance(value, list):
        return [fix_all(v) for v in value]
    if isinstance(value, dict):
        return {k: fix_all(v) for k, v in value.items()}
    return value


def parse(source: BinaryIO, options: ParseOptions, *, channel: str = CHANNEL, label: str = "Messenger export") -> Iterator[Record | ParseWarning]:
    stream = JsonStream(source, what=label)
    if stream.peek() != "{":
        raise stream.error(f"This file is not a {label}: it does not start with a JSON object.")
    participants: list[str] = []
    title = ""
    found = False
    count = 0
    bad = 0
    for key in stream.object():
        if key == "participants" and stream.peek() == "[":
            value = fix_all(stream.load())
            participants = [str(p.get("name", "")) for p in value if isinstance(p, dict)]
        elif key == "title":
            value = stream.load()
            title = fix_text(value) if isinstance(value, str) else ""
        elif key == "messages" and stream.peek() == "[":
            found = True
            for index in stream.array():
                where = stream.where()
                item = stream.load()
                if not isinstance(item, dict):
                    continue
                record = _record(fix_all(item), participants, title, channel, options, index, where)
                if record is None:
                    bad += 1
                    continue
                count += 1
                yield record
                if count >= options.max_records:
                    yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", where)
                    return
        else:
            stream.skip()
    if not found:
        raise ImportFormatError(f"This JSON file is not a {label}: it has no list of messages.", "whole file")
    if not participants and channel == CHANNEL and count:
        yield ParseWarning(
            "This file has no list of participants and does not say whether it came from Facebook Messenger or Instagram (both use this "
            "layout); Daybook read it as Messenger. If it came from Instagram, import it again with the word instagram in its file name.",
            "whole file",
        )
    if bad:
        yield ParseWarning(f"{bad} message(s) had no readable time and were skipped.", "whole file")


def _record(item: dict[str, Any], participants: list[str], title: str, channel: str, options: ParseOptions, index: int, where: str) -> Record | None:
    ms = item.get("timestamp_ms")
    if not isinstance(ms, int | float) or isinstance(ms, bool):
        return None
    try:
        instant = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(milliseconds=int(ms))
    except OverflowError:
        return None
    sender = str(item.get("sender_name") or "")
    owner = options.account_owner
    direction = ("out" if sender == owner else "in") if owner and sender else ""
    recipients = tuple(p for p in participants if p != sender)
    content = item.get("content") if isinstance(item.get("content"), str) else ""
    extra: dict[str, str] = {"thread": title} if title else {}
    typ = str(item.get("type") or "")
    common = {
        "channel": channel,
        "local_time": london_naive(instant),
        "utc_time": instant,
        "sender": sender,
        "recipients": recipients,
        "direction": direction,
        "position": f"message {index + 1} ({where})",
        "extra": extra,
    }
    if typ == "Call" or "call_duration" in item:
        seconds = item.get("call_duration")
        seconds = int(seconds) if isinstance(seconds, int | float) and not isinstance(seconds, bool) else None
        missed = seconds == 0 or "missed" in content.lower()
        call_kind = "missed" if missed else ("outgoing" if direction == "out" else "incoming" if direction == "in" else "")
        return Record(kind="call", text=content, call_seconds=seconds, call_kind=call_kind, **common)
    attachments: list[Attachment] = []
    for field, media in MEDIA_FIELDS:
        values = item.get(field)
        if isinstance(values, list):
            for value in values:
                if isinstance(value, dict) and isinstance(value.get("uri"), str):
                    attachments.append(Attachment(name=value["uri"], media_type=mimetypes.guess_type(value["uri"])[0] or media.rstrip("/")))
    sticker = item.get("sticker")
    if isinstance(sticker, dict) and isinstance(sticker.get("uri"), str):
        attachments.append(Attachment(name=sticker["uri"], media_type=mimetypes.guess_type(sticker["uri"])[0] or "image"))
    share = item.get("share")
    if isinstance(share, dict) and isinstance(share.get("link"), str):
        extra["link"] = share["link"]
    if item.get("is_unsent"):
        extra["deleted"] = "1"
    reactions = item.get("reactions")
    if isinstance(reactions, list) and reactions:
        extra["reactions"] = " ".join(f"{r.get('reaction', '')} {r.get('actor', '')}".strip() for r in reactions if isinstance(r, dict))[:500]
    return Record(kind="message", text=content, attachments=tuple(attachments), system=typ in ("Subscribe", "Unsubscribe"), **common)
