"""Weeks and months: the periods the charts count incidents in."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from insights.analysis.codes import GROUPS
from kernel.localtime import week_start
from kernel.words import day_text

DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKS_BEFORE_MONTHS = 78  # Daybook's choice: charts over more weeks than this count by month instead


@dataclass
class Period:
    start: dt.date
    label: str  # short, for the chart axis
    long_label: str  # for the table: the week's Monday ("3 March 2025") or the month ("March 2025")


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def next_month(d: dt.date) -> dt.date:
    return d.replace(year=d.year + 1, month=1) if d.month == 12 else d.replace(month=d.month + 1)


def chart_periods(
    first: dt.date | None,
    last: dt.date | None,
    as_of: dt.date,
    per_week: Counter[dt.date],
    per_month: Counter[dt.date],
    group_week: Counter[tuple[str, dt.date]],
    group_month: Counter[tuple[str, dt.date]],
) -> tuple[list[Period], list[int], str, dict[str, list[int]]]:
    """Weeks from the ``first`` incident's day to this week, or months when that is more than WEEKS_BEFORE_MONTHS
    weeks: (periods, incidents per period, "week" or "month", incidents per period of each behaviour family)."""
    if first is None or last is None:
        return [], [], "week", {}
    end = max(as_of, last)
    weeks = (week_start(end) - week_start(first)).days // 7 + 1
    out: list[Period] = []
    if weeks <= WEEKS_BEFORE_MONTHS:
        cursor = week_start(first)
        while cursor <= end:
            out.append(Period(cursor, f"{cursor.day} {cursor:%b}", day_text(cursor)))
            cursor += dt.timedelta(days=7)
        counts, groups, kind = per_week, group_week, "week"
    else:
        cursor = month_start(first)
        while cursor <= end:
            out.append(Period(cursor, f"{cursor:%b %y}", f"{cursor:%B %Y}"))
            cursor = next_month(cursor)
        counts, groups, kind = per_month, group_month, "month"
    per_period = [counts.get(p.start, 0) for p in out]
    by_group = {g: [groups.get((g, p.start), 0) for p in out] for g, _ in GROUPS}
    return out, per_period, kind, by_group
