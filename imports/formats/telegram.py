"""Telegram Desktop export (``result.json``): one chat, or the whole-account export with ``chats.list``.

Read with the incremental reader in ``_json.py``: one message is decoded at a time, so a whole-account export of
several GB stays within bounded memory. ``date_unixtime`` (when present) gives the absolute instant (``utc_time``);
``date`` is the exporting computer's wall clock and is kept in ``extra['raw_time']``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from imports.formats._json import JsonStream
from imports.formats._text import head_text, london_naive
from imports.records import Attachment, ImportFormatError, ParseOptions, ParseWarning, Record

FORMAT = "telegram"
LABEL = "Telegram Desktop export (JSON)"

_NOT_INCLUDED = "(File "
_DISCARD = {"missed": "missed", "busy": "rejected", "hangup": "", "disconnect": ""}


def detect(head: bytes, name: str) -> bool:
    text = head_text(head)
    if not text.lstrip().startswith("{"):
        return False
    if '"date_unixtime"' in text or '"text_entities"' in text or '"from_id"' in text:
        return True
    if re.search(
        r'"type"\s*:\s*"(personal_chat|private_group|private_supergroup|public_supergroup|private_channel|public_channel|saved_messages|bot_chat)"', text
    ):
        return True
    return '"personal_information"' in text and '"chats"' in text


def text_of(value: Any) -> str:
    """Telegram text: a string, or a list mixing strings and ``{"type", "text"}`` entities."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, str):
                parts.append(item)
            elif isinstance(item, dict) and isinstance(item.get("text"), str):
                parts.append(item["text"])
        return "".join(parts)
    return ""


class _State:
    def __init__(self, options: ParseOptions) -> None:
        self.options = options
        self.owner = options.account_owner
        self.count = 0
        self.bad = 0
        self.chats = 0
        self.local_only = 0  # messages with only the local ``date`` (no ``date_unixtime``)
        self.first_local_only = ""


def parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]:
    stream = JsonStream(source, what="Telegram export")
    state = _State(options)
    if stream.peek() != "{":
        raise stream.error("This file is not a Telegram export: it does not start with a JSON object.")
    found = False
    chat: dict[str, Any] = {}
    for key in stream.object():
        if key == "personal_information" and stream.peek() == "{":
            info = stream.load()
            if isinstance(info, dict) and not state.owner:
                name = " ".join(str(info.get(k) or "") for k in ("first_name", "last_name")).strip()
                state.owner = name
        elif key in ("name", "type", "id"):
            chat[key] = stream.load()
        elif key == "messages" and stream.peek() == "[":
            found = True
            state.chats += 1
            yield from _messages(stream, chat, state)
        elif key in ("chats", "left_chats") and stream.peek() == "{":
            for sub in stream.object():
                if sub == "list" and stream.peek() == "[":
                    found = True
                    yield from _chat_list(stream, state)
                else:
                    stream.skip()
        else:
            stream.skip()
        if state.count >= options.max_records:
            yield ParseWarning(f"Daybook reads at most {options.max_records:,} records from one file; the rest were not read.", stream.where())
            return
    if not found:
        raise ImportFormatError("This JSON file is not a Telegram export: it has no messages or chats.", "whole file")
    if state.bad:
        yield ParseWarning(f"{state.bad} message(s) had no readable date and were skipped.", "whole file")
    if state.local_only:
        yield ParseWarning(
            f"{state.local_only:,} message(s) carry only the exporting computer's clock time (no date_unixtime), with no time zone: their times are "
            "read as clock times in the time zone you choose, and may be off by an hour or more if that computer was set to another zone.",
            f"first at {state.first_local_only}",
        )


def _chat_list(stream: JsonStream, state: _State) -> Iterator[Record | ParseWarning]:
    for _ in stream.array():
        if stream.peek() != "{":
            stream.skip()
            continue
        chat: dict[str, Any] = {}
        for key in stream.object():
            if key in ("name", "type", "id"):
                chat[key] = stream.load()
            elif key == "messages" and stream.peek() == "[":
                state.chats += 1
                yield from _messages(stream, chat, state)
            else:
                stream.skip()
            if state.count >= state.options.max_records:
                return


