"""Ground truth for what an advocate would name: threats of suicide, the first approach to the home, the workplace and
the place of study each named apart, damage or a gift left not counted as turning up, and contacts counted as well as
records. Synthetic cases from insights.synthetic (plain Python), then one through the database and the page."""

from __future__ import annotations

import datetime as dt

from insights import selectors, synthetic
from insights.synthetic import Builder, Event
from kernel.words import day_text

AS_OF = dt.date(2026, 3, 20)


def _step_texts(a) -> list[str]:  # noqa: ANN001
    return [p.text for p in a.finding("escalation_seriousness").points]


def _step_numbers(a) -> list[int]:  # noqa: ANN001
    return [r.number for p in a.finding("escalation_seriousness").points for r in p.refs]


def test_threats_of_suicide_are_named_with_their_incidents():
    syn = synthetic.home_work_case(AS_OF)
    a = syn.analyse()
    f = a.finding("suicide_threats")
    assert f is not None and set(f.numbers) == syn.truth["suicide_threats"] and len(f.numbers) == 2
    assert [r.number for r in f.points[0].refs] == sorted(syn.truth["suicide_threats"], key=lambda n: syn.events[n - 1].at)
    latest = max(syn.events[n - 1].at for n in f.numbers).date()
    assert f"in 2 incidents, the latest on {day_text(latest)}" in f.summary
    assert "DASH" in f.basis
    # Not merged into the threats to hurt or kill: the threats finding stays silent here.
    assert not a.fired("threats")
    assert next(c for c in a.checks if c.key == "suicide_threats").found


def test_no_suicide_threat_no_finding_but_the_check_is_shown():
    a = synthetic.calm_case(AS_OF).analyse()
    assert not a.fired("suicide_threats")
    check = next(c for c in a.checks if c.key == "suicide_threats")
    assert not check.found and "No threats by them to harm or kill themselves" in check.when_silent


def test_home_work_and_place_of_study_are_each_named():
    syn = synthetic.home_work_case(AS_OF)
    a = syn.analyse()
    tagged = syn.tagged
    texts = _step_texts(a)
    numbers = _step_numbers(a)
    work, home, school = (next(iter(tagged[f"approach:{p}"])) for p in ("work", "home", "school"))
    gift = next(iter(tagged["left:home"]))
    assert numbers.index(work) < numbers.index(gift) < numbers.index(home) < numbers.index(school)
    by_number = dict(zip(numbers, texts, strict=True))
    assert "The first time they came to your workplace" in by_number[work]
    assert "The first time they came to your home" in by_number[home] and "workplace" not in by_number[home]
    assert "The first time they came to your place of study" in by_number[school]
    assert "The first sign they had been at your home" in by_number[gift] and "without being seen" in by_number[gift]
    # The second visit to work is not a step; nor is the damage found at home a second "came to your home" (it is
    # the first damage).
    assert len([t for t in texts if "came to your workplace" in t]) == 1
    assert len([t for t in texts if "came to your home" in t]) == 1
    assert any("The first damage or violence" in t for t in texts)


def test_damage_or_a_gift_at_home_is_not_turning_up():
    b = Builder(AS_OF)
    b.calm(60, 30, every_days=5)
    monday = AS_OF - dt.timedelta(days=AS_OF.weekday() + 14)
    days = [(AS_OF - (monday + dt.timedelta(days=i))).days for i in range(5)]
    b.approach(days[0], "home")
    b.approach(days[1], "home")
    b.approach(days[2], "home")
    b.left_at(days[3], "home", "PROP.DAMAGE")
    b.left_at(days[4], "home", "CONT.GIFT")
    a = b.build().analyse()
    assert not a.fired("frequent_visits")  # seen three times, plus two things found: not "more than three times"

    b.approach(days[4], "work")  # a fourth time seen that week
    a = b.build().analyse()
    f = a.finding("frequent_visits")
    assert f is not None
    assert "Turned up 4 times in the week of" in f.points[0].text
    assert "Not counted: damage found or a gift left there without them being seen" in f.summary
    assert f.points[-1].text.startswith("Not counted as turning up: 2 incidents where something was left or done")
    assert len(f.numbers) == 4


def test_one_record_of_many_contacts_counts_as_many_contacts():
    syn = synthetic.many_contacts_case(AS_OF)
    a = syn.analyse()
    f = a.finding("escalation_frequency")
    assert f is not None  # 2 records against 4 before: no rise in records; 57 contacts against 4: a rise in contacts
    assert f.summary.startswith("2 incidents recorded in the last 14 days")
    assert "with 57 contacts in them" in f.summary and "a record of 32 calls is 32 contacts" in f.summary
    assert "Counting incidents:" in f.summary and "Counting contacts:" in f.summary
    assert "there were 4 contacts, about 2 in an average 14 days: the last 14 days had 28.5 times as many." in f.summary
    assert "the rise is in the contacts" in f.summary
    assert set(f.numbers) == syn.tagged["many_contacts"]


def test_records_of_one_contact_each_say_so():
    b = Builder(AS_OF)
    for i in range(6):
        b.add(Event(b.at(1 + i, 12, 0), ("CONT.MSG",), "text", "online", 1))
    f = b.build().analyse().finding("escalation_frequency")
    assert f is not None and "6 incidents recorded in the last 14 days" in f.summary and "each one contact" in f.summary
    assert "Counting contacts" not in f.summary


def test_night_says_contacts_where_they_differ():
    b = Builder(AS_OF)
    b.add(Event(b.at(3, 23, 30), ("CONT.CALL",), "phone_call", "home", 12))
    b.night(2)
    f = b.build().analyse().finding("night")
    assert f is not None and f.summary.startswith("2 incidents between 11pm and 6am, with 13 contacts in them")


def test_the_page_names_suicide_threats_and_each_place(case, owner, owner_client):
    syn = synthetic.home_work_case()
    syn.write(case, owner)
    a = selectors.case_analysis(case)
    assert set(a.finding("suicide_threats").numbers) == syn.truth["suicide_threats"]
    page = owner_client.get(f"/cases/{case.pk}/pattern/").content.decode()
    assert "Threats of suicide" in page
    for where in ("your workplace", "your home", "your place of study"):
        assert f"The first time they came to {where}" in page
