"""A crime reference number typed in place in the incident form (issue 13, item 4): it joins the case, is linked to
the incident, and nothing typed is lost when the form has a problem."""

from __future__ import annotations

from cases.models import CrimeReference
from cases.services import save_crime_reference
from diary.models import Incident
from tests.test_diary import full_form


def test_a_new_reference_typed_in_the_form_joins_the_case(owner_client, case):
    page = owner_client.get(f"/cases/{case.pk}/incidents/new/").content.decode()
    assert 'name="new_crime_reference"' in page
    response = owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form(new_crime_reference="  WM/ 777/26 "))
    assert response.status_code == 302
    ref = CrimeReference.objects.get(case=case)
    assert ref.reference == "WM/ 777/26"
    assert Incident.objects.get(case=case).crime_reference == ref


def test_typing_a_reference_the_case_already_has_reuses_it(owner_client, owner, case):
    ref = save_crime_reference(case, owner, None, reference="WM/555/26")
    owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form(new_crime_reference="wm/555/26"))
    assert CrimeReference.objects.filter(case=case).count() == 1
    assert Incident.objects.get(case=case).crime_reference == ref


def test_a_problem_elsewhere_keeps_the_typed_reference_and_saves_nothing(owner_client, case):
    page = owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form(description="", new_crime_reference="KEEP/1/26")).content.decode()
    assert 'value="KEEP/1/26"' in page
    assert not CrimeReference.objects.filter(case=case).exists()
    assert not Incident.objects.filter(case=case).exists()


def test_choosing_one_and_typing_another_asks_which(owner_client, owner, case):
    ref = save_crime_reference(case, owner, None, reference="WM/555/26")
    page = owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form(crime_reference=str(ref.uuid), new_crime_reference="OTHER/2")).content.decode()
    assert "Choose a number from the list or type a new one, not both" in page
    assert CrimeReference.objects.filter(case=case).count() == 1


def test_editing_an_incident_can_add_a_reference(owner_client, owner, case):
    owner_client.post(f"/cases/{case.pk}/incidents/new/", full_form())
    incident = Incident.objects.get(case=case)
    owner_client.post(f"/cases/{case.pk}/incidents/{incident.number}/edit/", full_form(new_crime_reference="LATER/9/26"))
    incident.refresh_from_db()
    assert incident.crime_reference.reference == "LATER/9/26"
