"""The triage queue's "Possible duplicate" tag (casework/index.py ``possible_duplicates``: a shared phone number or
e-mail address, or the name with the date of birth; never a merge) and "could not be reached" told to the police
sender after the organisation's own limit of failed attempts (casework/police.py ``outcome``)."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from casework import index, merge, police, services
from casework.models import Client, ContactOutcome, Referral
from casework.testing import staff_of
from organisations.models import Role
from organisations.testing import make_staff, signed_in
from tests.test_api import call, referral_body
from tests.test_api import world as api_world  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def send(world, **kw) -> Referral:  # noqa: ANN001
    response = call(world["token"], "POST", "/api/v1/referrals", referral_body(**kw))
    assert response.status_code in (200, 201), response.json()
    return Referral.objects.get(uuid=response.json()["id"])


def tagged(page: bytes) -> set[str]:
    """The references of the queue rows carrying the tag."""
    out = set()
    for row in page.decode().split('<tr class="govuk-table__row')[2:]:
        if "Possible duplicate" in row:
            out.add(re.search(r"R-\d{6}", row).group(0))
    return out


@pytest.fixture
def world(api_world):  # noqa: F811
    return api_world


def test_possible_duplicates_by_phone_email_or_name_and_birth(world):
    a = send(world, crime_reference="KP/1/1", full_name="Ann Alpha", phones=["07700 900111"], date_of_birth="1990-01-01")
    b = send(world, crime_reference="KP/1/2", full_name="Someone Else", phones=["+44 7700 900111"], date_of_birth="1980-01-01")  # same phone
    c = send(world, crime_reference="KP/1/3", full_name="Cat Gamma", phones=["07700 900333"], email="Cat@Example.org", date_of_birth="1970-01-01")
    d = send(world, crime_reference="KP/1/4", full_name="Dan Delta", phones=["07700 900444"], email=" cat@example.ORG ", date_of_birth="1971-01-01")  # e-mail
    e = send(world, crime_reference="KP/1/5", full_name="GAMMA, Eve", phones=["07700 900555"], date_of_birth="1960-05-05")
    f = send(world, crime_reference="KP/1/6", full_name="eve gamma", phones=["07700 900666"], date_of_birth="1960-05-05")  # name and birth
    g = send(world, crime_reference="KP/1/7", full_name="eve gamma", phones=["07700 900777"], date_of_birth="1961-05-05")  # name only: not
    h = send(world, crime_reference="KP/1/8", full_name="Hal Eta", phones=["07700 900888"], date_of_birth="1960-05-05")  # birth only: not
    found = index.possible_duplicates(world["org"], [r.client_id for r in (a, b, c, d, e, f, g, h)])
    assert found == {a.client_id, b.client_id, c.client_id, d.client_id, e.client_id, f.client_id}
    # The hint on the referral page names the same reasons.
    assert [h.reasons for h in index.duplicate_hints(c.client)] == [("e-mail address",)]
    # The queue shows the tag on those rows only; nothing was merged.
    lead = make_staff(world["org"], Role.TEAM_LEAD, "Lead")
    page = signed_in(lead.user).get("/staff/kent/queue/")
    assert page.status_code == 200
    assert tagged(page.content) == {r.reference for r in (a, b, c, d, e, f)}
    assert Client.objects.filter(merged_into__isnull=False).count() == 0
    # Once a person merges b into a, neither is tagged (b is hidden; a has no other match).
    merge.client_merge(staff=staff_of(lead), kept=a.client, merged=b.client, reason="Same phone, same person on the call")
    assert a.client_id not in index.possible_duplicates(world["org"], [a.client_id])


def test_duplicates_never_cross_organisations(world):
    a = send(world, crime_reference="KP/2/1", full_name="Ann Alpha", phones=["07700 900111"])
    response = call(world["other_token"], "POST", "/api/v1/referrals", referral_body(crime_reference="PS/2/1", full_name="Ann Alpha", phones=["07700 900111"]))
    assert response.status_code == 201
    other = Referral.objects.get(uuid=response.json()["id"])
    assert index.possible_duplicates(world["org"], [a.client_id]) == set()
    assert index.possible_duplicates(other.organisation, [other.client_id]) == set()
    # Another organisation's client ids give nothing away.
    assert index.possible_duplicates(world["org"], [other.client_id]) == set()


def test_restricted_rows_show_no_tag(world):
    a = send(world, crime_reference="KP/3/1", full_name="Ann Alpha", phones=["07700 900111"])
    send(world, crime_reference="KP/3/2", full_name="Ann Alpha", phones=["07700 900111"])
    Client.objects.filter(pk=a.client_id).update(restricted=True)
    intake = make_staff(world["org"], Role.INTAKE, "Intake")
    page = signed_in(intake.user).get("/staff/kent/queue/")
    assert a.reference not in tagged(page.content)


@pytest.mark.parametrize("limit", [1, 3, 5])
def test_could_not_be_reached_after_the_organisations_own_limit(world, limit):
    settings = world["org"].settings
    settings.failed_attempts_limit = limit
    settings.save()
    lead = make_staff(world["org"], Role.TEAM_LEAD, "Lead")
    referral = send(world, crime_reference="KP/4/1")
    url = f"/api/v1/referrals/{referral.uuid}"
    outcomes = [ContactOutcome.NO_ANSWER] * 5
    for n, outcome in enumerate(outcomes[:limit], start=1):
        assert call(world["token"], "GET", url).json()["outcome"] in ("received", "accepted")
        services.contact_attempt_record(staff=staff_of(lead), referral=referral, at=timezone.now(), channel="phone", outcome=outcome)
        want = "could_not_be_reached" if n >= limit else "received"
        assert call(world["token"], "GET", url).json()["outcome"] == want, n
    listed = call(world["token"], "GET", "/api/v1/referrals").json()["referrals"]
    assert [r["outcome"] for r in listed] == ["could_not_be_reached"]
    # The other organisation's sender cannot read it at all.
    assert call(world["other_token"], "GET", url).status_code == 404
    # Reached at last: contacted, whatever came before.
    services.contact_attempt_record(
        staff=staff_of(lead), referral=referral, at=timezone.now(), channel="phone", outcome=ContactOutcome.SPOKE, identity="call_back", privacy_notice=True
    )
    assert call(world["token"], "GET", url).json()["outcome"] == "contacted"
    assert police.unreachable_after(world["org"]) == limit
