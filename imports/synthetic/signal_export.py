"""Synthetic Signal exports as the Signal Desktop export tool writes them: ``chat.md`` and ``data.json``."""

from __future__ import annotations

import datetime as dt
import json
import random

from imports.synthetic.common import CONTINUATIONS, TEXTS, Expected, ExpectedRecord, Sample, times_from

PEOPLE = ["Alex Smith", "Me", "سارة"]


def signal_export(n: int = 40, *, seed: int = 9, form: str = "md", old_dates: bool = False) -> Sample:
    """``form``: "md" (chat.md), "jsonl" (data.json, one object a line) or "json" (a JSON list of the same objects).
    ``old_dates``: the older ``[2024-03-12, 21:05]`` headers (no seconds). Photos, deleted messages, reactions,
    multi-line texts and quotes in every form; calls (missed and answered) in the JSON forms."""
    rng = random.Random(seed)
    expected = Expected()
    lines: list[str] = []
    objects: list[dict] = []
    times = times_from(rng, dt.datetime(2024, 3, 30, 22, 0), (1, 300))
    for i in range(n):
        when = next(times).replace(microsecond=0)
        if old_dates:
            when = when.replace(second=0)
        sender = PEOPLE[rng.randrange(2)] if i % 9 else PEOPLE[2]
        roll = rng.random()
        text, attachments, call, deleted, reactions = TEXTS[rng.randrange(len(TEXTS))], (), "", False, []
        if i % 10 == 3:
            text, attachments = "", (f"signal-{i}.jpg",)
        elif i % 10 == 5:
            text, deleted = "(This message was deleted)", True
        elif i % 10 == 7 and form != "md":
            text, call = "", ("missed" if roll < 0.5 else "call")
        elif roll < 0.2:
            text += "\n" + CONTINUATIONS[rng.randrange(len(CONTINUATIONS))]
        if i % 6 == 2:
            reactions = [["Me", "👍"]]
        if call:
            expected.add(ExpectedRecord("call", when, sender, "", call_kind="missed" if call == "missed" else ("outgoing" if sender == "Me" else "incoming")))
        else:
            expected.add(ExpectedRecord("message", when, sender, text, attachments=attachments))
        stamp = when.strftime("%Y-%m-%d, %H:%M") if old_dates else when.strftime("%Y-%m-%d %H:%M:%S")
        body = text
        if attachments:
            body += "".join(f"![{a}](./media/{a})  " for a in attachments)
        if reactions:
            body += "\n(- " + ", ".join(f"{r[0]}: {r[1]}" for r in reactions) + " -)"
        lines.append(f"[{stamp}] {sender}: {body}")
        objects.append(
            {
                "date": when.isoformat(),
                "sender": sender,
                "body": "" if deleted else text,
                "quote": "",
                "sticker": None,
                "reactions": reactions,
                "attachments": [{"name": a, "path": f"media/{a}"} for a in attachments],
                "deleted": deleted,
                "call": bool(call),
                "missed": call == "missed",
            }
        )
    if form == "md":
        return Sample("chat.md", ("\n".join(lines) + "\n").encode(), expected)
    if form == "jsonl":
        for record, obj in zip(expected.records or [], objects, strict=True):
            if obj["deleted"]:
                object.__setattr__(record, "text", "")
        return Sample("data.json", "\n".join(json.dumps(o, ensure_ascii=False) for o in objects).encode() + b"\n", expected)
    for record, obj in zip(expected.records or [], objects, strict=True):
        if obj["deleted"]:
            object.__setattr__(record, "text", "")
    return Sample("signal-chat.json", json.dumps(objects, ensure_ascii=False, indent=1).encode(), expected)
