"""What the analysis gives back: the :class:`Analysis` of a case, its findings and checks, and the incidents behind
each line (``Ref``, ``Point``), with the buckets of incidents the findings are worked out from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from insights.analysis.inputs import Fact
from insights.analysis.periods import Period

MAX_REFS = 25  # incidents linked per point on the page; the rest are counted and reachable from the timeline


class Ref(NamedTuple):
    """An incident to link to: its number in the case and its local date."""

    number: int
    day: dt.date


@dataclass
class Point:
    """One line of a finding or suggestion, with the incidents behind it (the first MAX_REFS linked)."""

    text: str
    refs: list[Ref] = field(default_factory=list)
    more: int = 0


def point(text: str, facts: Sequence[Fact], limit: int = MAX_REFS) -> Point:
    """A point with the first ``limit`` of ``facts`` linked and the rest counted."""
    return Point(text, [Ref(f.number, f.day) for f in facts[:limit]], max(0, len(facts) - limit))


@dataclass
class Finding:
    key: str
    title: str
    summary: str
    basis: str  # the research, or "Daybook's choice", behind the rule
    points: list[Point]
    numbers: list[int]  # every incident behind the finding, in time order
    own_choice: bool = False
    thresholds: tuple[str, ...] = ()


@dataclass
class Check:
    """A finding Daybook looked for, whether or not it was found (shown so silence is explained)."""

    key: str
    title: str
    found: bool
    when_silent: str


@dataclass
class Buckets:
    """The incidents behind each finding, sorted out in the one pass over the facts (each list in time order)."""

    days: list[dt.date] = field(default_factory=list)  # every fact's day, for bisecting date windows
    threats: list[Fact] = field(default_factory=list)
    danger: list[Fact] = field(default_factory=list)
    breaches: list[Fact] = field(default_factory=list)
    third: list[Fact] = field(default_factory=list)
    night: list[Fact] = field(default_factory=list)
    turning_up: list[Fact] = field(default_factory=list)  # seen at home, work or school, or a visit (codes.is_turning_up)
    left: list[Fact] = field(default_factory=list)  # something left or done at home, work or school, not seen there
    suicide: list[Fact] = field(default_factory=list)
    timed: list[Fact] = field(default_factory=list)  # placed in an hour, lasting an hour at most: for bursts
    milestones: list[tuple[str, Fact]] = field(default_factory=list)


@dataclass
class Analysis:
    as_of: dt.date
    relationship: str
    total: int
    retracted: int
    first: Ref | None
    last: Ref | None
    duration_days: int
    period_kind: str  # "week" or "month"
    periods: list[Period]
    per_period: list[int]
    per_week_average: float
    behaviours_over_time: list[tuple[str, str, list[int]]]  # (group code, label, counts per period)
    behaviour_totals: list[tuple[str, str, int]]  # (group code, label, incidents)
    channels: list[tuple[str, int]]
    places: list[tuple[str, int]]
    heat: list[list[int]]  # [weekday][hour]
    untimed: int
    reported: int
    unreported: int  # answered "no" (not reported yet)
    reported_not_said: int  # never asked (quick notes, imported days) or not answered
    danger: int
    contacts: int
    no_behaviours: int
    breaches: list[Ref]
    findings: list[Finding]
    checks: list[Check]
    facts: list[Fact] = field(repr=False, default_factory=list)
    buckets: Buckets = field(repr=False, default_factory=Buckets)

    def finding(self, key: str) -> Finding | None:
        return next((f for f in self.findings if f.key == key), None)

    def fired(self, key: str) -> bool:
        return self.finding(key) is not None

    @property
    def keys(self) -> set[str]:
        return {f.key for f in self.findings}
