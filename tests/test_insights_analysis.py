"""The pattern analysis against synthetic cases with known ground truth: each finding fires where it should,
lists the right incidents, and stays silent on calm data. Plain Python, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from insights import analysis as A
from insights import charts, overview, synthetic
from insights import thresholds as T
from insights.analysis import make_fact
from insights.synthetic import EXACT, Builder
from kernel.localtime import week_start
from kernel.words import day_text

AS_OF = dt.date(2026, 3, 20)  # a Friday
RISK_KEYS = {
    "escalation_frequency",
    "escalation_seriousness",
    "threats",
    "danger",
    "frequent_visits",
    "third_parties",
    "breaches",
    "during_order",
    "night",
    "bursts",
}


def analyse(syn, **kw):  # noqa: ANN001, ANN201
    return syn.analyse(**kw)


# --- Calm data ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_calm_data_only_shows_a_course_of_conduct_and_duration(seed):
    syn = synthetic.calm_case(AS_OF, seed=seed)
    a = analyse(syn)
    assert a.keys & RISK_KEYS == set()
    assert {"course_of_conduct", "duration"} <= a.keys
    checks = {c.key: c.found for c in a.checks}
    assert not any(checks[k] for k in RISK_KEYS if k in checks)


def test_calm_data_that_stopped_long_ago_does_not_escalate():
    b = Builder(AS_OF, 1)
    b.calm(200, 90, every_days=2)
    assert "escalation_frequency" not in analyse(b.build()).keys


def test_one_incident_is_not_a_course_of_conduct_and_has_no_duration():
    b = Builder(AS_OF)
    b.calm(5, 5)
    a = analyse(b.build())
    assert a.total == 1 and a.findings == []


def test_nothing_at_all():
    a = A.analyse([], as_of=AS_OF)
    assert a.total == 0 and a.findings == [] and a.first is None and a.periods == []


# --- The escalating case: every injected feature is found, with its incidents -----------------------------


@pytest.mark.parametrize("seed", [2, 7, 11])
def test_escalating_case_every_finding_fires_with_the_right_incidents(seed):
    syn = synthetic.escalating_case(AS_OF, seed=seed)
    a = analyse(syn)
    truth = syn.truth
    assert set(truth) <= a.keys
    for key, expected in truth.items():
        got = set(a.finding(key).numbers)
        if key in EXACT:
            assert got == expected, key
        else:
            assert expected <= got, key
    assert {"course_of_conduct", "duration", "repeat_domestic"} <= a.keys


def test_late_entry_takes_its_place_in_time():
    """The earliest threat was written down last: it is still 'the first threat'."""
    syn = synthetic.escalating_case(AS_OF)
    late = syn.events[-1]
    number = len(syn.events)
    assert late.late and "THRT.KILL" in late.codes
    a = analyse(syn)
    first_threat = next(p for p in a.finding("escalation_seriousness").points if "first threat" in p.text.lower())
    assert first_threat.refs[0].number == number


def test_escalation_frequency_says_the_numbers():
    b = Builder(AS_OF)
    b.calm(41, 14, every_days=7)  # 4 in the 28 days before: 2 per 14 days
    b.escalation(count=5)
    f = analyse(b.build()).finding("escalation_frequency")
    assert f is not None
    assert "5 incidents recorded in the last 14 days" in f.summary
    assert "there were 4" in f.summary and "about 2 in an average 14 days" in f.summary and "2.5 times" in f.summary


@pytest.mark.parametrize(
    ("before", "recent", "fires"),
    [(0, 2, False), (0, 3, True), (4, 3, False), (4, 4, True), (8, 7, False), (8, 8, True), (28, 20, False)],
)
def test_escalation_frequency_thresholds(before, recent, fires):
    b = Builder(AS_OF)
    for i in range(before):
        b.add(synthetic.Event(b.at(14 + i % 28, 12, i % 60), ("CONT.MSG",), "text", "online"))
    for i in range(recent):
        b.add(synthetic.Event(b.at(i % 14, 11, i % 60), ("CONT.MSG",), "text", "online"))
    assert ("escalation_frequency" in analyse(b.build()).keys) is fires


def test_seriousness_needs_something_less_serious_first():
    b = Builder(AS_OF)
    b.threat(10)  # the very first incident is a threat: serious, but not a step up
    b.calm(9, 1, every_days=2)
    a = analyse(b.build())
    assert "escalation_seriousness" not in a.keys and "threats" in a.keys


def test_move_from_distance_to_presence_needs_two_remote_incidents_first():
    b = Builder(AS_OF)
    b.calm(10, 10)
    b.approach(5, place="public")
    assert "escalation_seriousness" not in analyse(b.build()).keys
    b = Builder(AS_OF)
    b.calm(12, 10, every_days=2)
    b.approach(5, place="public")
    f = analyse(b.build()).finding("escalation_seriousness")
    assert f is not None and "turned up in person, after 2 incidents at a distance" in f.points[0].text


# --- Bursts, night, visits, third parties, orders ------------------------------------------------------------


def test_burst_thresholds_and_what_counts():
    def keys(builder):  # noqa: ANN001, ANN202
        return analyse(builder.build()).keys

    b = Builder(AS_OF)
    b.burst(3, contacts=9)
    assert "bursts" not in keys(b)
    b = Builder(AS_OF)
    b.burst(3, contacts=10)
    assert "bursts" in keys(b)
    b = Builder(AS_OF)
    b.burst(3, contacts=12, records=3)  # three records within the hour add up
    assert "bursts" in keys(b)
    b = Builder(AS_OF)
    b.spread_calls(3, contacts=50)  # one record over five hours: not a burst
    assert "bursts" not in keys(b)
    b = Builder(AS_OF)  # two records of 6, 61 minutes apart: not within an hour
    b.add(synthetic.Event(b.at(3, 10, 0), ("CONT.CALL",), "phone_call", "home", 6))
    b.add(synthetic.Event(b.at(3, 11, 1), ("CONT.CALL",), "phone_call", "home", 6))
    assert "bursts" not in keys(b)
    b = Builder(AS_OF)  # ... and exactly 60 minutes apart: within the hour
    b.add(synthetic.Event(b.at(3, 10, 0), ("CONT.CALL",), "phone_call", "home", 6))
    b.add(synthetic.Event(b.at(3, 11, 0), ("CONT.CALL",), "phone_call", "home", 6))
    assert "bursts" in keys(b)
    b = Builder(AS_OF)  # a date without a time cannot be placed in an hour
    b.add(synthetic.Event(b.at(3, 12, 0), ("CONT.CALL",), "phone_call", "home", 40, precision="date"))
    assert "bursts" not in keys(b)


def test_burst_says_how_many_in_the_busiest_hour():
    b = Builder(AS_OF)
    b.burst(3, contacts=30)
    f = analyse(b.build()).finding("bursts")
    assert "30 contacts within an hour" in f.points[0].text and "the most in one hour was 30" in f.summary


@pytest.mark.parametrize(("hour", "minute", "night"), [(22, 59, False), (23, 0, True), (0, 30, True), (5, 59, True), (6, 0, False), (12, 0, False)])
def test_night_hours(hour, minute, night):
    b = Builder(AS_OF)
    for d in (3, 4):
        b.add(synthetic.Event(b.at(d, hour, minute), ("CONT.CALL",), "phone_call", "home"))
    assert ("night" in analyse(b.build()).keys) is night


def test_night_needs_two_and_ignores_unknown_times():
    b = Builder(AS_OF)
    b.night(3)
    b.add(synthetic.Event(b.at(4, 2, 0), ("CONT.CALL",), "phone_call", "home", precision="date"))
    assert "night" not in analyse(b.build()).keys
    b.night(5)
    assert analyse(b.build()).finding("night").numbers == [1, 3]


def test_visits_more_than_three_in_a_calendar_week():
    b = Builder(AS_OF)
    b.visits_in_week(2, count=3)
    assert "frequent_visits" not in analyse(b.build()).keys
    b = Builder(AS_OF)
    b.visits_in_week(2, count=4)
    f = analyse(b.build()).finding("frequent_visits")
    monday = week_start(AS_OF) - dt.timedelta(weeks=2)
    assert f.points[0].text == f"Turned up 4 times in the week of {day_text(monday)}."
    # Four visits across a week boundary (Saturday to Tuesday) are two weeks of two.
    b = Builder(AS_OF)
    saturday = week_start(AS_OF) - dt.timedelta(days=9)
    for i in range(4):
        day = saturday + dt.timedelta(days=i)
        b.approach((AS_OF - day).days, "home")
    assert "frequent_visits" not in analyse(b.build()).keys


def test_third_parties_by_behaviour_or_channel():
    for codes, channel in [(("CONT.PROXY",), ""), (("SABO.WORK",), "email"), (("THRT.OTHERS",), "text"), ((), "third_party")]:
        b = Builder(AS_OF)
        b.add(synthetic.Event(b.at(3, 12), codes, channel, ""))
        assert "third_parties" in analyse(b.build()).keys, (codes, channel)


def test_breaches_and_incidents_during_an_order():
    b = Builder(AS_OF)
    b.calm(30, 2, every_days=7)
    b.breach(10)
    syn = b.build()
    orders = [A.OrderInfo(1, "Restraining order", AS_OF - dt.timedelta(days=20), None)]
    a = syn.analyse(orders=orders)
    assert set(a.finding("breaches").numbers) == syn.truth["breaches"]
    during = a.finding("during_order")
    expected = {n for n, e in enumerate(syn.events, 1) if not e.breach and e.at.date() >= AS_OF - dt.timedelta(days=20)}
    assert set(during.numbers) == expected and expected
    # An order that ended before the incidents: nothing during it.
    assert "during_order" not in syn.analyse(orders=[A.OrderInfo(1, "x", AS_OF - dt.timedelta(days=90), AS_OF - dt.timedelta(days=60))]).keys
    # An order without a start date cannot be compared.
    assert "during_order" not in syn.analyse(orders=[A.OrderInfo(1, "x", None, None)]).keys


@pytest.mark.parametrize(("relationship", "fires"), [("ex_partner", True), ("partner", True), ("family", True), ("stranger", False), ("unknown", False)])
def test_repeat_in_a_year_only_for_partners_and_family(relationship, fires):
    b = Builder(AS_OF, relationship=relationship)
    b.calm(40, 2, every_days=10)
    a = analyse(b.build())
    assert ("repeat_domestic" in a.keys) is fires
    assert any(c.key == "repeat_domestic" for c in a.checks) is fires


def test_two_weeks_boundary():
    b = Builder(AS_OF)
    b.calm(15, 1, every_days=14)  # 14 days apart
    assert "duration" not in analyse(b.build()).keys
    b = Builder(AS_OF)
    b.calm(16, 1, every_days=15)  # 15 days apart
    assert "duration" in analyse(b.build()).keys


# --- The overview's figures and charts ----------------------------------------------------------------------


def test_counts_heatmap_and_periods():
    syn = synthetic.escalating_case(AS_OF)
    a = analyse(syn)
    assert a.total == len(syn.events)
    assert sum(a.per_period) == a.total
    assert sum(map(sum, a.heat)) + a.untimed == a.total
    assert a.reported + a.unreported == a.total
    assert sum(n for _, n in a.channels) == a.total
    assert a.period_kind == "week" and a.periods[0].start.weekday() == 0
    # Long cases are counted by month.
    long = A.analyse(synthetic.bulk_facts(2000, years=3, as_of=AS_OF), as_of=AS_OF)
    assert long.period_kind == "month" and sum(long.per_period) == 2000


def test_charts_are_strict_svg_with_the_same_figures_as_their_tables():
    a = analyse(synthetic.escalating_case(AS_OF))
    built = overview.charts_for(a)
    for chart in built.all():
        svg = str(chart.svg)
        assert svg.startswith("<svg") and svg.endswith("</svg>")
        assert "style=" not in svg and "<script" not in svg and "on" + "load" not in svg
        assert f'aria-labelledby="chart-{chart.key}-t chart-{chart.key}-d"' in svg
        assert chart.table.rows
    assert [int(r[1]) for r in built.per_period.table.rows] == a.per_period
    heat_rows = built.heat.table.rows
    assert len(heat_rows) == 24 and sum(int(c) for r in heat_rows for c in r[1:]) == sum(map(sum, a.heat))


def test_chart_text_is_escaped():
    chart = charts.bar_chart("x", "<b>title</b>", [("<script>alert(1)</script>", 3)])
    assert "<script>" not in str(chart.svg) and "&lt;script&gt;" in str(chart.svg)


def test_heat_legend_covers_every_value():
    for peak in (1, 2, 5, 7, 23, 100):
        legend = charts.heat_legend(peak)
        assert legend[0][1] == "none"
        for v in range(1, peak + 1):
            assert charts.heat_colour(v, peak) in {c for c, _ in legend}


# --- Thresholds are named and sourced --------------------------------------------------------------------


def test_every_threshold_has_a_source_and_own_choices_say_so():
    for t in T.ALL:
        assert t.meaning and t.source, t.name
        if t.own_choice:
            assert "Daybook's choice" in t.source, t.name
    assert T.TWO_WEEKS_DAYS.value == 14 and "Purcell" in T.TWO_WEEKS_DAYS.source
    assert T.VISITS_PER_WEEK.value == 3 and "S-DASH" in T.VISITS_PER_WEEK.source
    assert T.REPEAT_12_MONTHS.value == 3 and "SafeLives" in T.REPEAT_12_MONTHS.source
    assert "Monckton Smith" in T.ESCALATION_FACTOR.source


def test_findings_never_claim_to_predict():
    a = analyse(synthetic.escalating_case(AS_OF))
    for f in a.findings:
        text = (f.summary + " ".join(p.text for p in f.points)).lower()
        assert "will happen" not in text and "predict" not in text and "score" not in text


def test_facts_keep_their_local_day_and_hour():
    when = dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC)  # 00:30 on 2 July in London (summer time)
    f = make_fact(1, when)
    assert f.day == dt.date(2026, 7, 2) and f.hour == 0
    assert make_fact(1, when, precision="date").hour is None


def test_local_clock_matches_the_time_zone_database_across_clock_changes():
    import random
    from zoneinfo import ZoneInfo

    from insights.clear_columns import LocalClock

    for zone in ["Europe/London", "Asia/Kolkata", "America/St_Johns", "UTC"]:
        tz = ZoneInfo(zone)
        clock = LocalClock(tz)
        r = random.Random(zone)
        moments = [dt.datetime(2026, 3, 29, 0, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=15 * i) for i in range(12)]
        moments += [dt.datetime(2026, 10, 25, 0, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=20 * i) for i in range(12)]
        moments += [dt.datetime(1950, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=r.randrange(3_000_000_000)) for _ in range(2000)]
        for m in moments:
            local = m.astimezone(tz)
            assert clock.local(m.timestamp()) == (local.date(), local.hour), (zone, m)


def test_facts_from_raw_sqlite_and_postgresql_values_agree():
    from insights.clear_columns import from_rows

    aware = dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)
    sqlite_row = (1, "2026-07-01 22:30:00", None, "exact", "CONT.MSG THRT.KILL", "text", "online", None, 0, 1, None, 0, 0)
    pg_row = (1, aware, None, "exact", "CONT.MSG THRT.KILL", "text", "online", None, False, True, None, False, False)
    gone = (2, aware, None, "exact", "", "", "", None, False, False, None, False, True)
    a, b = from_rows([sqlite_row, gone]), from_rows([pg_row])
    assert a.facts == b.facts and a.retracted == 1
    f = a.facts[0]
    assert f == make_fact(1, aware, codes="CONT.MSG THRT.KILL", channel="text", place="online", reported=True)
    assert f.day == dt.date(2026, 7, 1) and f.hour == 23 and f.how_many == 1
    micro = from_rows([(3, "2026-07-01 22:30:05.250000", "2026-07-01 23:00:00", "approx", "", "", "", 4, 0, 0, None, 1, 0)]).facts[0]
    assert micro.t == aware.timestamp() + 5.25 and micro.end == aware.timestamp() + 1800 and micro.how_many == 4 and micro.quick


def test_a_column_chart_of_counts_never_labels_its_axis_with_a_fraction() -> None:
    """An empty or nearly empty chart (a quiet quarter on the returns page) labels its axis 0 and 1, never 0.5."""
    import re  # noqa: PLC0415

    from insights.charts import column_chart  # noqa: PLC0415

    for values in ([0, 0, 0], [1, 0, 0], [3, 1], [25, 4]):
        svg = str(column_chart("c", "Referrals", ["a", "b", "c"][: len(values)], values).svg)
        labels = re.findall(r'text-anchor="end"[^>]*>([^<]+)<', svg)
        assert labels and all(label.isdigit() for label in labels), (values, labels)
    svg = str(column_chart("c", "Referrals", ["a", "b"], [8, 3]).svg)
    assert re.findall(r'text-anchor="end"[^>]*>([^<]+)<', svg) == ["0", "5", "10"]
