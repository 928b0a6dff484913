"""The rules the forms apply hold for every writer (an import, a future API): the services refuse the same things."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.services import save_crime_reference
from diary import rules
from diary.models import Incident
from diary.services import IncidentData, IncidentRefused, create_incident, create_incidents, edit_incident
from kernel import localtime
from tests.factories import make_case, make_incident


def _data(**kwargs) -> IncidentData:  # noqa: ANN003
    return IncidentData(occurred_at=localtime.now_local() - dt.timedelta(days=1), description=kwargs.pop("description", "He followed me"), **kwargs)


BAD = [
    ({"description": "x" * (rules.MAX_DESCRIPTION + 1)}, "description"),
    ({"description": "   "}, "description"),
    ({"notes": "n" * (rules.MAX_TEXT + 1)}, "notes"),
    ({"location": "l" * (rules.MAX_SHORT + 1)}, "location"),
    ({"channel": "carrier_pigeon"}, "channel"),
    ({"location_kind": "<script>"}, "location_kind"),
    ({"time_precision": "roughly"}, "time_precision"),
    ({"how_many": 0}, "how_many"),
    ({"how_many": rules.MAX_HOW_MANY + 1}, "how_many"),
    ({"behaviours": ["NOT.A.CODE"]}, "behaviours"),
    ({"witnesses": [{"name": "w"}] * (rules.MAX_WITNESSES + 1)}, "witnesses"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_create_refuses_what_the_form_refuses_and_writes_nothing(case, owner, change, field) -> None:  # noqa: ANN001
    with pytest.raises(IncidentRefused) as refused:
        create_incident(case, owner, _data(**change))
    assert field in refused.value.errors
    assert not Incident.objects.filter(case=case).exists()
    assert case.chain.count() == 2  # only "case opened" and its details


def test_a_future_time_is_refused(case, owner) -> None:  # noqa: ANN001
    data = _data()
    data.occurred_at = localtime.now_local() + dt.timedelta(days=2)
    with pytest.raises(IncidentRefused) as refused:
        create_incident(case, owner, data)
    assert "date" in refused.value.errors


def test_another_cases_crime_reference_cannot_be_linked(case, owner, stranger) -> None:  # noqa: ANN001
    theirs = make_case(stranger, label="Theirs")
    ref = save_crime_reference(theirs, stranger, None, reference="ZZ/999/26", force="Kent Police")
    with pytest.raises(IncidentRefused) as refused:
        create_incident(case, owner, _data(crime_reference=ref))
    assert "crime_reference" in refused.value.errors


def test_bulk_writes_all_or_nothing(case, owner) -> None:  # noqa: ANN001
    with pytest.raises(IncidentRefused):
        create_incidents(case, owner, [_data(), _data(), _data(channel="nonsense")])
    assert not Incident.objects.filter(case=case).exists()


def test_an_edit_that_breaks_a_rule_keeps_the_saved_version(case, owner) -> None:  # noqa: ANN001
    incident = make_incident(case, owner, description="What I first wrote")
    with pytest.raises(IncidentRefused):
        edit_incident(incident, owner, _data(description="y" * (rules.MAX_DESCRIPTION + 1)))
    incident.refresh_from_db()
    assert incident.version == 1
    assert incident.description == "What I first wrote"
