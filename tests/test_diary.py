"""Recording incidents: quick capture, the full form, versions, retraction and bad input."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.services import save_crime_reference, save_order
from diary import rules
from diary.models import Incident, IncidentVersion
from kernel import localtime
from tests.factories import make_incident


def local_now() -> dt.datetime:
    return localtime.now_local()


def full_form(**overrides) -> dict:
    when = local_now() - dt.timedelta(hours=3)
    data = {
        "date": when.strftime("%Y-%m-%d"),
        "time": when.strftime("%H:%M"),
        "time_precision": "exact",
        "description": "He waited by my car and shouted my name",
        "behaviours": ["CONT.VISIT", "THRT.ABUSE"],
        "channel": "in_person",
        "how_many": "1",
        "location_kind": "work",
        "location": "Staff car park",
        "witness_0_name": "Sam",
        "witness_0_contact": "07700 900123",
        "witness_0_saw": "Saw him shouting",
        "witness_1_name": "",
        "feelings": "Shaking",
        "impact": "Left work early",
        "felt_in_danger": "yes",
        "reported": "yes",
        "reported_on": local_now().strftime("%Y-%m-%d"),
        "report_how": "101",
        "report_officer": "PC 123",
        "notes": "Private note",
    }
    data.update(overrides)
    return data


def test_quick_capture_saves_with_time_now_and_marks_for_detail(owner_client, case):
    page = owner_client.get(f"/cases/{case.pk}/quick/").content.decode()
    today = local_now().strftime("%Y-%m-%d")
    assert f'value="{today}"' in page  # the date defaults to now
    response = owner_client.post(
        f"/cases/{case.pk}/quick/",
        {"description": "Silent call again", "date": today, "time": local_now().strftime("%H:%M"), "behaviour": "CONT.CALL"},
    )
    assert response.status_code == 302
    incident = Incident.objects.get(case=case)
    incident.case = case
    assert incident.needs_detail
    assert incident.behaviour_codes == ["CONT.CALL"]
    assert incident.description == "Silent call again"
    assert abs(incident.occurred_at - local_now()) < dt.timedelta(minutes=2)
    timeline = owner_client.get(response["Location"]).content.decode()
    assert "Silent call again" in timeline
    assert "Quick note" in timeline


def test_quick_entry_completed_later_records_a_completed_version(owner_client, case):
    owner_client.post(f"/cases/{case.pk}/quick/", {"description": "Saw him", "date": local_now().strftime("%Y-%m-%d")})
    incident = Incident.objects.get(case=case)
    response = owner_client.post(f"/cases/{case.pk}/incidents/{incident.number}/edit/", full_form(description="Saw him at the station"))
    assert response.status_code == 302
    incident.refresh_from_db()
    assert not incident.needs_detail
    versions = list(IncidentVersion.objects.filter(incident=incident).order_by("version"))
    assert [v.action for v in versions] == ["created", "completed"]
    assert "description" in versions[1].changed_fields


def test_full_form_records_every_field(owner_client, case, owner):
    ref = save_crime_reference(case, owner, None, reference="WM/555/26")
    order = save_order(case, owner, None, order_type="spo", conditions="No contact")
    response = owner_client.post(
        f"/cases/{case.pk}/incidents/new/",
        full_form(crime_reference=str(ref.uuid), breached_order=str(order.uuid), end_date="", end_time=""),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    incident = Incident.objects.get(case=case)
    incident.case = case
    assert incident.behaviour_codes == ["CONT.VISIT", "THRT.ABUSE"]
    assert incident.witnesses == [{"name": "Sam", "contact": "07700 900123", "saw": "Saw him shouting"}]
    assert incident.reported and incident.crime_reference == ref and incident.breached_order == order
    assert incident.felt_in_danger and incident.location_kind == "work" and incident.location == "Staff car park"
    page = owner_client.get(response["Location"]).content.decode()
    for text in ["Staff car park", "Sam", "WM/555/26", "Stalking Protection Order", "Left work early", "Shaking"]:
        assert text in page


def test_edit_makes_new_version_and_keeps_old_text(owner_client, case, owner):
    incident = make_incident(case, owner, description="Original words")
    owner_client.post(f"/cases/{case.pk}/incidents/{incident.number}/edit/", full_form(description="Corrected words"))
    incident.refresh_from_db()
    assert incident.version == 2
    page = owner_client.get(f"/cases/{case.pk}/incidents/{incident.number}/").content.decode()
    assert "Corrected words" in page and "Original words" in page  # history keeps version 1
    assert "What happened" in page


def test_saving_without_changes_makes_no_version(owner_client, case, owner):
    owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form())
    incident = Incident.objects.get(case=case)
    owner_client.post(f"/cases/{case.pk}/incidents/{incident.number}/edit/", full_form())
    assert IncidentVersion.objects.filter(incident=incident).count() == 1


def test_retraction_needs_a_reason_and_stays_visible(owner_client, case, owner):
    incident = make_incident(case, owner, description="Wrong entry")
    url = f"/cases/{case.pk}/incidents/{incident.number}/retract/"
    response = owner_client.post(url, {"reason": "  "})
    assert response.status_code == 200
    assert "Say why you are retracting" in response.content.decode()
    owner_client.post(url, {"reason": "Entered twice"})
    incident.refresh_from_db()
    assert incident.retracted
    timeline = owner_client.get(f"/cases/{case.pk}/timeline/").content.decode()
    assert "Wrong entry" in timeline and "Retracted" in timeline
    detail = owner_client.get(f"/cases/{case.pk}/incidents/{incident.number}/").content.decode()
    assert "Entered twice" in detail
    # A retracted entry cannot be edited.
    owner_client.post(f"/cases/{case.pk}/incidents/{incident.number}/edit/", full_form(description="sneaky"))
    incident.refresh_from_db()
    assert incident.description == "Wrong entry"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "cannot be in the future"),
        ({"end_date": (dt.date.today() - dt.timedelta(days=5)).isoformat(), "end_time": "10:00"}, "The end must be after the start"),
        ({"behaviours": ["NOT.A.CODE"]}, "Choose behaviours from the list"),
        ({"description": "x" * (rules.MAX_DESCRIPTION + 1)}, "Keep this under 10,000 characters"),
        ({"description": ""}, "Say what happened"),
        ({"date": "2026-02-31"}, "Enter a real date"),
        ({"time": "25:99"}, "Enter a real time"),
        ({"how_many": "lots"}, "Enter a whole number"),
        ({"how_many": "-3"}, "Enter 1 or more"),
        ({"time": "", "time_precision": "exact"}, "Enter the time"),
        ({"date": "1850-01-01"}, "after 1900"),
        ({"reported_on": (dt.date.today() + dt.timedelta(days=2)).isoformat()}, "cannot be in the future"),
        ({"crime_reference": "00000000-0000-0000-0000-000000000000"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_clearly_and_keeps_what_was_typed(owner_client, case, overrides, message):
    data = full_form(**overrides)
    response = owner_client.post(f"/cases/{case.pk}/incidents/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert message in page
    assert Incident.objects.filter(case=case).count() == 0
    if data["description"] and len(data["description"]) < 100:
        assert data["description"] in page  # everything typed is still there
    assert "Staff car park" in page and "Shaking" in page


def test_markup_is_shown_as_text_everywhere(owner_client, case, owner):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    make_incident(case, owner, description=evil, feelings=evil, location=evil, witnesses=[{"name": evil, "contact": "", "saw": ""}])
    for url in [f"/cases/{case.pk}/timeline/", f"/cases/{case.pk}/incidents/1/"]:
        page = owner_client.get(url).content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


def test_another_persons_ids_in_form_choices_are_refused(owner_client, case, stranger):
    from cases.services import create_case

    other = create_case(stranger, label="X")
    foreign_ref = save_crime_reference(other, stranger, None, reference="THEIRS/1")
    response = owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form(crime_reference=str(foreign_ref.uuid)))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_quick_capture_bad_input(owner_client, case):
    url = f"/cases/{case.pk}/quick/"
    future = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    page = owner_client.post(url, {"description": "Typed words stay", "date": future}).content.decode()
    assert "cannot be in the future" in page and "Typed words stay" in page
    page = owner_client.post(url, {"description": "", "date": dt.date.today().isoformat()}).content.decode()
    assert "Say in a few words what happened" in page
    page = owner_client.post(url, {"description": "x", "date": dt.date.today().isoformat(), "behaviour": "EVIL"}).content.decode()
    assert "Select a valid choice" in page
    assert Incident.objects.count() == 0


def test_time_unknown_and_approximate_are_shown_honestly(owner_client, case):
    day = (local_now() - dt.timedelta(days=2)).strftime("%Y-%m-%d")
    owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form(date=day, time="", time_precision="date", description="Day only"))
    owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form(date=day, time="09:00", time_precision="approx", description="About nine"))
    page = owner_client.get(f"/cases/{case.pk}/timeline/").content.decode()
    assert "time not known" in page
    assert "about 09:00" in page


def test_case_with_crime_references_and_orders(owner_client, case):
    response = owner_client.post(f"/cases/{case.pk}/references/new/", {"reference": "ST/99/26", "force": "Staffordshire Police", "officer": "PC Jones"})
    assert response.status_code == 302
    response = owner_client.post(
        f"/cases/{case.pk}/orders/new/",
        {"order_type": "non_molestation", "starts_on": "2026-01-10", "ends_on": "2025-01-01"},
    )
    assert "The end date must be after the start date" in response.content.decode()
    owner_client.post(f"/cases/{case.pk}/orders/new/", {"order_type": "non_molestation", "starts_on": "2026-01-10", "conditions": "Must not come to my street"})
    page = owner_client.get(f"/cases/{case.pk}/").content.decode()
    assert "ST/99/26" in page and "Non-molestation order" in page and "Must not come to my street" in page


def test_create_and_edit_case_details(owner_client, owner):
    response = owner_client.post("/cases/new/", {"label": "", "relationship": "ex_partner"})
    assert "Give this case a name" in response.content.decode()
    response = owner_client.post(
        "/cases/new/",
        {"label": "M", "relationship": "ex_partner", "suspect_name": "Mark", "suspect_vehicles": "Blue Focus AB12 CDE", "suspect_phones": "07700 900000"},
    )
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert "Blue Focus AB12 CDE" in page and "Ex-partner" in page
    response = owner_client.post("/cases/new/", {"label": "x", "relationship": "alien"})
    assert "Select a valid choice" in response.content.decode()


def test_error_summary_links_radio_and_checkbox_errors_to_their_first_option(owner_client, case):
    page = owner_client.post("/cases/new/", {"label": "x", "relationship": "alien"}).content.decode()
    assert 'href="#id_relationship_0"' in page and 'id="id_relationship_0"' in page
    page = owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form(behaviours=["NOT.A.CODE"])).content.decode()
    assert 'href="#id_behaviours_0_0"' in page and 'id="id_behaviours_0_0"' in page
