"""When contact comes: night-time and bursts, in the diary and in imported messages and calls.

The diary's night-time incidents and timed incidents are sorted out in the one pass (``Buckets.night`` and
``Buckets.timed``); imported messages and calls were flagged as night-time or part of a burst when they were imported
(``Imported``), so these findings only count the flags.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from insights import thresholds as T
from insights.analysis.checks import TITLES
from insights.analysis.inputs import Fact, Imported
from insights.analysis.results import MAX_REFS, Buckets, Finding, Point, Ref, point
from kernel import night
from kernel.words import day_text, plural


def night_finding(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    hits = bk.night
    if len(hits) < T.NIGHT_MIN.value:
        return None
    contacts = sum(f.how_many for f in hits)
    counted = "" if contacts == len(hits) else f", with {plural(contacts, 'contact')} in them (each call or message counted)"
    return Finding(
        "night",
        TITLES["night"],
        f"{plural(len(hits), 'incident')} {night.WORDS}{counted}, the latest on {day_text(hits[-1].day)}. Contact at night "
        "disturbs sleep and is part of the impact on your daily life.",
        f"{T.NIGHT_START_HOUR.source} {T.NIGHT_MIN.source}",
        [point("Night-time incidents:", hits)],
        [f.number for f in hits],
        own_choice=True,
        thresholds=("NIGHT_START_HOUR", "NIGHT_END_HOUR", "NIGHT_MIN"),
    )


@dataclass
class Burst:
    facts: list[Fact]
    contacts: int  # contacts in the busiest hour
    start: float
    end: float


def bursts(timed: Sequence[Fact]) -> list[Burst]:
    """Runs of BURST_CONTACTS or more contacts within BURST_MINUTES, in one pass with a sliding window.
    ``timed``: facts placed in an hour and lasting an hour at most (``Buckets.timed``), in time order."""
    window_s = T.BURST_MINUTES.value * 60
    need = T.BURST_CONTACTS.value
    out: list[Burst] = []
    current: Burst | None = None
    lo = total = 0
    added = -1  # index of the last fact added to the current burst
    for i, f in enumerate(timed):
        total += f.how_many
        start = f.t - window_s
        while timed[lo].t < start:
            total -= timed[lo].how_many
            lo += 1
        if total < need:
            continue
        if current is not None and timed[lo].t <= current.end:
            current.facts.extend(timed[max(lo, added + 1) : i + 1])
            current.contacts = max(current.contacts, total)
            current.end = f.t
        else:
            current = Burst(list(timed[lo : i + 1]), total, timed[lo].t, f.t)
            out.append(current)
        added = i
    return out


def bursts_finding(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    found = bursts(bk.timed)
    if not found:
        return None
    points = []
    for b in found[-MAX_REFS:]:
        first, last = b.facts[0], b.facts[-1]
        span = "in one record" if len(b.facts) == 1 else f"in {plural(len(b.facts), 'record')}"
        when = day_text(first.day) if first.day == last.day else f"{day_text(first.day)} to {day_text(last.day)}"
        points.append(point(f"{b.contacts} contacts within an hour on {when} ({span}).", b.facts))
    more = len(found) - len(points)
    if more:
        points.insert(0, Point(f"{plural(more, 'earlier burst')} are not listed here."))
    biggest = max(b.contacts for b in found)
    return Finding(
        "bursts",
        TITLES["bursts"],
        f"{plural(len(found), 'burst')} of {T.BURST_CONTACTS.value} or more calls, messages or other contacts within an hour; "
        f"the most in one hour was {biggest}.",
        f"{T.BURST_CONTACTS.source}",
        points,
        [f.number for b in found for f in b.facts],
        own_choice=True,
        thresholds=("BURST_CONTACTS", "BURST_MINUTES"),
    )


# --- Imported messages and calls (flags set when they were imported) --------------------------------------


def _day_refs(imported: Imported, keys: Iterable[tuple[dt.date, str]]) -> list[Ref]:
    """The incidents of imported (day, channel) keys, once each, in date order."""
    refs = {imported.incidents[k]: Ref(imported.incidents[k], k[0]) for k in keys if k in imported.incidents}
    return sorted(refs.values(), key=lambda r: (r.day, r.number))


def _ref_point(text: str, refs: list[Ref]) -> Point:
    return Point(text, refs[:MAX_REFS], max(0, len(refs) - MAX_REFS))


def imported_night_finding(imported: Imported) -> Finding | None:
    total = sum(n for _, _, n in imported.night)
    if total < T.NIGHT_MIN.value:
        return None
    days = sorted({d for d, _, _ in imported.night})
    refs = _day_refs(imported, [(d, c) for d, c, _ in imported.night])
    return Finding(
        "imported_night",
        TITLES["imported_night"],
        f"{plural(total, 'imported message or call', 'imported messages or calls')} came at night ({night.SPAN}) "
        f"across {plural(len(days), 'day')}, the latest on {day_text(days[-1])}. Contact at night disturbs sleep and is "
        "part of the impact on your daily life.",
        f"{T.NIGHT_START_HOUR.source} {T.NIGHT_MIN.source}",
        [_ref_point("The days' incidents:", refs)],
        [r.number for r in refs],
        own_choice=True,
        thresholds=("NIGHT_START_HOUR", "NIGHT_END_HOUR", "NIGHT_MIN"),
    )


def imported_bursts_finding(imported: Imported) -> Finding | None:
    found = imported.bursts
    if not found:
        return None
    points = []
    for b in found[-MAX_REFS:]:
        refs = _day_refs(imported, b.days)
        first, last = b.days[0][0], b.days[-1][0]
        when = day_text(first) if first == last else f"{day_text(first)} to {day_text(last)}"
        points.append(_ref_point(f"{plural(b.items, b.kind)} in a burst on {when}.", refs))
    more = len(found) - len(points)
    if more:
        points.insert(0, Point(f"{plural(more, 'earlier burst')} are not listed here."))
    messages = sum(1 for b in found if b.kind == "message")
    calls = len(found) - messages
    parts = []
    if messages:
        parts.append(f"{plural(messages, 'burst')} of messages ({T.IMPORT_BURST_MESSAGES.value} or more within {T.IMPORT_BURST_MESSAGE_MINUTES.value} minutes)")
    if calls:
        parts.append(f"{plural(calls, 'burst')} of calls ({T.IMPORT_BURST_CALLS.value} or more within {T.IMPORT_BURST_CALL_MINUTES.value} minutes)")
    kinds = " and ".join(parts)
    refs = _day_refs(imported, [k for b in found for k in b.days])
    return Finding(
        "imported_bursts",
        TITLES["imported_bursts"],
        f"The imported messages and calls show {kinds}. Many messages or calls in a short time are a sign of how intense the contact is.",
        T.IMPORT_BURST_MESSAGES.source,
        points,
        [r.number for r in refs],
        own_choice=True,
        thresholds=("IMPORT_BURST_MESSAGES", "IMPORT_BURST_MESSAGE_MINUTES", "IMPORT_BURST_CALLS", "IMPORT_BURST_CALL_MINUTES"),
    )
