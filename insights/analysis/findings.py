"""The findings about the diary's incidents: a course of conduct, how long it has gone on, escalation, threats, fear,
turning up, other people, orders, repeated domestic incidents (and, from ``timing``, night-time and bursts).

Each rule reads the facts and the buckets the one pass sorted out (``counting``) and returns a :class:`Finding`
with the incidents behind it, or None. Every number is a named threshold in ``insights.thresholds``.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from insights import thresholds as T
from insights.analysis.checks import TITLES
from insights.analysis.codes import DOMESTIC
from insights.analysis.inputs import Fact, Imported, OrderInfo
from insights.analysis.results import MAX_REFS, Buckets, Finding, Point, Ref, point
from insights.analysis.timing import bursts_finding, imported_bursts_finding, imported_night_finding, night_finding
from kernel.localtime import week_start
from kernel.words import day_text, figure, plural, times


def find_all(facts: Sequence[Fact], bk: Buckets, *, as_of: dt.date, relationship: str, orders: list[OrderInfo], imported: Imported | None) -> list[Finding]:
    """Every finding that fires, in the order of ``checks.CHECKS``."""
    out: list[Finding] = []
    for rule in (
        _course_of_conduct,
        _duration,
        _escalation_frequency,
        _escalation_seriousness,
        _threats,
        _suicide_threats,
        _danger,
        _frequent_visits,
        _third_parties,
        _breaches,
        bursts_finding,
        night_finding,
    ):
        found = rule(facts, bk, as_of)
        if found:
            out.append(found)
    during = _during_order(facts, bk, orders)
    if during:
        out.insert(next((i + 1 for i, f in enumerate(out) if f.key == "breaches"), len(out)), during)
    repeat = _repeat_domestic(facts, bk, as_of, relationship)
    if repeat:
        out.append(repeat)
    if imported is not None:
        out += [f for f in (imported_night_finding(imported), imported_bursts_finding(imported)) if f]
    return out


def _course_of_conduct(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    n = len(facts)
    if n < T.COURSE_OF_CONDUCT.value:
        return None
    shown = list(facts[:2]) + ([facts[-1]] if n > 2 else [])
    return Finding(
        "course_of_conduct",
        TITLES["course_of_conduct"],
        f"{plural(n, 'incident')} from {day_text(facts[0].day)} to {day_text(facts[-1].day)}. "
        "Taken alone each may seem small; together and repeated they are a pattern, which is what the law on harassment "
        "and stalking looks at. Whether an offence is made out is for the police and the courts.",
        T.COURSE_OF_CONDUCT.source,
        [Point("The first two incidents and the latest (all of them are on the timeline):", [Ref(f.number, f.day) for f in shown])],
        [f.number for f in facts],
        thresholds=("COURSE_OF_CONDUCT",),
    )


def _duration(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    if not facts:
        return None
    days = (facts[-1].day - facts[0].day).days
    if days <= T.TWO_WEEKS_DAYS.value:
        return None
    weeks = days // 7
    return Finding(
        "duration",
        TITLES["duration"],
        f"The first incident was on {day_text(facts[0].day)} and the latest on {day_text(facts[-1].day)}: "
        f"{plural(days, 'day')} (about {plural(weeks, 'week')}). Research finds that unwanted contact lasting more than two "
        "weeks is more likely to go on, and to become more intrusive and threatening.",
        T.TWO_WEEKS_DAYS.source,
        [Point("First and latest incidents:", [Ref(facts[0].number, facts[0].day), Ref(facts[-1].number, facts[-1].day)])],
        [facts[0].number, facts[-1].number],
        thresholds=("TWO_WEEKS_DAYS",),
    )


def frequency_windows(days: Sequence[dt.date], facts: Sequence[Fact], as_of: dt.date) -> tuple[list[Fact], list[Fact], dt.date, dt.date, dt.date]:
    """Incidents in the last RECENT_DAYS days to ``as_of`` and in the BEFORE_DAYS days before them, with the windows'
    first and last days. ``days`` are the facts' days (sorted), so the windows are found by bisection."""
    recent_from = as_of - dt.timedelta(days=T.RECENT_DAYS.value - 1)
    before_from = recent_from - dt.timedelta(days=T.BEFORE_DAYS.value)
    lo, mid, hi = bisect_left(days, before_from), bisect_left(days, recent_from), bisect_right(days, as_of)
    return list(facts[mid:hi]), list(facts[lo:mid]), recent_from, before_from, recent_from - dt.timedelta(days=1)


