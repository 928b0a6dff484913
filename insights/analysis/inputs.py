"""What the analysis reads: incidents as compact facts, the case's orders, and the flags of imported messages and calls.

These are plain values with no database behind them. ``insights.clear_columns`` makes them from a case's rows
(the columns stored in clear, nothing decrypted); :func:`make_fact` makes one from datetimes, for tests and
synthetic cases.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple
from zoneinfo import ZoneInfo

from kernel.localtime import local_tz


class Fact(NamedTuple):
    """One incident, as the analysis sees it. ``hour`` is None when only the date is known."""

    number: int
    t: float  # start, seconds since the epoch
    end: float | None  # end, if given
    day: dt.date  # local date
    hour: int | None  # local hour (0-23), None when only the date is known
    codes: tuple[str, ...]
    channel: str
    place: str
    how_many: int  # contacts in this incident (1 when not given)
    danger: bool
    reported: bool | None  # None: not said (never asked, or not answered)
    order: int | None  # id of the order it breached, if marked
    quick: bool  # a quick note not yet completed


# Time precisions whose hour does not say when the incident happened: the day only, or the moment of writing
# (diary.taxonomy.TIME_PRECISIONS). Hour findings (night, time of day) leave them out.
UNTIMED = frozenset({"date", "recorded"})


def make_fact(
    number: int,
    occurred_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    precision: str = "exact",
    codes: tuple[str, ...] | list[str] | str = (),
    channel: str = "",
    place: str = "",
    how_many: int | None = None,
    danger: bool = False,
    reported: bool | None = False,
    order: int | None = None,
    quick: bool = False,
    tz: ZoneInfo | None = None,
) -> Fact:
    local = occurred_at.astimezone(tz or local_tz())
    if isinstance(codes, str):
        codes = tuple(codes.split())
    return Fact(
        number,
        occurred_at.timestamp(),
        ended_at.timestamp() if ended_at else None,
        local.date(),
        None if precision in UNTIMED else local.hour,
        tuple(codes),
        channel or "",
        place or "",
        how_many if how_many and how_many > 0 else 1,
        bool(danger),
        None if reported is None else bool(reported),
        order,
        bool(quick),
    )


@dataclass(frozen=True)
class OrderInfo:
    id: int
    label: str
    starts_on: dt.date | None
    ends_on: dt.date | None


@dataclass
class ImportedBurst:
    """A run of the suspect's imported messages (or calls) flagged as a burst when imported."""

    kind: str  # "message" or "call"
    items: int
    days: list[tuple[dt.date, str]]  # (local day, diary channel) the run falls on, in order


@dataclass
class Imported:
    """What the findings use of imported messages and calls: flags and counts stored in clear, nothing decrypted.

    Days whose imported incident was retracted are left out, as retracted incidents are."""

    items: int = 0  # the suspect's imported messages and calls (0: nothing imported)
    night: list[tuple[dt.date, str, int]] = field(default_factory=list)  # (day, channel, messages or calls at night)
    bursts: list[ImportedBurst] = field(default_factory=list)
    incidents: dict[tuple[dt.date, str], int] = field(default_factory=dict)  # (day, channel) -> incident number

    def only(self, numbers: set[int]) -> Imported:
        """The same, limited to the days whose incident is one of ``numbers`` (a report's selection)."""
        keep = {key: n for key, n in self.incidents.items() if n in numbers}
        night = [row for row in self.night if (row[0], row[1]) in keep]
        bursts = [ImportedBurst(b.kind, b.items, [d for d in b.days if d in keep]) for b in self.bursts]
        return Imported(self.items if keep else 0, night, [b for b in bursts if b.days], keep)
