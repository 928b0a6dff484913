"""Insights pages for every role, the FOUR check, and what the pages say."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client

from cases.services import create_case, save_order
from insights import instruments, selectors, synthetic
from insights.models import Screening
from insights.services import record_screening
from support.models import Contact
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(case, owner):
    syn = synthetic.escalating_case()
    order = save_order(case, owner, None, order_type="restraining", conditions="No contact")
    syn.write(case, owner, order=order)
    inst = instruments.get("daybook-indicators")
    answers = {qid: "yes" for qid in inst.ids}
    screening = record_screening(case, owner, inst, answers, selectors.case_analysis(case))
    return {"case": case, "syn": syn, "screening": screening}


def urls(w) -> list[str]:
    c = w["case"].pk
    s = w["screening"].uuid
    return [
        f"/cases/{c}/pattern/",
        f"/cases/{c}/screening/",
        f"/cases/{c}/screening/new/daybook-indicators/",
        f"/cases/{c}/screening/new/sdash-2009/",
        f"/cases/{c}/screening/{s}/",
        f"/cases/{c}/screening/{s}/print/",
    ]


def test_owner_reaches_every_insights_route(owner_client, world):
    for url in urls(world):
        assert owner_client.get(url).status_code == 200, url


def test_stranger_gets_404_get_and_post(stranger_client, world):
    before = Screening.objects.count()
    for url in urls(world):
        assert stranger_client.get(url).status_code == 404, url
        assert stranger_client.post(url, {"answer_DB-THREATS": "yes"}).status_code == 404, url
    assert Screening.objects.count() == before


def test_anonymous_is_sent_to_sign_in(world):
    client = Client()
    for url in urls(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/login/"), url
    assert client.post(urls(world)[2], {}).status_code == 302


def test_missing_things_are_404(owner_client, world):
    c = world["case"].pk
    for url in [
        f"/cases/{c}/screening/new/not-an-instrument/",
        f"/cases/{c}/screening/not-a-uuid/",
        f"/cases/{c}/screening/00000000-0000-0000-0000-000000000000/print/",
        f"/cases/{c + 999}/pattern/",
    ]:
        assert owner_client.get(url).status_code == 404, url


def test_another_cases_screening_cannot_be_reached_through_mine(owner_client, stranger, world):
    other = create_case(stranger, label="Theirs")
    inst = instruments.get("daybook-indicators")
    theirs = record_screening(other, stranger, inst, {q: "no" for q in inst.ids}, selectors.case_analysis(other))
    assert owner_client.get(f"/cases/{world['case'].pk}/screening/{theirs.uuid}/").status_code == 404


# --- The FOUR check: anyone can use it, nothing is stored ---------------------------------------------------

FOUR_YES = {"fixated": "yes", "obsessive": "no", "unwanted": "yes", "repeated": "yes"}


def counts() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models() if m._meta.app_label in {"insights", "cases", "diary", "audit", "sessions"}}


@pytest.mark.parametrize("who", ["anonymous", "owner", "stranger"])
def test_four_check_for_everyone(who, owner_client, stranger_client):
    client = {"anonymous": Client(), "owner": owner_client, "stranger": stranger_client}[who]
    page = client.get("/check/")
    assert page.status_code == 200 and "fixated, obsessive, unwanted, repeated" in page.content.decode()
    before = counts()
    response = client.post("/check/", FOUR_YES)
    text = response.content.decode()
    assert response.status_code == 200
    assert "sounds like stalking or harassment" in text and "fixated or obsessive" in text
    helpline = Contact.objects.get(slug="national-stalking-helpline")
    for expected in ["call 999", "same crime reference number", helpline.phone, "stalking risk assessment", "Keep a diary"]:
        assert expected in text, expected
    assert "Your answers have not been saved" in text
    assert counts() == before
    if who == "anonymous":
        assert "Start a private diary" in text
        assert settings.SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize(
    ("answers", "says"),
    [
        ({"fixated": "no", "obsessive": "no", "unwanted": "yes", "repeated": "no"}, "Once is not yet a pattern"),
        ({"fixated": "no", "obsessive": "no", "unwanted": "unsure", "repeated": "yes"}, "You are not sure yet"),
        ({"fixated": "no", "obsessive": "no", "unwanted": "no", "repeated": "yes"}, "not unwanted"),
    ],
)
def test_four_check_outcomes(answers, says):
    text = Client().post("/check/", answers).content.decode()
    assert says in text and "call 999" in text


def test_four_check_bad_input():
    response = Client().post("/check/", {"fixated": "perhaps", "unwanted": "yes"})
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text and 'href="#id_obsessive_0"' in text and "Choose one of the answers" in text
    assert "What your answers suggest" not in text
    assert 'value="yes" checked' in text  # what was chosen is kept


# --- The overview ------------------------------------------------------------------------------------------------


def test_overview_lists_findings_with_links_and_charts(owner_client, world):
    case = world["case"]
    syn = world["syn"]
    page = owner_client.get(f"/cases/{case.pk}/pattern/").content.decode()
    titles = ["A course of conduct", "Going on for more than two weeks", "Happening more often", "Getting more serious", "Threats"]
    titles += ["Bursts of contact", "Night-time contact", "Orders broken"]
    for title in titles:
        assert title in page, title
    for n in syn.truth["night"] | syn.truth["bursts"]:
        assert f'href="/cases/{case.pk}/incidents/{n}/"' in page
    assert page.count("<svg") == 7 and "the figures as a table" in page
    assert "Daybook's choice" in page and "Purcell" in page
    assert "style=" not in re.sub(r"<link[^>]+>", "", page.split('id="main-content"')[1])
    assert f'href="/cases/{case.pk}/screening/"' in page


def test_overview_notes_retracted_and_incomplete(owner_client, case, owner):
    from diary.services import retract_incident

    make_incident(case, owner, days_ago=3, behaviours=["CONT.MSG"], channel="text")
    make_incident(case, owner, days_ago=2)  # no behaviour chosen
    retract_incident(make_incident(case, owner, days_ago=1, behaviours=["THRT.KILL"]), owner, "Wrong case")
    page = owner_client.get(f"/cases/{case.pk}/pattern/").content.decode()
    assert "1 retracted entry is left out" in page
    assert "1 incident has no behaviour chosen yet" in page
    assert "Threats</h3>" not in page


def test_overview_of_an_empty_case(owner_client, case):
    page = owner_client.get(f"/cases/{case.pk}/pattern/").content.decode()
    assert "There are no incidents in this case yet" in page and "<svg" not in page


def test_case_pages_link_to_the_pattern_and_screening(owner_client, case, owner):
    make_incident(case, owner, days_ago=1)
    for url in [f"/cases/{case.pk}/", f"/cases/{case.pk}/timeline/"]:
        page = owner_client.get(url).content.decode()
        assert f"/cases/{case.pk}/pattern/" in page, url
        assert f"/cases/{case.pk}/screening/" in page, url


def test_the_sample_case_shows_its_escalation(owner_client, owner):
    """The made-up sample case escalates from messages to turning up, threats and damage: the overview says so."""
    from diary.demo import load_sample_case

    sample = load_sample_case(owner)
    a = selectors.case_analysis(sample)
    assert {"course_of_conduct", "duration", "escalation_seriousness", "threats", "danger"} <= a.keys
    assert a.retracted >= 1
    page = owner_client.get(f"/cases/{sample.pk}/pattern/").content.decode()
    assert "Getting more serious" in page and "Sample data, made up" in page
    assert owner_client.get(f"/cases/{sample.pk}/screening/new/daybook-indicators/").status_code == 200
