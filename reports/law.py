"""The statute text the report quotes, and the person's incidents grouped under its examples.

The text of the Protection from Harassment Act 1997 s2A(3) is data (``reports/data/pha1997_s2A.json``), with its
source and the Open Government Licence attribution it must carry. Which behaviour goes under which example comes
from the diary's taxonomy (``diary/data/behaviours.json``, the ``legal`` letters of each behaviour), so the diary and
the report never disagree. The grouping is a guide for the reader, not a legal finding, and the report says so.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from diary import taxonomy

DATA = Path(__file__).parent / "data" / "pha1997_s2A.json"


@dataclass(frozen=True)
class Statute:
    act: str
    section: str
    extent: str
    source_url: str
    source_name: str
    attribution: str
    licence_url: str
    intro: str
    examples: tuple[tuple[str, str], ...]
    not_exhaustive: str
    note: str


@cache
def s2a() -> Statute:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    return Statute(
        act=data["act"],
        section=data["section"],
        extent=data["extent"],
        source_url=data["source_url"],
        source_name=data["source_name"],
        attribution=data["attribution"],
        licence_url=data["licence_url"],
        intro=data["intro"],
        examples=tuple((letter, text) for letter, text in data["examples"]),
        not_exhaustive=data["not_exhaustive"],
        note=data["note"],
    )


@dataclass
class BehaviourCount:
    code: str
    label: str
    incidents: int


@dataclass
class LegalGroup:
    letter: str  # "a".."g", or "" for behaviour that is none of the examples
    text: str  # the statute's words for the example (or a plain heading for the others)
    behaviours: list[BehaviourCount] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # incidents, in the order given

    @property
    def ranges(self) -> str:
        return number_ranges(self.numbers)


def number_ranges(numbers: Iterable[int]) -> str:
    """Incident numbers as short ranges: 1-3, 5, 8-10 (with en dashes)."""
    ordered = sorted(set(numbers))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j == i:
            parts.append(str(ordered[i]))
        elif j == i + 1:
            parts += [str(ordered[i]), str(ordered[j])]
        else:
            parts.append(f"{ordered[i]}\u2013{ordered[j]}")
        i = j + 1
    return ", ".join(parts)


OTHER_HEADING = "Other behaviour recorded (not one of the examples listed in section 2A(3))"


def group_by_s2a(rows: Iterable[tuple[int, Iterable[str]]]) -> tuple[list[LegalGroup], LegalGroup]:
    """Incidents (number, behaviour codes) grouped under the examples (a) to (g), and the rest.

    Every example is returned, even with no incidents, so the reader sees what was looked for. An incident appears
    under each example any of its behaviours is associated with; unknown codes are listed under the others."""
    statute = s2a()
    known = taxonomy.behaviours()
    groups = {letter: LegalGroup(letter, text) for letter, text in statute.examples}
    other = LegalGroup("", OTHER_HEADING)
    counts: dict[tuple[str, str], int] = {}
    for number, codes in rows:
        placed: set[str] = set()
        for code in codes:
            b = known.get(code)
            letters = [x for x in (b.legal if b else ()) if x in groups] or [""]
            for letter in letters:
                counts[(letter, code)] = counts.get((letter, code), 0) + 1
                if letter not in placed:
                    placed.add(letter)
                    (groups[letter] if letter else other).numbers.append(number)
    for (letter, code), n in counts.items():
        (groups[letter] if letter else other).behaviours.append(BehaviourCount(code, taxonomy.label(code), n))
    order = {code: i for i, code in enumerate(known)}
    for g in [*groups.values(), other]:
        g.behaviours.sort(key=lambda b: (order.get(b.code, len(order)), b.code))
    return list(groups.values()), other
