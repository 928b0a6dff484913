"""Synthetic Facebook Messenger and Instagram JSON exports (with the mojibake Facebook writes)."""

from __future__ import annotations

import datetime as dt
import json
import random

from imports.synthetic.common import LONDON, TEXTS, UTC, Expected, ExpectedRecord, Sample


def _mojibake(value: object) -> object:
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [_mojibake(v) for v in value]
    if isinstance(value, dict):
        return {k: _mojibake(v) for k, v in value.items()}
    return value


def messenger(n: int = 40, *, seed: int = 5, mojibake: bool = True, instagram: bool = False, participants: bool = True) -> Sample:
    """A ``message_1.json`` thread (newest first) with calls, photos, unsent messages, reactions; mis-encoded by default.
    ``participants=False`` leaves out the participants list (only ``messages``), as many Instagram exports do."""
    rng = random.Random(seed)
    expected = Expected()
    me, them = "Pat Doe", "Zoë Brontë 🌸"
    when = dt.datetime(2024, 2, 1, 9, 0, tzinfo=UTC)
    messages = []
    for i in range(n):
        when += dt.timedelta(minutes=rng.randint(1, 700))
        ms = int(when.timestamp() * 1000) + rng.randint(0, 999)
        utc = dt.datetime(1970, 1, 1, tzinfo=UTC) + dt.timedelta(milliseconds=ms)
        local = utc.astimezone(LONDON).replace(tzinfo=None)
        sender = them if rng.random() < 0.7 else me
        roll = rng.random()
        if roll < 0.08:
            seconds = 0 if rng.random() < 0.5 else rng.randint(10, 900)
            content = f"You missed a call from {them}." if seconds == 0 else f"{sender} called you."
            messages.append(
                {"sender_name": sender, "timestamp_ms": ms, "content": content, "call_duration": seconds, "type": "Call", "is_geoblocked_for_viewer": False}
            )
            expected.add(ExpectedRecord("call", local, sender, content, call_kind="missed" if seconds == 0 else "", utc_time=utc, call_seconds=seconds))
        elif roll < 0.16:
            uri = f"messages/inbox/zoe_123/photos/{1000 + i}.jpg"
            messages.append({"sender_name": sender, "timestamp_ms": ms, "photos": [{"uri": uri, "creation_timestamp": ms // 1000}], "type": "Generic"})
            expected.add(ExpectedRecord("message", local, sender, "", attachments=(uri,), utc_time=utc))
        elif roll < 0.20:
            messages.append({"sender_name": sender, "timestamp_ms": ms, "content": "", "is_unsent": True, "type": "Generic"})
            expected.add(ExpectedRecord("message", local, sender, "", utc_time=utc))
        else:
            text = TEXTS[rng.randrange(len(TEXTS))]
            item: dict = {"sender_name": sender, "timestamp_ms": ms, "content": text, "type": "Generic", "is_geoblocked_for_viewer": False}
            if rng.random() < 0.2:
                item["reactions"] = [{"reaction": "😢", "actor": me}]
            messages.append(item)
            expected.add(ExpectedRecord("message", local, sender, text, utc_time=utc))
    messages.reverse()  # newest first, as the export writes them
    if expected.records is not None:
        expected.records.reverse()
    thread = {
        "participants": [{"name": them}, {"name": me}],
        "messages": messages,
        "title": them,
        "is_still_participant": True,
        "thread_path": "inbox/zoebronte_123" if not instagram else "inbox/zoe.bronte_17841400000000000",
        "magic_words": [],
    }
    if not participants:
        thread = {"messages": messages}
    if mojibake:
        thread = _mojibake(thread)  # type: ignore[assignment]
    data = json.dumps(thread, ensure_ascii=True, indent=2).encode()
    name = "your_instagram_activity_message_1.json" if instagram else "message_1.json"
    return Sample(name, data, expected)
