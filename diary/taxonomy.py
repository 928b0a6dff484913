"""The behaviour taxonomy, loaded from diary/data/behaviours.json (data, not code)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "behaviours.json"

CHANNELS = [
    ("in_person", "In person"),
    ("phone_call", "Phone call"),
    ("text", "Text message"),
    ("messaging_app", "Messaging app"),
    ("email", "Email"),
    ("social_media", "Social media"),
    ("letter", "Letter or note"),
    ("gift", "Gift or item"),
    ("third_party", "Through someone else"),
    ("other", "Other"),
]

LOCATION_KINDS = [
    ("home", "Home"),
    ("work", "Work"),
    ("school", "School, college or university"),
    ("online", "Online"),
    ("public", "Public place"),
    ("vehicle", "Vehicle"),
    ("other", "Other"),
]

TIME_PRECISIONS = [
    ("exact", "Exact time"),
    ("approx", "Approximate time"),
    ("recorded", "Time of writing"),
    ("date", "I know the day but not the time"),
]

# How the full form asks: "recorded" is the moment the note was written, never claimed as the time it happened.
TIME_PRECISION_QUESTIONS = [
    ("exact", "Exact time"),
    ("approx", "Approximate time"),
    ("recorded", "This is when I wrote it down, not when it happened"),
    ("date", "I know the day but not the time"),
]

# Precisions whose hour says when the incident happened (the person gave it); "recorded" and "date" do not.
HOUR_KNOWN = frozenset({"exact", "approx"})


@dataclass(frozen=True)
class Behaviour:
    code: str
    label: str
    group: str
    group_label: str
    legal: tuple[str, ...]
    quick: bool


@cache
def _load() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@cache
def behaviours() -> dict[str, Behaviour]:
    out: dict[str, Behaviour] = {}
    for group in _load()["groups"]:
        for item in group["behaviours"]:
            out[item["code"]] = Behaviour(
                code=item["code"],
                label=item["label"],
                group=group["code"],
                group_label=group["label"],
                legal=tuple(item.get("legal", [])),
                quick=bool(item.get("quick", False)),
            )
    return out


def legal_examples() -> dict[str, str]:
    return dict(_load()["legal_examples"])


def legal_source() -> str:
    return str(_load()["legal_source"])


def groups() -> list[tuple[str, list[Behaviour]]]:
    grouped: dict[str, list[Behaviour]] = {}
    for b in behaviours().values():
        grouped.setdefault(b.group_label, []).append(b)
    return list(grouped.items())


def behaviour_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [(label, [(b.code, b.label) for b in items]) for label, items in groups()]


def quick_choices() -> list[tuple[str, str]]:
    return [(b.code, b.label) for b in behaviours().values() if b.quick]


def label(code: str) -> str:
    b = behaviours().get(code)
    return b.label if b else code


def is_known(code: str) -> bool:
    return code in behaviours()
