"""The analysis from the database: one query, no decryption, and always in step with the diary
(edits, retractions, incidents entered late)."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from cases.services import save_order
from diary.services import IncidentData, edit_incident, retract_incident
from insights import clear_columns, selectors, synthetic
from insights.synthetic import EXACT
from kernel import crypto, localtime
from tests.factories import make_incident


def test_database_analysis_matches_the_ground_truth(case, owner):
    syn = synthetic.escalating_case()
    order = save_order(case, owner, None, order_type="restraining", conditions="No contact")
    syn.write(case, owner, order=order)
    a = selectors.case_analysis(case)
    assert a.total == len(syn.events) and a.retracted == 0
    for key, expected in syn.truth.items():
        got = set(a.finding(key).numbers)
        assert (got == expected) if key in EXACT else (expected <= got), key
    # The same as the analysis of the in-memory facts.
    mem = syn.analyse()
    assert {f.key for f in mem.findings} == a.keys
    assert mem.per_period == a.per_period and mem.heat == a.heat


def test_facts_come_from_one_query_and_nothing_is_decrypted(case, owner, django_assert_num_queries):
    synthetic.calm_case().write(case, owner)
    with mock.patch.object(crypto.CaseCipher, "open", side_effect=AssertionError("decrypted")):
        with django_assert_num_queries(1):
            loaded = clear_columns.load(case)
        with django_assert_num_queries(3):  # the incidents, the orders, and the imported messages' flags (none here)
            selectors.case_analysis(case)
    assert len(loaded.facts) == 30
    assert [f.t for f in loaded.facts] == sorted(f.t for f in loaded.facts)


def test_retracted_incidents_are_left_out_and_counted(case, owner):
    threat = make_incident(case, owner, days_ago=5, behaviours=["THRT.KILL"], channel="text")
    make_incident(case, owner, days_ago=4, behaviours=["CONT.MSG"], channel="text")
    a = selectors.case_analysis(case)
    assert "threats" in a.keys and a.retracted == 0 and a.total == 2
    retract_incident(threat, owner, "Entered on the wrong case")
    a = selectors.case_analysis(case)
    assert "threats" not in a.keys and a.retracted == 1 and a.total == 1


def test_an_edit_shows_at_once(case, owner):
    first = make_incident(case, owner, days_ago=9, behaviours=["CONT.MSG"], channel="text")
    make_incident(case, owner, days_ago=8, behaviours=["CONT.MSG"], channel="text")
    incident = make_incident(case, owner, days_ago=7, behaviours=["CONT.MSG"], channel="text")
    assert "threats" not in selectors.case_analysis(case).keys
    data = IncidentData.from_incident(incident)
    data.behaviours = ["THRT.VIOLENCE"]
    data.felt_in_danger = True
    edit_incident(incident, owner, data)
    a = selectors.case_analysis(case)
    assert a.finding("threats").numbers == [incident.number]
    assert a.finding("escalation_seriousness").numbers == [incident.number]
    assert a.finding("danger").numbers == [incident.number]
    # Moving the first incident back in time changes the duration at once.
    data = IncidentData.from_incident(first)
    data.occurred_at = first.occurred_at - dt.timedelta(days=30)
    edit_incident(first, owner, data)
    assert "duration" in selectors.case_analysis(case).keys


def test_incident_entered_late_goes_where_it_happened(case, owner):
    make_incident(case, owner, days_ago=20, behaviours=["CONT.MSG"], channel="text")
    make_incident(case, owner, days_ago=19, behaviours=["CONT.MSG"], channel="text")
    later = make_incident(case, owner, days_ago=3, behaviours=["THRT.VIOLENCE"], channel="text")
    late = make_incident(case, owner, days_ago=10, behaviours=["THRT.KILL"], channel="text")  # written down last
    a = selectors.case_analysis(case)
    assert a.finding("threats").numbers == [late.number, later.number]
    assert a.finding("escalation_seriousness").numbers == [late.number]


def test_orders_from_the_case_are_compared(case, owner):
    today = localtime.today()
    make_incident(case, owner, days_ago=3, behaviours=["CONT.MSG"], channel="text")
    assert "during_order" not in selectors.case_analysis(case).keys
    save_order(case, owner, None, order_type="restraining", starts_on=today - dt.timedelta(days=10))
    assert selectors.case_analysis(case).finding("during_order").numbers == [1]


def test_as_of_today_by_default(case, owner):
    assert selectors.case_analysis(case).as_of == localtime.today()
