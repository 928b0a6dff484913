"""The pattern in a diary: counts, charts' figures and findings, in plain Python over facts.

Everything here is one pass (or a few) over the facts, which come in the order the incidents
happened, so the cost grows in step with the number of incidents. Nothing here reads the database:
:func:`analyse` takes facts (see ``insights.facts``) and the little it needs about the case.

Findings are indicators with the incidents behind them, never predictions. Every number used is a
named threshold in ``insights.thresholds`` with its source, or marked as Daybook's own choice.
"""

from __future__ import annotations

import datetime as dt
import gc
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import NamedTuple

from insights import thresholds as T
from insights.facts import Fact, Imported

# --- What the behaviour codes mean for the findings -------------------------------------------------------

THREATS = frozenset({"THRT.VIOLENCE", "THRT.KILL", "THRT.OTHERS", "THRT.IMPLIED"})
SUICIDE_THREATS = frozenset({"THRT.SUICIDE"})
VIOLENCE = frozenset({"VIOL.ASSAULT", "VIOL.SEXUAL", "VIOL.THIRD"})
DAMAGE_OR_VIOLENCE = frozenset({"PROP.DAMAGE", "PROP.ENTRY"}) | VIOLENCE
PROPERTY = frozenset({"PROP.DAMAGE", "PROP.ENTRY", "PROP.INTERFERE"})
FOLLOWING_OR_LOITERING = frozenset({"SURV.FOLLOW", "SURV.LOITER", "SURV.WATCH"})
# Being physically there: turning up, following, watching, waiting, getting in, damage, attack.
PRESENCE = frozenset({"CONT.VISIT", "SURV.FOLLOW", "SURV.LOITER", "SURV.WATCH", "PROP.ENTRY", "PROP.DAMAGE", "VIOL.ASSAULT", "VIOL.SEXUAL"})
PRESENCE_CHANNELS = frozenset({"in_person"})
# Contact at a distance.
REMOTE_CHANNELS = frozenset({"phone_call", "text", "messaging_app", "email", "social_media", "letter", "gift"})
REMOTE = frozenset(
    {
        "CONT.CALL",
        "CONT.MSG",
        "CONT.LETTER",
        "CONT.GIFT",
        "SURV.ONLINE",
        "SURV.ACCOUNT",
        "SURV.APP",
        "SURV.INFO",
        "PUBL.POST",
        "PUBL.IMPERS",
        "PUBL.RUMOUR",
        "PUBL.IMAGE",
        "SABO.ORDER",
        "SABO.IDENTITY",
        "SABO.TECH",
        "THRT.ABUSE",
    }
)
# Drawing in other people: contact through them, threats or violence to them, their employer, false complaints.
THIRD_PARTY = frozenset({"CONT.PROXY", "THRT.OTHERS", "SABO.WORK", "VIOL.THIRD", "PUBL.RUMOUR"})
THIRD_PARTY_CHANNELS = frozenset({"third_party"})
HOME_OR_WORK = frozenset({"home", "work", "school"})
INTIMATE = frozenset({"ex_partner", "partner"})
DOMESTIC = frozenset({"ex_partner", "partner", "family"})

GROUPS = [
    ("CONT", "Contact"),
    ("SURV", "Watching"),
    ("THRT", "Threats"),
    ("PUBL", "Publishing"),
    ("PROP", "Property"),
    ("SABO", "Sabotage"),
    ("VIOL", "Violence"),
]
GROUP_LONG = {
    "CONT": "Contact and turning up",
    "SURV": "Following, watching and monitoring",
    "THRT": "Threats and intimidation",
    "PUBL": "Posting, pretending to be you, rumours",
    "PROP": "Property",
    "SABO": "Sabotage (orders in your name, fraud, work)",
    "VIOL": "Violence",
}
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MAX_REFS = 25  # incidents linked per point on the page; the rest are counted and reachable from the timeline
WEEKS_BEFORE_MONTHS = 78  # Daybook's choice: charts over more weeks than this count by month instead


def is_presence(f: Fact) -> bool:
    return f.channel in PRESENCE_CHANNELS or not PRESENCE.isdisjoint(f.codes)


def is_remote(f: Fact) -> bool:
    """Known to be contact at a distance (and not presence)."""
    if is_presence(f):
        return False
    return f.channel in REMOTE_CHANNELS or (bool(f.codes) and all(c in REMOTE for c in f.codes))


def is_turning_up(f: Fact) -> bool:
    """Turning up (the S-DASH visits topic): a visit, or being there in person at home, work or school."""
    return "CONT.VISIT" in f.codes or (is_presence(f) and f.place in HOME_OR_WORK)


