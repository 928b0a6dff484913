"""The pattern page's first screen (issue 13, item 6): the course of conduct in one sentence, the dates of firsts
(home visit, threat, damage) linked to their incidents, bursts, and the chart over time, before the long detail."""

from __future__ import annotations

import re

from diary.demo import load_sample_case
from insights import overview
from insights.selectors import case_analysis
from tests.factories import make_incident, make_user


def test_the_first_screen_sums_up_the_sample_case(db, client):
    person = make_user("pattern")
    case = load_sample_case(person)
    client.force_login(person)
    page = client.get(f"/cases/{case.pk}/pattern/").content.decode()
    summary = page.index('id="summary"')
    assert summary < page.index("In numbers") < page.index('id="findings"')
    first_screen = page[summary : page.index("In numbers")]
    assert "44 incidents from" in first_screen and "a week" in first_screen
    assert "course of conduct" in first_screen
    for label in ("First time they came to your home", "First threat"):
        assert label in first_screen
    assert re.search(rf'href="/cases/{case.pk}/incidents/\d+/"', first_screen)
    assert "<svg" in first_screen  # the chart over time
    charts = page[page.index('id="charts"') :]
    per_period = case_analysis(case)
    title = overview.charts_for(per_period).per_period.title
    assert title not in charts  # shown once, at the top


def test_firsts_are_the_earliest_matching_incidents(owner, case):
    make_incident(case, owner, days_ago=9, behaviours=["CONT.MSG"])
    threat = make_incident(case, owner, days_ago=5, behaviours=["THRT.VIOLENCE"])
    make_incident(case, owner, days_ago=2, behaviours=["THRT.VIOLENCE"])
    screen = overview.first_screen(case_analysis(case))
    firsts = {f.label: f.number for f in screen.firsts}
    assert firsts.get("First threat") == threat.number
    assert "First time they came to your home" not in firsts
    assert screen.sentence.startswith("3 incidents from")


def test_one_incident_is_one_sentence_without_a_weekly_average(owner, case):
    make_incident(case, owner, days_ago=1)
    screen = overview.first_screen(case_analysis(case))
    assert screen.sentence.startswith("1 incident on ") and "a week" not in screen.sentence
    assert not screen.course
