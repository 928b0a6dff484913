"""Synthetic Telegram Desktop JSON exports (one chat, or the whole account)."""

from __future__ import annotations

import datetime as dt
import random

from imports.synthetic.common import CONTINUATIONS, LONDON, NAMES, TEXTS, UTC, Expected, ExpectedRecord, Sample, json_dumps


def _tg_chat(chat_id: int, name: str, n: int, rng: random.Random, expected: Expected, start: dt.datetime, owner: str, local_only: bool = False) -> dict:
    messages = []
    when = start
    other = name
    for i in range(n):
        when += dt.timedelta(minutes=rng.randint(1, 400), seconds=rng.randint(0, 59))
        unix = int(when.timestamp())
        local = when.astimezone(LONDON).replace(tzinfo=None)
        base = {"id": chat_id * 10_000 + i + 1, "date": local.isoformat(), "date_unixtime": str(unix)}
        utc = when
        if local_only:  # older Telegram Desktop: only the computer's clock time, no unixtime
            del base["date_unixtime"]
            utc = None
        roll = rng.random()
        sender = other if rng.random() < 0.7 else owner
        if roll < 0.06:
            reason = rng.choice(["missed", "hangup", "busy"])
            call = {**base, "type": "service", "actor": sender, "actor_id": "user1", "action": "phone_call", "discard_reason": reason, "text": ""}
            seconds = None
            if reason == "hangup":
                seconds = rng.randint(5, 600)
                call["duration_seconds"] = seconds
            kind = {"missed": "missed", "busy": "rejected"}.get(reason) or ("outgoing" if sender == owner else "incoming")
            messages.append(call)
            expected.add(ExpectedRecord("call", local, sender, call_kind=kind, utc_time=utc, call_seconds=seconds if seconds is not None else 0))
        elif roll < 0.09:
            messages.append({**base, "type": "service", "actor": sender, "action": "pin_message", "message_id": 1, "text": ""})
            expected.add(ExpectedRecord("message", local, sender, "pin message", system=True, utc_time=utc))
        elif roll < 0.20:
            text = TEXTS[rng.randrange(len(TEXTS))]
            entities = [text, {"type": "bold", "text": " NOW"}, " ", {"type": "link", "text": "https://example.org"}]
            messages.append({**base, "type": "message", "from": sender, "from_id": "user42", "text": entities, "text_entities": []})
            expected.add(ExpectedRecord("message", local, sender, text + " NOW https://example.org", utc_time=utc))
        elif roll < 0.28:
            photo = f"photos/photo_{i}@{local:%d-%m-%Y_%H-%M-%S}.jpg"
            messages.append({**base, "type": "message", "from": sender, "from_id": "user42", "photo": photo, "width": 800, "height": 600, "text": ""})
            expected.add(ExpectedRecord("message", local, sender, "", attachments=(photo,), utc_time=utc))
        else:
            text = TEXTS[rng.randrange(len(TEXTS))]
            if rng.random() < 0.1:
                text += "\n" + CONTINUATIONS[rng.randrange(len(CONTINUATIONS))]
            messages.append({**base, "type": "message", "from": sender, "from_id": "user42", "text": text, "text_entities": [{"type": "plain", "text": text}]})
            expected.add(ExpectedRecord("message", local, sender, text, utc_time=utc))
    return {"name": name, "type": "personal_chat", "id": chat_id, "messages": messages}


def telegram(n: int = 50, *, seed: int = 4, whole_account: bool = False, chats: int = 3, local_only: bool = False) -> Sample:
    """A Telegram Desktop ``result.json``: one chat, or the whole-account export with several chats; ``local_only``:
    messages with only the local ``date`` (no ``date_unixtime``), which a clock warning must name."""
    rng = random.Random(seed)
    expected = Expected()
    owner = "Pat Doe"
    start = dt.datetime(2024, 3, 29, 20, 0, tzinfo=UTC)  # spans the clock change
    if not whole_account:
        chat = _tg_chat(4001, "Alex Smith", n, rng, expected, start, owner, local_only)
        if local_only:
            expected.warnings.append("only the exporting computer's clock time")
        return Sample("result.json", json_dumps(chat).encode(), expected)
    lists = [_tg_chat(4001 + c, NAMES[c % len(NAMES)], n, rng, expected, start, owner, local_only) for c in range(chats)]
    if local_only:
        expected.warnings.append("only the exporting computer's clock time")
    document = {
        "about": "Here is the data you requested. Remember: Telegram is ad free...",
        "personal_information": {"user_id": 1, "first_name": "Pat", "last_name": "Doe", "phone_number": "+44 7700 900000", "bio": ""},
        "contacts": {
            "about": "contacts",
            "list": [{"first_name": "Alex", "last_name": "Smith", "phone_number": "+447700900123", "date": "2023-01-01T10:00:00"}],
        },
        "chats": {"about": "This is the list of all chats", "list": lists},
        "other_data": {"about": "misc", "changes_log": [{"a": [1, 2, {"b": None}], "c": True, "d": 1.5e3}]},
    }
    return Sample("result.json", json_dumps(document).encode(), expected)
