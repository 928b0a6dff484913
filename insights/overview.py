"""The charts of a case overview, built from an :class:`~insights.analysis.Analysis` with the chart component.

The PDF report can call :func:`charts_for` and render each ``chart.svg`` and ``chart.table`` as they are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from diary import taxonomy
from insights import charts
from insights.analysis import DAY_NAMES, Analysis
from insights.analysis.codes import code_group
from kernel.words import day_text, figure, plural

CHANNEL_LABELS = dict(taxonomy.CHANNELS)
PLACE_LABELS = dict(taxonomy.LOCATION_KINDS)
FULL_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass
class OverviewCharts:
    per_period: charts.Chart
    behaviours: charts.Chart | None
    behaviour_totals: charts.Chart | None
    channels: charts.Chart
    places: charts.Chart
    heat: charts.Chart
    reported: charts.Chart

    def all(self) -> list[charts.Chart]:
        return [c for c in (self.per_period, self.behaviour_totals, self.behaviours, self.heat, self.channels, self.places, self.reported) if c]

    def rest(self) -> list[charts.Chart]:
        """Every chart but the one per week or month, which the first screen already shows."""
        return self.all()[1:]


def hour_label(h: int) -> str:
    return f"{h:02d}:00"


def charts_for(a: Analysis) -> OverviewCharts:
    unit = a.period_kind
    labels = [p.label for p in a.periods]
    long_labels = [p.long_label for p in a.periods]
    busiest = max(range(len(a.per_period)), key=lambda i: a.per_period[i], default=None)
    if busiest is not None and a.per_period[busiest]:
        name = long_labels[busiest]
        name = f"the week starting {name}" if unit == "week" else name
        top = f" The busiest {unit} was {name}, with {a.per_period[busiest]}."
    else:
        top = ""
    per_period = charts.column_chart(
        "per-period",
        f"Incidents per {unit}",
        labels,
        a.per_period,
        long_labels=long_labels,
        summary=f"{a.total} incidents over {len(a.periods)} {unit}s, about {a.per_week_average:g} a week on average.{top}",
        head=("Week starting" if unit == "week" else "Month", "Incidents"),
    )

    behaviours = None
    totals = None
    if a.behaviours_over_time:
        rows = [label for _, label, _ in a.behaviours_over_time]
        grid = [counts for _, _, counts in a.behaviours_over_time]
        table = charts.Table(
            f"What they did, per {unit}",
            ["Week starting" if unit == "week" else "Month", *rows],
            [[long_labels[j], *[str(grid[i][j]) for i in range(len(rows))]] for j in range(len(labels))],
            numeric=tuple(range(1, len(rows) + 1)),
        )
        behaviours = charts.heatmap(
            "behaviours",
            f"What they did, per {unit}",
            rows,
            labels,
            grid,
            cell_title=lambda i, j, v: f"{rows[i]}, {unit} of {long_labels[j]}: {plural(v, 'incident')}",
            summary=f"Each row is a kind of behaviour and each column a {unit}; darker cells mean more incidents with that behaviour.",
            table=table,
        )
        totals = charts.bar_chart(
            "behaviour-totals",
            "What they did",
            [(label, n) for _, label, n in a.behaviour_totals],
            head=("Kind of behaviour", "Incidents"),
        )
        if a.no_behaviours:
            verb = "has" if a.no_behaviours == 1 else "have"
            totals.notes.append(f"{plural(a.no_behaviours, 'incident')} {verb} no behaviour chosen yet, so they are not counted here.")

    channels = charts.bar_chart(
        "channels",
        "How they made contact",
        [(CHANNEL_LABELS.get(code, "Not given") if code else "Not given", n) for code, n in a.channels],
        head=("How", "Incidents"),
    )
    places = charts.bar_chart(
        "places",
        "Where it happened",
        [(PLACE_LABELS.get(code, "Not given") if code else "Not given", n) for code, n in a.places],
        head=("Where", "Incidents"),
    )
    peak = max((v for row in a.heat for v in row), default=0)
    worst = max(((d, h) for d in range(7) for h in range(24)), key=lambda dh: a.heat[dh[0]][dh[1]], default=(0, 0))
    heat_summary = "Darker cells mean more incidents at that time on that day."
    if peak:
        heat_summary += f" The most was {peak}, on {FULL_DAYS[worst[0]]}s between {hour_label(worst[1])} and {hour_label((worst[1] + 1) % 24)}."
    heat_table = charts.Table(
        "Time of day by day of the week",
        ["Hour", *DAY_NAMES],
        [[f"{hour_label(h)} to {hour_label((h + 1) % 24)}", *[str(a.heat[d][h]) for d in range(7)]] for h in range(24)],
        numeric=tuple(range(1, 8)),
    )
    heat = charts.heatmap(
        "heat",
        "Time of day by day of the week",
        DAY_NAMES,
        [f"{h:02d}" for h in range(24)],
        a.heat,
        cell_title=lambda d, h, v: f"{FULL_DAYS[d]} {hour_label(h)} to {hour_label((h + 1) % 24)}: {plural(v, 'incident')}",
        col_label_every=3,
        summary=heat_summary,
        table=heat_table,
    )
    if a.untimed:
        heat.notes.append(f"{a.untimed} incidents with only a date, no time, are left out of this chart.")
    reported = charts.bar_chart(
        "reported",
        "Reported to the police",
        [("Reported", a.reported), ("Not reported yet", a.unreported)] + ([("Not said", a.reported_not_said)] if a.reported_not_said else []),
        head=("", "Incidents"),
    )
    return OverviewCharts(per_period, behaviours, totals, channels, places, heat, reported)


def period_text(a: Analysis) -> str:
    if not a.first or not a.last:
        return ""
    if a.first.day == a.last.day:
        return f"on {day_text(a.first.day)}"
    return f"from {day_text(a.first.day)} to {day_text(a.last.day)}"


# --- The first screen of the pattern page -----------------------------------------------------------------------

# The "firsts" a police officer asks about, by code group (insights/data/code_groups.json); "home" narrows a group
# to incidents at the person's home.
FIRSTS = (
    ("First time they came to your home", "presence", "home"),
    ("First threat", "threats", ""),
    ("First damage, or getting into your home or things", "damage_or_entry", ""),
)


@dataclass(frozen=True)
class First:
    label: str
    day: dt.date
    number: int


@dataclass(frozen=True)
class FirstScreen:
    """What matters, in the first screen: the course of conduct in one sentence, the dates of firsts and bursts."""

    sentence: str
    firsts: list[First]
    bursts: str
    course: bool


def first_screen(a: Analysis) -> FirstScreen:
    period = period_text(a)
    per_week = figure(a.per_week_average)
    sentence = f"{plural(a.total, 'incident')} {period}" + (f", about {per_week} a week" if a.first and a.last and a.first.day != a.last.day else "")
    course = a.fired("course_of_conduct")
    sentence += ": repeated incidents like these can be a course of conduct." if course else "."
    firsts = []
    for label, group, place in FIRSTS:
        codes = code_group(group)
        hit = next((f for f in a.facts if not codes.isdisjoint(f.codes) and (not place or f.place == place)), None)
        if hit is not None:
            firsts.append(First(label, hit.day, hit.number))
    bursts = a.finding("bursts")
    return FirstScreen(sentence, firsts, bursts.summary if bursts else "", course)
