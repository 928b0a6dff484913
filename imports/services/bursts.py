"""Phase B of a run: one ordered pass over the suspect's items of the days touched marks the bursts
(the thresholds: imports.flags)."""

from __future__ import annotations

import datetime as dt
from collections import deque

from cases.models import Case
from imports.flags import BURST_CALL_MINUTES, BURST_CALLS, BURST_MESSAGE_MINUTES, BURST_MESSAGES
from imports.models import ImportedItem
from imports.services.days import DayFacts
from imports.services.stats import Stats

BATCH = 1000  # items marked per UPDATE


def mark_bursts(case: Case, days: dict[tuple[dt.date, str], DayFacts], stats: Stats) -> None:
    """Mark the suspect's items that are part of a burst, over the days touched (and a day either side), and count
    the burst items per day for the day's incident. Bursts less than one window apart count as one (as the
    findings group them: insights.clear_columns.imported_bursts)."""
    if not days:
        return
    touched = sorted({d for d, _ in days})
    lo, hi = touched[0] - dt.timedelta(days=1), touched[-1] + dt.timedelta(days=1)
    rows = (
        ImportedItem.objects.filter(case=case, suspect=True, local_day__gte=lo, local_day__lte=hi)
        .order_by("at", "id")
        .values_list("id", "at", "kind", "burst", "local_day", "channel")
    )
    marks: list[int] = []
    windows = {"message": (deque(), BURST_MESSAGES, BURST_MESSAGE_MINUTES * 60), "call": (deque(), BURST_CALLS, BURST_CALL_MINUTES * 60)}
    ends: dict[str, float] = {"message": float("-inf"), "call": float("-inf")}  # the last item of the latest burst
    marked: dict[str, set[int]] = {"message": set(), "call": set()}
    for pk, at, kind, already, day, channel in rows.iterator(chunk_size=5000):
        window, need, span = windows[kind]
        t = at.timestamp()
        window.append((t, pk, already, day, channel))
        while window[0][0] < t - span:
            window.popleft()
        if len(window) >= need:
            if window[0][0] - ends[kind] > span:  # more than one window after the latest burst: a new one
                stats.bursts += 1
            ends[kind] = t
            seen = marked[kind]
            for _t, wpk, was, wday, wchannel in window:
                if wpk not in seen:
                    seen.add(wpk)
                    if not was:
                        marks.append(wpk)
                        agg = days.get((wday, wchannel))
                        if agg is not None:
                            agg.burst += 1
            if len(seen) > 50000:  # only the window's ids matter from here on
                marked[kind] = {w[1] for w in window}
    for start in range(0, len(marks), BATCH):
        ImportedItem.objects.filter(pk__in=marks[start : start + BATCH]).update(burst=True)
    stats.burst_items = len(marks)
