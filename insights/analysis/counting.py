"""The analysis of a diary: counts, the charts' figures and the findings, in plain Python over facts.

Everything here is one pass (or a few) over the facts, which come in the order the incidents happened, so the cost
grows in step with the number of incidents. Nothing here reads the database: :func:`analyse` takes facts (see
``insights.analysis.inputs``; ``insights.clear_columns`` loads them) and the little it needs about the case. The one
pass counts and sorts the incidents behind each finding into :class:`Buckets`; the rules in ``findings`` and
``timing`` then read those buckets.

Findings are indicators with the incidents behind them, never predictions. Every number used is a named threshold in
``insights.thresholds`` with its source, or marked as Daybook's own choice.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from insights import thresholds as T
from insights.analysis.checks import checks_for
from insights.analysis.codes import GROUP_LONG, GROUPS, PLACE_NAMES, Kind, kind_of
from insights.analysis.findings import find_all
from insights.analysis.inputs import Fact, Imported, OrderInfo
from insights.analysis.periods import chart_periods
from insights.analysis.results import Analysis, Buckets, Ref
from kernel.localtime import week_start
from kernel.words import plural


def analyse(
    facts: Sequence[Fact],
    *,
    as_of: dt.date,
    relationship: str = "unknown",
    retracted: int = 0,
    orders: Iterable[OrderInfo] = (),
    imported: Imported | None = None,
) -> Analysis:
    """Everything the overview shows, from facts in time order. ``as_of`` is today (local). ``imported``: the night
    and burst flags of imported messages and calls (``insights.clear_columns.load_imported``), for two more findings.

    The cyclic garbage collector is paused meanwhile: the analysis makes many small objects and no cycles, and
    full collections over a heap of 100 000 facts would otherwise make the cost grow faster than the diary."""
    with no_gc():
        return _analyse(facts, as_of=as_of, relationship=relationship, retracted=retracted, orders=orders, imported=imported)


def approach_label(place: str, seen: bool) -> str:
    """The step "they came to your home" (or workplace, or place of study), saying whether they were seen there."""
    where = PLACE_NAMES[place]
    if seen:
        return f"The first time they came to {where}"
    return f"The first sign they had been at {where}: something left or done there (such as damage or a gift), without being seen"


@contextmanager
def no_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _analyse(
    facts: Sequence[Fact],
    *,
    as_of: dt.date,
    relationship: str,
    retracted: int,
    orders: Iterable[OrderInfo],
    imported: Imported | None = None,
) -> Analysis:
    facts = list(facts)
    orders = list(orders)
    n = len(facts)
    first = Ref(facts[0].number, facts[0].day) if facts else None
    last = Ref(facts[-1].number, facts[-1].day) if facts else None
    duration = (facts[-1].day - facts[0].day).days if facts else 0

    # One pass: counts per day, the heat map, and the incidents behind each finding.
    group_day: dict[tuple[str, dt.date], int] = {}
    group_totals: Counter[str] = Counter()
    heat = [[0] * 24 for _ in range(7)]
    weekday_of: dict[dt.date, int] = {}
    kind_counts: dict[tuple[tuple[str, ...], str, str], int] = {}
    untimed = reported = unreported = danger = contacts = no_codes = 0
    bk = Buckets()
    days = bk.days
    kinds: dict[tuple[tuple[str, ...], str, str], Kind] = {}
    window_s = T.BURST_MINUTES.value * 60
    night_start, night_end = T.NIGHT_START_HOUR.value, T.NIGHT_END_HOUR.value
    seen_threat = seen_harm = seen_presence = False
    approached: set[tuple[str, bool]] = set()  # (place, seen there) already named: home, work, school, each apart
    remote_before = 0
    for i, f in enumerate(facts):
        d = f.day
        days.append(d)
        key = (f.codes, f.channel, f.place)
        k = kinds.get(key)
        if k is None:
            k = kinds[key] = kind_of(*key)
            kind_counts[key] = 0
        kind_counts[key] += 1
        if k.groups:
            for g in k.groups:
                gd = (g, d)
                group_day[gd] = group_day.get(gd, 0) + 1
        else:
            no_codes += 1
        h = f.hour
        if h is None:
            untimed += 1
        else:
            wd = weekday_of.get(d)
            if wd is None:
                wd = weekday_of[d] = d.weekday()
            heat[wd][h] += 1
            if h >= night_start or h < night_end:
                bk.night.append(f)
            if f.end is None or f.end - f.t <= window_s:
                bk.timed.append(f)
        if f.reported:
            reported += 1
        elif f.reported is False and not f.quick:  # a quick note was never asked: not said, not "not reported"
            unreported += 1
        if f.danger:
            danger += 1
            bk.danger.append(f)
        if f.order is not None:
            bk.breaches.append(f)
        contacts += f.how_many
        if k.threat:
            bk.threats.append(f)
            if not seen_threat:
                seen_threat = True
                if i > 0:
                    bk.milestones.append(("The first threat", f))
        if k.third:
            bk.third.append(f)
        if k.suicide:
            bk.suicide.append(f)
        if k.turning_up:
            bk.turning_up.append(f)
        if k.left:
            bk.left.append(f)
        if k.approach and (k.approach, k.seen) not in approached:
            approached.add((k.approach, k.seen))
            if i > 0:
                bk.milestones.append((approach_label(k.approach, k.seen), f))
        if k.harm and not seen_harm:
            seen_harm = True
            if i > 0:
                bk.milestones.append(("The first damage or violence", f))
        if k.seen:  # turned up in person (damage found or a gift left without being seen is not)
            if not seen_presence:
                seen_presence = True
                if remote_before >= T.REMOTE_BEFORE_PRESENCE.value:
                    bk.milestones.append((f"The first time they turned up in person, after {plural(remote_before, 'incident')} at a distance", f))
        elif k.remote:
            remote_before += 1
    per_day = Counter(days)
    channels: Counter[str] = Counter()
    places: Counter[str] = Counter()
    for (codes, channel, place), count in kind_counts.items():
        channels[channel] += count
        places[place] += count
        for g in kinds[(codes, channel, place)].groups:
            group_totals[g] += count
    per_week: Counter[dt.date] = Counter()
    per_month: Counter[dt.date] = Counter()
    for d, count in per_day.items():
        per_week[week_start(d)] += count
        per_month[d.replace(day=1)] += count
    group_week: Counter[tuple[str, dt.date]] = Counter()
    group_month: Counter[tuple[str, dt.date]] = Counter()
    for (g, d), count in group_day.items():
        group_week[(g, week_start(d))] += count
        group_month[(g, d.replace(day=1))] += count
    breaches = [Ref(f.number, f.day) for f in bk.breaches]

    first_day, last_day = (facts[0].day, facts[-1].day) if facts else (None, None)
    periods, per_period, period_kind, by_group = chart_periods(first_day, last_day, as_of, per_week, per_month, group_week, group_month)
    weeks_spanned = max(1, ((facts[-1].day - facts[0].day).days // 7 + 1)) if facts else 1

    findings = find_all(facts, bk, as_of=as_of, relationship=relationship, orders=orders, imported=imported)
    checks = checks_for(findings, relationship=relationship, orders=orders, has_imports=imported is not None and imported.items > 0)
    return Analysis(
        as_of=as_of,
        relationship=relationship,
        total=n,
        retracted=retracted,
        first=first,
        last=last,
        duration_days=duration,
        period_kind=period_kind,
        periods=periods,
        per_period=per_period,
        per_week_average=round(n / weeks_spanned, 1) if n else 0.0,
        behaviours_over_time=[(g, label, by_group[g]) for g, label in GROUPS if group_totals[g]],
        behaviour_totals=[(g, GROUP_LONG[g], group_totals[g]) for g, _ in GROUPS if group_totals[g]],
        channels=channels.most_common(),
        places=places.most_common(),
        heat=heat,
        untimed=untimed,
        reported=reported,
        unreported=unreported,
        reported_not_said=n - reported - unreported,
        danger=danger,
        contacts=contacts,
        no_behaviours=no_codes,
        breaches=breaches,
        findings=findings,
        checks=checks,
        facts=facts,
        buckets=bk,
    )