def is_approach_home_work(f: Fact) -> bool:
    if "CONT.VISIT" in f.codes and f.place in ("", *HOME_OR_WORK):
        return True
    return is_presence(f) and f.place in HOME_OR_WORK


def is_third_party(f: Fact) -> bool:
    return f.channel in THIRD_PARTY_CHANNELS or not THIRD_PARTY.isdisjoint(f.codes)


def is_night(f: Fact) -> bool:
    h = f.hour
    if h is None:
        return False
    return h >= T.NIGHT_START_HOUR.value or h < T.NIGHT_END_HOUR.value


class Kind(NamedTuple):
    """What an incident's (behaviours, channel, place) mean for the findings; worked out once per combination."""

    groups: tuple[str, ...]
    threat: bool
    presence: bool
    remote: bool
    turning_up: bool
    approach: bool
    harm: bool
    third: bool


def kind_of(codes: tuple[str, ...], channel: str, place: str) -> Kind:
    f = Fact(0, 0.0, None, dt.date.min, None, codes, channel, place, 1, False, False, None, False)
    return Kind(
        tuple(sorted({c.split(".", 1)[0] for c in codes})),
        not THREATS.isdisjoint(codes),
        is_presence(f),
        is_remote(f),
        is_turning_up(f),
        is_approach_home_work(f),
        not DAMAGE_OR_VIOLENCE.isdisjoint(codes),
        is_third_party(f),
    )


# --- Results ---------------------------------------------------------------------------------------------


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
class Period:
    start: dt.date
    label: str  # short, for the chart axis
    long_label: str  # for the table: the week's Monday ("3 March 2025") or the month ("March 2025")


@dataclass
class Buckets:
    """The incidents behind each finding, sorted out in the one pass over the facts (each list in time order)."""

    days: list[dt.date] = field(default_factory=list)  # every fact's day, for bisecting date windows
    threats: list[Fact] = field(default_factory=list)
    danger: list[Fact] = field(default_factory=list)
    breaches: list[Fact] = field(default_factory=list)
    third: list[Fact] = field(default_factory=list)
    night: list[Fact] = field(default_factory=list)
    turning_up: list[Fact] = field(default_factory=list)
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
    unreported: int
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


@dataclass(frozen=True)
class OrderInfo:
    id: int
    label: str
    starts_on: dt.date | None
    ends_on: dt.date | None


# --- Helpers ---------------------------------------------------------------------------------------------


