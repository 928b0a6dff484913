"""Insights pages for every role, the FOUR check, and what the pages say."""

from __future__ import annotations

import pytest
from django.test import Client

from cases.services import create_case, save_order
from insights import instruments, selectors, synthetic
from insights.models import Screening
from insights.services import record_screening


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