def _rising(recent: int, before: int) -> tuple[bool, float]:
    """Whether ``recent`` (last 14 days) is an escalation on ``before`` (the 28 days before), and the usual 14 days."""
    usual = before * T.RECENT_DAYS.value / T.BEFORE_DAYS.value  # the earlier count scaled to 14 days
    return recent >= T.ESCALATION_MIN_RECENT.value and recent >= T.ESCALATION_FACTOR.value * usual and recent > usual, usual


def _compare(recent: int, before: int, usual: float, word: str, words: str, span: str) -> str:
    """ "In the 28 days before (...) there were 4 incidents, about 2 in an average 14 days: the last 14 days had 6 times as many." """
    if before == 0:
        return f"In the {T.BEFORE_DAYS.value} days before ({span}) there were none."
    usual_text = f"{usual:g}" if usual == int(usual) else f"{usual:.1f}"
    were = "was" if before == 1 else "were"
    return (
        f"In the {T.BEFORE_DAYS.value} days before ({span}) there {were} {plural(before, word, words)}, "
        f"about {usual_text} in an average 14 days: the last 14 days had {figure(recent / usual)} times as many."
    )


def _escalation_frequency(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    """More incidents (records in the diary), or more contacts (a record of 32 calls is 32), in the last 14 days than
    usual. Both are said where they differ."""
    recent, earlier, recent_from, before_from, before_to = frequency_windows(bk.days, facts, as_of)
    r, before = len(recent), len(earlier)
    rc, before_c = sum(f.how_many for f in recent), sum(f.how_many for f in earlier)
    by_records, usual = _rising(r, before)
    by_contacts, usual_c = _rising(rc, before_c)
    if not (by_records or by_contacts):
        return None
    span = f"{day_text(before_from)} to {day_text(before_to)}"
    same = rc == r and before_c == before
    summary = f"{plural(r, 'incident')} recorded in the last {T.RECENT_DAYS.value} days ({day_text(recent_from)} to {day_text(as_of)})"
    if same:
        summary += f", each one contact. {_compare(r, before, usual, 'incident', 'incidents', span)}"
    else:
        summary += (
            f", with {plural(rc, 'contact')} in them (calls, messages and visits counted one by one: a record of 32 calls "
            f"is 32 contacts). Counting incidents: {_compare(r, before, usual, 'incident', 'incidents', span)} "
            f"Counting contacts: {_compare(rc, before_c, usual_c, 'contact', 'contacts', span)}"
        )
        if not by_records:
            summary += " The number of incidents alone has not risen as much: the rise is in the contacts."
    return Finding(
        "escalation_frequency",
        TITLES["escalation_frequency"],
        summary,
        f"{T.ESCALATION_FACTOR.source} {T.ESCALATION_MIN_RECENT.meaning}",
        [point(f"Incidents in the last {T.RECENT_DAYS.value} days:", recent)],
        [f.number for f in recent],
        own_choice=True,
        thresholds=("RECENT_DAYS", "BEFORE_DAYS", "ESCALATION_FACTOR", "ESCALATION_MIN_RECENT"),
    )


def _escalation_seriousness(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    found = bk.milestones
    if not found:
        return None
    by_incident: dict[int, tuple[Fact, list[str]]] = {}
    for label, f in found:
        by_incident.setdefault(f.number, (f, []))[1].append(label)
    steps = sorted(by_incident.values(), key=lambda item: item[0].t)
    points = []
    for f, labels in steps:
        text = labels[0] + "".join(f"; {label[0].lower()}{label[1:]}" for label in labels[1:])
        points.append(Point(f"{day_text(f.day)}: {text}.", [Ref(f.number, f.day)]))
    return Finding(
        "escalation_seriousness",
        TITLES["escalation_seriousness"],
        f"After earlier, less serious incidents, your diary shows {plural(len(steps), 'step')} up in seriousness. A move from "
        "messages and calls to threats, turning up, damage or violence is a change the police and support services look for.",
        f"{ESCALATION_SERIOUSNESS_BASIS} {T.REMOTE_BEFORE_PRESENCE.meaning} ({T.REMOTE_BEFORE_PRESENCE.source})",
        points,
        [f.number for f, _ in steps],
        thresholds=("REMOTE_BEFORE_PRESENCE",),
    )


ESCALATION_SERIOUSNESS_BASIS = (
    "A 2021 study of 924 National Stalking Helpline cases placed unwanted messages and calls at the low end of a severity "
    "scale and damage and death threats at the high end; Monckton Smith, Szymanska and Haile (2017) found escalation in "
    "79% of the homicide cases studied. Which behaviours count as each step is Daybook's grouping."
)


def _threats(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    hits = bk.threats
    if not hits:
        return None
    kill = [f for f in hits if "THRT.KILL" in f.codes]
    others = [f for f in hits if "THRT.OTHERS" in f.codes]
    points = [point(f"Threats: {plural(len(hits), 'incident')}, the latest on {day_text(hits[-1].day)}.", hits)]
    if kill:
        points.append(point(f"Threats to kill: {plural(len(kill), 'incident')}.", kill))
    if others:
        points.append(point(f"Threats to people close to you: {plural(len(others), 'incident')}.", others))
    return Finding(
        "threats",
        TITLES["threats"],
        f"Your diary records threats in {plural(len(hits), 'incident')}. Threats are one of the strongest warning signs, "
        "most of all from a partner or ex-partner.",
        T.EX_INTIMATE_THREATS_SOURCE,
        points,
        [f.number for f in hits],
    )


def _suicide_threats(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    hits = bk.suicide
    if not hits:
        return None
    return Finding(
        "suicide_threats",
        TITLES["suicide_threats"],
        f"Your diary records threats by them to harm or kill themselves in {plural(len(hits), 'incident')}, the latest on "
        f"{day_text(hits[-1].day)}. Threatening suicide to make you answer or come back is pressure, not your "
        "responsibility; stalking and domestic abuse services treat it as a warning sign of risk, to them and to you. "
        "If they say they are about to harm themselves, call 999.",
        SUICIDE_THREATS_SOURCE,
        [point("Incidents with a threat of suicide:", hits)],
        [f.number for f in hits],
    )


SUICIDE_THREATS_SOURCE = (
    "Threatening suicide to force contact is one of the stalking behaviours named in Daybook's behaviour list (from the "
    "Suzy Lamplugh Trust's National Stalking Awareness Week case study); the police DASH (2009) risk form asks whether "
    "the abuser has threatened or attempted suicide."
)


def _danger(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    hits = bk.danger
    if not hits:
        return None
    return Finding(
        "danger",
        TITLES["danger"],
        f"You marked {plural(len(hits), 'incident')} 'I felt in danger', the latest on {day_text(hits[-1].day)}. "
        "How frightened you are matters: you are often the best judge of the risk you face.",
        T.FEAR_SOURCE,
        [point("Incidents where you felt in danger:", hits)],
        [f.number for f in hits],
    )


def visit_weeks(turning_up: Sequence[Fact]) -> list[tuple[dt.date, list[Fact]]]:
    """Calendar weeks (from Monday) with more than VISITS_PER_WEEK times they turned up, oldest first, counting records
    or contacts (a record of "came to the door three times" is three). ``turning_up``: the facts that are visits or
    being seen at home, work or school (``Buckets.turning_up``), in time order."""
    weeks: dict[dt.date, list[Fact]] = {}
    for f in turning_up:
        weeks.setdefault(week_start(f.day), []).append(f)
    most = T.VISITS_PER_WEEK.value
    return [(w, fs) for w, fs in weeks.items() if len(fs) > most or sum(f.how_many for f in fs) > most]


def _frequent_visits(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    weeks = visit_weeks(bk.turning_up)
    if not weeks:
        return None
    points = []
    for w, fs in weeks[-MAX_REFS:]:
        n = sum(f.how_many for f in fs)
        counted = "" if n == len(fs) else f" (in {plural(len(fs), 'incident')})"
        points.append(point(f"Turned up {times(n)} in the week of {day_text(w)}{counted}.", fs))
    more = len(weeks) - len(points)
    if more:
        points.insert(0, Point(f"{plural(more, 'earlier week')} like this are not listed here."))
    left = bk.left
    if left:
        text = (
            f"Not counted as turning up: {plural(len(left), 'incident')} where something was left or done at your home, "
            "work or place of study without them being seen there (damage found, a gift or letter left)."
        )
        points.append(point(text, left))
    numbers = [f.number for _, fs in weeks for f in fs]
    return Finding(
        "frequent_visits",
        TITLES["frequent_visits"],
        f"In {plural(len(weeks), 'week')} they turned up more than three times. Counted as turning up: visits, and being "
        "seen at your home, work or place of study (following, waiting, watching, or there in person), each contact "
        "once. Not counted: damage found or a gift left there without them being seen. The stalking risk screening the "
        "police use asks about exactly this.",
        T.VISITS_PER_WEEK.source,
        points,
        numbers,
        thresholds=("VISITS_PER_WEEK",),
    )


def _third_parties(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    hits = bk.third
    if not hits:
        return None
    return Finding(
        "third_parties",
        TITLES["third_parties"],
        f"{plural(len(hits), 'incident')} involved other people: contact through family, friends or colleagues, threats or "
        "harm to them, contacting your work, or false complaints about you.",
        "The S-DASH (2009) stalking screening asks whether third parties (family, friends, children, colleagues, partners, "
        "neighbours) have been harassed, and whether the person has got others to help.",
        [point("Incidents involving other people:", hits)],
        [f.number for f in hits],
    )


def _breaches(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    hits = bk.breaches
    if not hits:
        return None
    return Finding(
        "breaches",
        TITLES["breaches"],
        f"{plural(len(hits), 'incident')} marked as breaking an order or bail conditions, the latest on {day_text(hits[-1].day)}. "
        "Breaking a restraining order or a Stalking Protection Order is a crime. Report every breach of any order or bail "
        "conditions to the police, giving your crime reference number.",
        "Sentencing Act 2020 s363 (breach of a restraining order); Protection from Harassment Act 1997 s5A (orders on "
        "acquittal); Stalking Protection Act 2019 s8 (breach of a Stalking Protection Order).",
        [point("Incidents marked as a breach:", hits)],
        [f.number for f in hits],
    )


def _during_order(facts: Sequence[Fact], bk: Buckets, orders: list[OrderInfo]) -> Finding | None:
    dated = [o for o in orders if o.starts_on]
    if not dated:
        return None
    inside: set[int] = set()
    for o in dated:
        lo = bisect_left(bk.days, o.starts_on)
        hi = bisect_right(bk.days, o.ends_on) if o.ends_on else len(bk.days)
        inside.update(range(lo, hi))
    hits = [facts[i] for i in sorted(inside) if facts[i].order is None]
    if not hits:
        return None
    return Finding(
        "during_order",
        TITLES["during_order"],
        f"{plural(len(hits), 'incident')} happened while an order you recorded was in force but {'is' if len(hits) == 1 else 'are'} "
        "not marked as breaking it. If the order forbids this kind of contact, they may be breaches: check each one and mark it.",
        "Daybook compares each incident's date with the dates of the orders you recorded. It cannot read an order's conditions.",
        [point("Incidents while an order was in force, not marked as a breach:", hits)],
        [f.number for f in hits],
    )


def _repeat_domestic(facts: Sequence[Fact], bk: Buckets, as_of: dt.date, relationship: str) -> Finding | None:
    if relationship not in DOMESTIC:
        return None
    since = as_of - dt.timedelta(days=365)
    hits = list(facts[bisect_right(bk.days, since) : bisect_right(bk.days, as_of)])
    if len(hits) < T.REPEAT_12_MONTHS.value:
        return None
    return Finding(
        "repeat_domestic",
        TITLES["repeat_domestic"],
        f"{plural(len(hits), 'incident')} in the last 12 months, by a partner, ex-partner or family member. Domestic abuse "
        "services treat three or more in a year as a sign that things may be escalating.",
        T.REPEAT_12_MONTHS.source,
        [point("The latest 10 (all of them are on the timeline):", hits[-10:][::-1])],
        [f.number for f in hits],
        thresholds=("REPEAT_12_MONTHS",),
    )
