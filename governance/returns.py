"""A commissioner's return for one organisation and period, computed from the fact table only (design 3.9).

Counts from 1 to 4 are suppressed ("fewer than 5"); where a table shows a total and exactly one of its cells is
suppressed, the next smallest cell is suppressed too, so the hidden one cannot be worked out by subtraction.
Averages over fewer than 5 answers are not shown either.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from care.models import Agency, Stage
from care.plans import OUTCOMES
from casework.models import Offence, Risk, Source
from governance import equality
from governance.models import Fact, FactKind, FeedbackKind, FeedbackOutcome, VictimsCodeRight
from insights.charts import Chart, bar_chart, column_chart
from justice.models import OnwardKind

THRESHOLD = 5
SUPPRESSED = "fewer than 5"
MAX_DAYS = 731  # two years: a longer period is refused
WAIT_BANDS = [(0, 0, "Same day"), (1, 2, "1 to 2 days"), (3, 5, "3 to 5 days"), (6, 10, "6 to 10 days"), (11, 10**6, "More than 10 days")]


class PeriodError(ValueError):
    """A period that cannot be returned: the message says why, in words."""


def shown(n: int) -> str:
    return SUPPRESSED if 0 < n < THRESHOLD else str(n)


@dataclass
class Section:
    key: str
    title: str
    head: tuple[str, str]
    rows: list[tuple[str, int]]
    total: bool = True
    chart_kind: str = "bar"  # or "column" (months) or "" (no chart)
    hidden: set[int] = field(default_factory=set)  # row indexes suppressed

    def __post_init__(self) -> None:
        self.hidden = {i for i, (_, n) in enumerate(self.rows) if 0 < n < THRESHOLD}
        if self.total and len(self.hidden) == 1:
            rest = [(n, i) for i, (_, n) in enumerate(self.rows) if i not in self.hidden and n > 0]
            if rest:
                self.hidden.add(min(rest)[1])

    @property
    def cells(self) -> list[tuple[str, str]]:
        return [(label, SUPPRESSED if i in self.hidden else str(n)) for i, (label, n) in enumerate(self.rows)]

    @property
    def total_text(self) -> str:
        return shown(sum(n for _, n in self.rows))

    @property
    def any_hidden(self) -> bool:
        return bool(self.hidden)

    def chart(self) -> Chart | None:
        if not self.chart_kind or not self.rows:
            return None
        visible = [(label, 0 if i in self.hidden else n) for i, (label, n) in enumerate(self.rows)]
        described = ", ".join(f"{label}: {text}" for label, text in self.cells) + "."
        if self.chart_kind == "column":
            chart = column_chart(
                f"ret-{self.key}",
                self.title,
                [lb[:3] for lb, _ in visible],
                [n for _, n in visible],
                long_labels=[lb for lb, _ in visible],
                unit="",
                summary=described,
                head=self.head,
            )
        else:
            chart = bar_chart(f"ret-{self.key}", self.title, visible, unit="", summary=described, head=self.head)
        if self.hidden:
            chart.notes.append("Counts under 5 are drawn as empty bars and shown in the table as “fewer than 5”.")
        return chart


@dataclass
class Measure:
    name: str
    start_n: int
    start_mean: float | None
    exit_n: int
    exit_mean: float | None

    def mean_text(self, which: str) -> str:
        n, mean = (self.start_n, self.start_mean) if which == "start" else (self.exit_n, self.exit_mean)
        return "not shown (fewer than 5 answers)" if n < THRESHOLD or mean is None else f"{mean:.1f}"


@dataclass
class Return:
    start: dt.date
    end: dt.date
    sections: list[Section]
    measures: list[Measure]
    median_wait: str

    @property
    def label(self) -> str:
        return f"{self.start:%-d %B %Y} to {self.end:%-d %B %Y}"


def quarter_bounds(text: str) -> tuple[dt.date, dt.date]:
    """``2026-Q2`` -> (1 April 2026, 30 June 2026)."""
    try:
        year_text, q_text = text.strip().upper().split("-Q")
        year, q = int(year_text), int(q_text)
    except ValueError:
        raise PeriodError("Give the quarter as a year and quarter, for example 2026-Q2.") from None
    if not (2000 <= year <= 2100 and 1 <= q <= 4):
        raise PeriodError("Give the quarter as a year and quarter, for example 2026-Q2.")
    start = dt.date(year, 3 * q - 2, 1)
    end = (dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - dt.timedelta(days=1)
    return start, end


def last_quarter(today: dt.date) -> str:
    q = (today.month - 1) // 3  # the quarter before this one, 0 meaning last year's fourth
    return f"{today.year - 1}-Q4" if q == 0 else f"{today.year}-Q{q}"


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise PeriodError("The end of the period must be on or after its start.")
    if (end - start).days >= MAX_DAYS:
        raise PeriodError("A return covers at most two years.")


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out, y, m = [], start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _labelled(counts: Counter[str], choices: Iterable[tuple[str, str]]) -> list[tuple[str, int]]:
    return [(label, counts.get(value, 0)) for value, label in choices]


def build(organisation_id: int, start: dt.date, end: dt.date) -> Return:
    check_period(start, end)
    facts = Fact.objects.filter(organisation_id=organisation_id, on__gte=start, on__lte=end)
    # Grouped in the database (a few GROUP BY queries over the period's index range), not row by row.
    refs = facts.filter(kind=FactKind.REFERRAL)

    def grouped(*fields: str) -> list[tuple[Any, ...]]:
        return list(refs.values(*fields).annotate(n=Count("id")).order_by().values_list(*fields, "n"))

    by_month: Counter[tuple[int, int]] = Counter()
    for on, n in grouped("on"):  # by day (at most 731 groups; no per-row date functions), months added up here
        by_month[(on.year, on.month)] += n
    source: Counter[str] = Counter({k: n for k, n in grouped("source")})
    risk: Counter[str] = Counter()
    for k, n in grouped("risk"):
        risk[k or Risk.UNKNOWN] += n
    crime: Counter[str] = Counter()
    for offences, n in grouped("offences"):
        for o in offences or ["_none"]:
            crime[o] += n
    flags = refs.aggregate(
        referrals=Count("id"),
        accepted=Count("id", filter=Q(accepted=True)),
        repeat=Count("id", filter=Q(repeat=True)),
        interpreter=Count("id", filter=Q(interpreter=True)),
    )
    referrals, accepted, repeat, interpreter = flags["referrals"], flags["accepted"], flags["repeat"], flags["interpreter"]
    attempt: Counter[str] = Counter()
    contact: Counter[str] = Counter()
    for att, con, n in grouped("attempt_in_time", "contact_in_time"):
        attempt["in" if att else "late" if att is False else "none"] += n
        contact["in" if con else "late" if con is False else "none"] += n
    wait_counts = sorted((w, n) for w, n in grouped("wait_days") if w is not None)
    wait_bands: Counter[str] = Counter({"none": referrals - sum(n for _, n in wait_counts)})
    for wait, n in wait_counts:
        wait_bands[next(label for lo, hi, label in WAIT_BANDS if lo <= wait <= hi)] += n
    waits = [w for w, n in wait_counts for _ in range(n)]
    others: dict[str, Counter[str]] = {
        FactKind.SAFEGUARDING: Counter(),
        FactKind.ONWARD: Counter(),
        FactKind.FEEDBACK: Counter(),
        FactKind.CLOSURE: Counter(),
        FactKind.RIGHT: Counter(),
    }
    for kind, sub, n in facts.filter(kind__in=list(others)).values("kind", "sub").annotate(n=Count("id")).order_by().values_list("kind", "sub", "n"):
        others[kind][sub] += n
    sums: dict[tuple[str, str], list[int]] = {}
    for sub, measures in facts.filter(kind=FactKind.OUTCOMES, sub__in=[Stage.START, Stage.EXIT]).values_list("sub", "measures").iterator(chunk_size=5000):
        for k, v in (measures or {}).items():
            sums.setdefault((k, sub), []).append(v)

    # Equality monitoring: one fact per person recorded in the period, categories only.
    equal: dict[str, Counter[str]] = {key: Counter() for key in equality.KEYS}
    # Grouped by the whole set of answers in the database (few distinct sets), added up per question here.
    for answers, n in facts.filter(kind=FactKind.EQUALITY).values("measures").annotate(n=Count("id")).order_by().values_list("measures", "n"):
        for key in equality.KEYS:
            equal[key][(answers or {}).get(key, "")] += n

    months = [(dt.date(y, m, 1).strftime("%B %Y"), by_month.get((y, m), 0)) for y, m in _months(start, end)]
    feedback = others[FactKind.FEEDBACK]
    sections = [
        Section("month", "Referrals by month", ("Month", "Referrals"), months, chart_kind="column"),
        Section("source", "Referrals by source", ("Source", "Referrals"), _labelled(source, Source.choices)),
        Section("crime", "Referrals by crime type", ("Crime type", "Referrals"), _labelled(crime, [*Offence.choices, ("_none", "Not given")]), total=False),
        Section(
            "accepted",
            "Referrals accepted",
            ("Decision", "Referrals"),
            [("Accepted", accepted), ("Not accepted (yet)", referrals - accepted)],
        ),
        Section("risk", "Risk levels", ("Risk", "Referrals"), _labelled(risk, Risk.choices)),
        Section(
            "attempt",
            "First attempt at contact against the deadline",
            ("First attempt", "Referrals"),
            [("Within the deadline", attempt["in"]), ("After the deadline", attempt["late"]), ("No attempt recorded", attempt["none"])],
        ),
        Section(
            "contact",
            "First contact against the deadline",
            ("First contact", "Referrals"),
            [("Within the deadline", contact["in"]), ("After the deadline", contact["late"]), ("Not reached (yet)", contact["none"])],
        ),
        Section(
            "wait",
            "Waiting time from referral to first contact",
            ("Wait", "Referrals"),
            [*((label, wait_bands[label]) for _, _, label in WAIT_BANDS), ("Not reached (yet)", wait_bands["none"])],
        ),
        Section("repeat", "Repeat victims", ("Referral", "Referrals"), [("Referred before", repeat), ("First referral", referrals - repeat)]),
        Section(
            "interpreter",
            "Interpreter use",
            ("Interpreter", "Referrals"),
            [("Interpreter needed", interpreter), ("No interpreter recorded", referrals - interpreter)],
        ),
        Section("onward", "Onward referrals", ("Made to", "Referrals"), _labelled(others[FactKind.ONWARD], OnwardKind.choices)),
        Section("safeguarding", "Safeguarding referrals", ("Made to", "Referrals"), _labelled(others[FactKind.SAFEGUARDING], Agency.choices)),
        # A person may be given several rights: rows are deliveries recorded, not people, so no total.
        Section(
            "rights",
            "Victims' Code rights delivered",
            ("Right", "Times delivered"),
            [(label, others[FactKind.RIGHT].get(str(value), 0)) for value, label in VictimsCodeRight.choices],
            total=False,
        ),
        Section(
            "complaints",
            "Complaints and compliments",
            ("Outcome", "Number"),
            [
                (f"Complaint: {label.lower()}", feedback.get(f"{FeedbackKind.COMPLAINT}:{value}", 0))
                for value, label in FeedbackOutcome.choices
                if value != FeedbackOutcome.THANKED
            ]
            + [("Compliments", sum(n for k, n in feedback.items() if k.startswith(f"{FeedbackKind.COMPLIMENT}:")))],
        ),
        Section(
            "closed",
            "Records closed",
            ("At closure", "Records"),
            [
                ("Outcome measures taken at the end", others[FactKind.CLOSURE]["exit_measures"]),
                ("No measures at the end (reason recorded)", others[FactKind.CLOSURE]["no_exit_measures"]),
            ],
        ),
    ]
    sections += [
        Section(
            f"equality-{key}",
            f"Equality monitoring: {title.split(' (')[0].lower()}",
            (title.split(" (")[0], "People"),
            [*_labelled(equal[key], equality.choices(key)), (equality.UNANSWERED_LABEL, equal[key][""])],
        )
        for key, title, _ in equality.QUESTIONS
    ]
    measures = []
    for key, name in OUTCOMES.items():
        s, e = sums.get((key, Stage.START), []), sums.get((key, Stage.EXIT), [])
        measures.append(Measure(name, len(s), statistics.fmean(s) if s else None, len(e), statistics.fmean(e) if e else None))
    median_wait = f"{statistics.median(waits):g} days" if len(waits) >= THRESHOLD else "not shown (fewer than 5 people reached)"
    return Return(start=start, end=end, sections=sections, measures=measures, median_wait=median_wait)


def safe_cell(value: object) -> str:
    """A cell for a spreadsheet: text that a spreadsheet would run as a formula is prefixed with an apostrophe."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "|", "%") else text


def as_csv(ret: Return, organisation_name: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(c) for c in ("organisation", "period from", "period to", "table", "row", "value")])

    def row(table: str, label: str, value: str) -> None:
        writer.writerow([safe_cell(c) for c in (organisation_name, ret.start.isoformat(), ret.end.isoformat(), table, label, value)])

    for section in ret.sections:
        for label, text in section.cells:
            row(section.title, label, text)
        if section.total:
            row(section.title, "Total", section.total_text)
    row("Waiting time from referral to first contact", "Median", ret.median_wait)
    for m in ret.measures:
        row("Outcome measures (1 to 5)", f"{m.name}: at the start, answers", shown(m.start_n))
        row("Outcome measures (1 to 5)", f"{m.name}: at the start, average", m.mean_text("start"))
        row("Outcome measures (1 to 5)", f"{m.name}: at the end, answers", shown(m.exit_n))
        row("Outcome measures (1 to 5)", f"{m.name}: at the end, average", m.mean_text("exit"))
    return out.getvalue()