def day_text(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def short_day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def refs_of(facts: Sequence[Fact], limit: int = MAX_REFS) -> tuple[list[Ref], int]:
    shown = [Ref(f.number, f.day) for f in facts[:limit]]
    return shown, max(0, len(facts) - limit)


def point(text: str, facts: Sequence[Fact], limit: int = MAX_REFS) -> Point:
    refs, more = refs_of(facts, limit)
    return Point(text, refs, more)


def week_start(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def next_month(d: dt.date) -> dt.date:
    return d.replace(year=d.year + 1, month=1) if d.month == 12 else d.replace(month=d.month + 1)


# --- The analysis ----------------------------------------------------------------------------------------


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
    and burst flags of imported messages and calls (``insights.facts.load_imported``), for two more findings.

    The cyclic garbage collector is paused meanwhile: the analysis makes many small objects and no cycles, and
    full collections over a heap of 100 000 facts would otherwise make the cost grow faster than the diary."""
    with no_gc():
        return _analyse(facts, as_of=as_of, relationship=relationship, retracted=retracted, orders=orders, imported=imported)


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
    untimed = reported = danger = contacts = no_codes = 0
    bk = Buckets()
    days = bk.days
    kinds: dict[tuple[tuple[str, ...], str, str], Kind] = {}
    window_s = T.BURST_MINUTES.value * 60
    night_start, night_end = T.NIGHT_START_HOUR.value, T.NIGHT_END_HOUR.value
    seen_threat = seen_approach = seen_harm = seen_presence = False
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
        if k.turning_up:
            bk.turning_up.append(f)
        if k.approach and not seen_approach:
            seen_approach = True
            if i > 0:
                bk.milestones.append(("The first time they came to your home, work or place of study", f))
        if k.harm and not seen_harm:
            seen_harm = True
            if i > 0:
                bk.milestones.append(("The first damage or violence", f))
        if k.presence:
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

    periods, per_period, period_kind, by_group = _periods(facts, as_of, per_week, per_month, group_week, group_month)
    weeks_spanned = max(1, ((facts[-1].day - facts[0].day).days // 7 + 1)) if facts else 1

    findings = _findings(facts, bk, as_of=as_of, relationship=relationship, orders=orders)
    has_imports = imported is not None and imported.items > 0
    if imported is not None:
        findings += [f for f in (_imported_night(imported), _imported_bursts(imported)) if f]
    fired = {f.key for f in findings}
    dated_orders = any(o.starts_on for o in orders)
    checks = [
        Check(key, title, key in fired, silent)
        for key, title, silent in CHECKS
        if (key != "repeat_domestic" or relationship in DOMESTIC)
        and (key != "during_order" or dated_orders)
        and (not key.startswith("imported_") or has_imports)
    ]
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
        unreported=n - reported,
        danger=danger,
        contacts=contacts,
        no_behaviours=no_codes,
        breaches=breaches,
        findings=findings,
        checks=checks,
        facts=facts,
        buckets=bk,
    )


def _periods(
    facts: Sequence[Fact],
    as_of: dt.date,
    per_week: Counter[dt.date],
    per_month: Counter[dt.date],
    group_week: Counter[tuple[str, dt.date]],
    group_month: Counter[tuple[str, dt.date]],
) -> tuple[list[Period], list[int], str, dict[str, list[int]]]:
    """Weeks from the first incident to this week, or months when that is more than WEEKS_BEFORE_MONTHS weeks."""
    if not facts:
        return [], [], "week", {}
    start = facts[0].day
    end = max(as_of, facts[-1].day)
    weeks = (week_start(end) - week_start(start)).days // 7 + 1
    periods: list[Period] = []
    if weeks <= WEEKS_BEFORE_MONTHS:
        cursor = week_start(start)
        while cursor <= end:
            periods.append(Period(cursor, f"{cursor.day} {cursor:%b}", day_text(cursor)))
            cursor += dt.timedelta(days=7)
        counts, groups, kind = per_week, group_week, "week"
    else:
        cursor = month_start(start)
        while cursor <= end:
            periods.append(Period(cursor, f"{cursor:%b %y}", f"{cursor:%B %Y}"))
            cursor = next_month(cursor)
        counts, groups, kind = per_month, group_month, "month"
    per_period = [counts.get(p.start, 0) for p in periods]
    by_group = {g: [groups.get((g, p.start), 0) for p in periods] for g, _ in GROUPS}
    return periods, per_period, kind, by_group


# --- Findings --------------------------------------------------------------------------------------------

CHECKS = [
    ("course_of_conduct", "A course of conduct", "Fewer than two incidents are recorded."),
    ("duration", "Going on for more than two weeks", "The incidents recorded so far span two weeks or less."),
    ("escalation_frequency", "Happening more often", "The last 14 days do not show at least twice the usual number of incidents."),
    (
        "escalation_seriousness",
        "Getting more serious",
        "No first threat, approach at home or work, damage, violence or move to turning up in person after earlier, less serious incidents.",
    ),
    ("threats", "Threats", "No threats to you or to others are recorded."),
    ("danger", "You felt in danger", "No incident is marked 'I felt in danger'."),
    ("frequent_visits", "Turning up more than three times a week", "No week has more than three visits or approaches."),
    ("third_parties", "Other people drawn in", "No contact through, or harm to, other people is recorded."),
    ("breaches", "Orders broken", "No incident is marked as breaking an order."),
    ("during_order", "Incidents while an order was in force", "No unmarked incident falls while a recorded order was in force."),
    ("night", "Night-time contact", "Fewer than two incidents between 11pm and 6am."),
    ("bursts", "Bursts of contact", "No hour with 10 or more contacts."),
    ("repeat_domestic", "Repeated incidents in a year (partner, ex-partner or family)", "Fewer than three incidents in the last 12 months."),
    (
        "imported_night",
        "Imported messages and calls at night",
        "Fewer than two of the imported messages and calls came between midnight and 6am.",
    ),
    (
        "imported_bursts",
        "Bursts of imported messages or calls",
        "No 10 imported messages within 10 minutes, and no 5 imported calls within 30 minutes.",
    ),
]
TITLES = {key: title for key, title, _ in CHECKS}


def _findings(facts: Sequence[Fact], bk: Buckets, *, as_of: dt.date, relationship: str, orders: list[OrderInfo]) -> list[Finding]:
    out: list[Finding] = []
    for rule in (
        _course_of_conduct,
        _duration,
        _escalation_frequency,
        _escalation_seriousness,
        _threats,
        _danger,
        _frequent_visits,
        _third_parties,
        _breaches,
        _bursts,
        _night,
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


def frequency_windows(days: Sequence[dt.date], facts: Sequence[Fact], as_of: dt.date) -> tuple[list[Fact], int, dt.date, dt.date, dt.date]:
    """Incidents in the last RECENT_DAYS days to ``as_of``, and the count in the BEFORE_DAYS days before them.
    ``days`` are the facts' days (sorted), so the windows are found by bisection."""
    recent_from = as_of - dt.timedelta(days=T.RECENT_DAYS.value - 1)
    before_from = recent_from - dt.timedelta(days=T.BEFORE_DAYS.value)
    lo, mid, hi = bisect_left(days, before_from), bisect_left(days, recent_from), bisect_right(days, as_of)
    return list(facts[mid:hi]), mid - lo, recent_from, before_from, recent_from - dt.timedelta(days=1)


def _escalation_frequency(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    recent, before, recent_from, before_from, before_to = frequency_windows(bk.days, facts, as_of)
    r = len(recent)
    usual = before * T.RECENT_DAYS.value / T.BEFORE_DAYS.value  # the earlier count scaled to 14 days
    if r < T.ESCALATION_MIN_RECENT.value or r < T.ESCALATION_FACTOR.value * usual or r <= usual:
        return None
    usual_text = f"{usual:g}" if usual == int(usual) else f"{usual:.1f}"
    if before == 0:
        compare = f"In the {T.BEFORE_DAYS.value} days before ({day_text(before_from)} to {day_text(before_to)}) there were none."
    else:
        times = r / usual
        compare = (
            f"In the {T.BEFORE_DAYS.value} days before ({day_text(before_from)} to {day_text(before_to)}) there were {before}, "
            f"about {usual_text} in an average 14 days: the last 14 days had {times:.1f} times as many."
        )
    return Finding(
        "escalation_frequency",
        TITLES["escalation_frequency"],
        f"{plural(r, 'incident')} in the last {T.RECENT_DAYS.value} days ({day_text(recent_from)} to {day_text(as_of)}). {compare}",
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
    """Calendar weeks (from Monday) with more than VISITS_PER_WEEK visits or approaches, oldest first.
    ``turning_up``: the facts that are visits or approaches (``Buckets.turning_up``), in time order."""
    weeks: dict[dt.date, list[Fact]] = {}
    for f in turning_up:
        weeks.setdefault(week_start(f.day), []).append(f)
    return [(w, fs) for w, fs in weeks.items() if len(fs) > T.VISITS_PER_WEEK.value]


def _frequent_visits(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    weeks = visit_weeks(bk.turning_up)
    if not weeks:
        return None
    points = [point(f"Turned up {len(fs)} times in the week of {day_text(w)}.", fs) for w, fs in weeks[-MAX_REFS:]]
    more = len(weeks) - len(points)
    if more:
        points.insert(0, Point(f"{plural(more, 'earlier week')} like this are not listed here."))
    numbers = [f.number for _, fs in weeks for f in fs]
    return Finding(
        "frequent_visits",
        TITLES["frequent_visits"],
        f"In {plural(len(weeks), 'week')} they turned up at your home, work or other places you go more than three times. "
        "The stalking risk screening the police use asks about exactly this.",
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


def _night(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
    hits = bk.night
    if len(hits) < T.NIGHT_MIN.value:
        return None
    return Finding(
        "night",
        TITLES["night"],
        f"{plural(len(hits), 'incident')} between 11pm and 6am, the latest on {day_text(hits[-1].day)}. Contact at night "
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


def _bursts(facts: Sequence[Fact], bk: Buckets, as_of: dt.date) -> Finding | None:
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


# --- Imported messages and calls (flags set when they were imported) --------------------------------------


def _day_refs(imported: Imported, keys: Iterable[tuple[dt.date, str]]) -> list[Ref]:
    """The incidents of imported (day, channel) keys, once each, in date order."""
    refs = {imported.incidents[k]: Ref(imported.incidents[k], k[0]) for k in keys if k in imported.incidents}
    return sorted(refs.values(), key=lambda r: (r.day, r.number))


def _ref_point(text: str, refs: list[Ref]) -> Point:
    return Point(text, refs[:MAX_REFS], max(0, len(refs) - MAX_REFS))


def _imported_night(imported: Imported) -> Finding | None:
    total = sum(n for _, _, n in imported.night)
    if total < T.NIGHT_MIN.value:
        return None
    days = sorted({d for d, _, _ in imported.night})
    refs = _day_refs(imported, [(d, c) for d, c, _ in imported.night])
    return Finding(
        "imported_night",
        TITLES["imported_night"],
        f"{plural(total, 'imported message or call', 'imported messages or calls')} came at night (00:00 to 05:59) "
        f"across {plural(len(days), 'day')}, the latest on {day_text(days[-1])}. Contact at night disturbs sleep and is "
        "part of the impact on your daily life.",
        f"{T.IMPORT_NIGHT_HOURS.source} {T.NIGHT_MIN.source}",
        [_ref_point("The days' incidents:", refs)],
        [r.number for r in refs],
        own_choice=True,
        thresholds=("IMPORT_NIGHT_HOURS", "NIGHT_MIN"),
    )


def _imported_bursts(imported: Imported) -> Finding | None:
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
