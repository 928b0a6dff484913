"""Every route for every role: the owner, another signed-in person, and someone not signed in.

Another person's case or incident gives exactly the same 404 as one that does not exist."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit.models import AuditEvent
from cases.services import save_crime_reference, save_order
from diary.models import Incident
from tests.factories import make_incident


@pytest.fixture
def world(case, owner):
    incident = make_incident(case, owner, description="Secret text about the incident")
    ref = save_crime_reference(case, owner, None, reference="AB/123/26", force="Kent Police")
    order = save_order(case, owner, None, order_type="restraining", conditions="No contact")
    return {"case": case, "incident": incident, "ref": ref, "order": order}


def case_urls(w) -> list[str]:
    c = w["case"].pk
    n = w["incident"].number
    return [
        f"/cases/{c}/",
        f"/cases/{c}/edit/",
        f"/cases/{c}/activity/",
        f"/cases/{c}/references/new/",
        f"/cases/{c}/references/{w['ref'].uuid}/edit/",
        f"/cases/{c}/orders/new/",
        f"/cases/{c}/orders/{w['order'].uuid}/edit/",
        f"/cases/{c}/quick/",
        f"/cases/{c}/timeline/",
        f"/cases/{c}/timeline/?q=secret&behaviour=CONT.VISIT",
        f"/cases/{c}/integrity/",
        f"/cases/{c}/incidents/new/",
        f"/cases/{c}/incidents/{n}/",
        f"/cases/{c}/incidents/{n}/edit/",
        f"/cases/{c}/incidents/{n}/retract/",
    ]


def test_owner_reaches_every_case_route(owner_client, world):
    for url in case_urls(world):
        response = owner_client.get(url)
        assert response.status_code == 200, url


def test_stranger_gets_404_on_every_case_route_get_and_post(stranger_client, world):
    for url in case_urls(world):
        assert stranger_client.get(url).status_code == 404, url
        assert stranger_client.post(url, {"description": "x", "reason": "x", "label": "x"}).status_code == 404, url
    incident = Incident.objects.get(pk=world["incident"].pk)
    assert incident.version == 1 and not incident.retracted


def test_refusal_looks_the_same_as_a_missing_case(stranger_client, world):
    c = world["case"].pk
    theirs = stranger_client.get(f"/cases/{c}/timeline/")
    missing = stranger_client.get(f"/cases/{c + 999}/timeline/")
    assert theirs.status_code == missing.status_code == 404
    strip = lambda b: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", b)  # noqa: E731
    assert strip(theirs.content) == strip(missing.content)
    assert b"Secret text" not in theirs.content


def test_anonymous_is_sent_to_sign_in_everywhere(world):
    client = Client()
    for url in case_urls(world) + ["/quick/", "/cases/new/", "/account/settings/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/login/"), url
    assert client.post("/sample/").status_code == 302


def test_incident_numbers_are_per_case_and_cannot_cross_cases(owner_client, stranger, world):
    from cases.services import create_case

    other = create_case(stranger, label="Theirs")
    make_incident(other, stranger, description="Their private entry")
    # The owner asks for incident 1 of the stranger's case: 404.
    assert owner_client.get(f"/cases/{other.pk}/incidents/1/").status_code == 404
    # A crime reference of another case cannot be edited through my case.
    from cases.services import save_crime_reference

    their_ref = save_crime_reference(other, stranger, None, reference="ZZ/1")
    assert owner_client.get(f"/cases/{world['case'].pk}/references/{their_ref.uuid}/edit/").status_code == 404
    assert owner_client.get(f"/cases/{world['case'].pk}/references/not-a-uuid/edit/").status_code == 404


def test_home_lists_only_my_cases(owner_client, stranger_client, world):
    # The case's label "JB" as a word: a random token on the page (a CSRF token, a nonce) may hold the letters "JB".
    label = re.compile(r"(?<![A-Za-z0-9_-])JB(?![A-Za-z0-9_-])")
    assert label.search(owner_client.get("/").content.decode())
    assert not label.search(stranger_client.get("/").content.decode())


def test_public_pages_for_everyone(world, owner_client, stranger_client):
    for client in (Client(), owner_client, stranger_client):
        for url in ["/", "/help/", "/guide/behaviours"]:
            assert client.get(url).status_code == 200, url


def test_exit_works_without_csrf_and_ends_session(owner_client, world):
    response = owner_client.get("/exit/")
    assert response.status_code == 302
    assert response["Location"] == "https://www.bbc.co.uk/weather"
    assert "cookies" in response["Clear-Site-Data"]
    assert owner_client.get(f"/cases/{world['case'].pk}/timeline/").status_code == 302
    assert AuditEvent.objects.filter(action="session.exit").exists()


def test_post_without_csrf_token_is_refused_and_nothing_saved(owner, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    before = Incident.objects.count()
    response = client.post(f"/cases/{world['case'].pk}/quick/", {"description": "no token", "date": "2026-01-01"})
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
    assert Incident.objects.count() == before


def test_activity_page_lists_what_was_done(owner_client, world):
    page = owner_client.get(f"/cases/{world['case'].pk}/activity/").content.decode()
    assert "Case started" in page and "Incident recorded" in page and "Crime reference added" in page
    assert "Nobody but you has opened this case" in page