def _messages(stream: JsonStream, chat: dict[str, Any], state: _State) -> Iterator[Record | ParseWarning]:
    chat_name = str(chat.get("name") or "")
    chat_id = str(chat.get("id") or "")
    for _ in stream.array():
        where = stream.where()
        item = stream.load()
        if not isinstance(item, dict):
            continue
        record = _record(item, chat_name, chat_id, state, where)
        if record is None:
            continue
        state.count += 1
        yield record
        if state.count >= state.options.max_records:
            return


def _when(item: dict[str, Any]) -> tuple[dt.datetime, dt.datetime | None] | None:
    unix = item.get("date_unixtime")
    if unix is not None:
        try:
            instant = dt.datetime.fromtimestamp(int(unix), tz=dt.UTC)
            return london_naive(instant), instant
        except (ValueError, OverflowError, OSError, TypeError):
            pass
    raw = item.get("date")
    if isinstance(raw, str):
        try:
            return dt.datetime.fromisoformat(raw[:19]), None
        except ValueError:
            return None
    return None


def _record(item: dict[str, Any], chat_name: str, chat_id: str, state: _State, where: str) -> Record | None:
    when = _when(item)
    if when is None:
        state.bad += 1
        return None
    local, instant = when
    kind = item.get("type")
    message_id = str(item.get("id", ""))
    if instant is None:
        state.local_only += 1
        state.first_local_only = state.first_local_only or (f"chat {chat_name[:60]!r}, message id {message_id}" if chat_name else f"message id {message_id}")
    extra = {"chat": chat_name}
    if isinstance(item.get("date"), str):
        extra["raw_time"] = item["date"]
    if item.get("edited"):
        extra["edited"] = str(item.get("edited"))
    if item.get("forwarded_from"):
        extra["forwarded_from"] = str(item["forwarded_from"])
    common = {
        "channel": FORMAT,
        "local_time": local,
        "utc_time": instant,
        "position": f"chat {chat_name[:60]!r}, message id {message_id}" if chat_name else f"message id {message_id}",
        "source_id": f"{chat_id}:{message_id}" if message_id else "",
    }
    owner = state.owner
    if kind == "service":
        actor = str(item.get("actor") or "")
        action = str(item.get("action") or "")
        direction = ("out" if actor == owner else "in") if owner and actor else ""
        if action == "phone_call":
            reason = str(item.get("discard_reason") or "")
            seconds = item.get("duration_seconds")
            call_kind = _DISCARD.get(reason, "")
            if not call_kind:
                call_kind = "outgoing" if direction == "out" else "incoming" if direction == "in" else ""
            if reason:
                extra["discard_reason"] = reason
            return Record(
                kind="call",
                sender=actor,
                text=text_of(item.get("text")),
                direction=direction,
                call_seconds=int(seconds) if isinstance(seconds, int | float) else (0 if reason in ("missed", "busy") else None),
                call_kind=call_kind,
                extra=extra,
                **common,
            )
        members = item.get("members")
        text = action.replace("_", " ")
        if isinstance(members, list):
            text += ": " + ", ".join(str(m) for m in members)
        if item.get("title"):
            text += f": {item['title']}"
        extra["action"] = action
        return Record(kind="message", sender=actor, text=text, system=True, extra=extra, **common)
    sender = str(item.get("from") or "")
    direction = ("out" if sender == owner else "in") if owner and sender else ""
    if item.get("from_id"):
        extra["from_id"] = str(item["from_id"])
    attachments: list[Attachment] = []
    for field, media_type in (("photo", "image/jpeg"), ("file", str(item.get("mime_type") or ""))):
        value = item.get(field)
        if isinstance(value, str) and value:
            if value.startswith(_NOT_INCLUDED):
                extra["media_omitted"] = "1"
                attachments.append(Attachment(name="", media_type=media_type))
            else:
                attachments.append(
                    Attachment(name=value, media_type=media_type, size=item.get("file_size") if isinstance(item.get("file_size"), int) else None)
                )
    if item.get("media_type"):
        extra["media_type"] = str(item["media_type"])
    return Record(
        kind="message",
        sender=sender,
        text=text_of(item.get("text")),
        direction=direction,
        attachments=tuple(attachments),
        extra=extra,
        **common,
    )
