"""The threat phrase list (imports/data/threat_phrases.json) and the matcher applied to imported message text.

Matching: NFKC-normalised, case-folded, curly apostrophes made straight; whole words only (a phrase never matches
inside a longer word: "skill you" does not match "kill you"); a space in a phrase matches any run of white space.
A match is a flag for the person to look at, never a finding.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "threat_phrases.json"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u0060": "'", "\u00b4": "'"})


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    behaviour: str
    note: str
    phrases: tuple[str, ...]
    source: str = ""  # where the category comes from (the domain notes' behaviour taxonomy)
    false_friends: tuple[str, ...] = ()  # everyday sentences that must never match (tested)


@cache
def categories() -> dict[str, Category]:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return {
        c["code"]: Category(
            c["code"],
            c["label"],
            c["behaviour"],
            c["note"],
            tuple(normalise(p) for p in c["phrases"]),
            c.get("source", ""),
            tuple(c.get("false_friends", ())),
        )
        for c in data["categories"]
    }


def count() -> int:
    """How many distinct phrases are checked."""
    return len(_matcher()[1])


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()


@cache
def _matcher() -> tuple[re.Pattern[str], dict[str, str]]:
    owner: dict[str, str] = {}
    for cat in categories().values():
        for phrase in cat.phrases:
            owner.setdefault(re.sub(r"\s+", " ", phrase.strip()), cat.code)
    # Longest first, so a longer phrase wins over its own beginning.
    alternatives = sorted(owner, key=len, reverse=True)
    body = "|".join(r"\s+".join(re.escape(word) for word in p.split(" ")) for p in alternatives)
    # In a lookahead, so that overlapping phrases of different categories are all found.
    return re.compile(rf"(?<!\w)(?=((?:{body}))(?!\w))"), owner


def find(text: str) -> list[str]:
    """The category codes whose phrases occur in ``text`` (sorted, each once)."""
    if not text:
        return []
    pattern, owner = _matcher()
    normal = normalise(text)
    found = set()
    for m in pattern.finditer(normal):
        found.add(owner[re.sub(r"\s+", " ", m.group(1))])
    return sorted(found)


def label(code: str) -> str:
    cat = categories().get(code)
    return cat.label if cat else code


def behaviour(code: str) -> str | None:
    cat = categories().get(code)
    return cat.behaviour if cat else None
