"""Victims' Code rights delivered (governance/): recorded on a client by those who see it, refused to everyone else
and for wrong values, counted per right in the return (page and CSV) with counts under 5 suppressed."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from care.testing import ROLES, make_world
from casework import services
from casework.testing import make_referral, staff_of
from governance import facts, returns, rights
from governance.models import Fact, FactKind, RightDelivered, VictimsCodeRight
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
C, D, T = Role.CASEWORKER, Role.DUTY_WORKER, Role.TEAM_LEAD
SEES = {C, D, T}


@pytest.fixture
def world(owner):
    w = make_world()
    w["diary_user"] = owner
    return w


def url(world, client=None) -> str:
    return f"/staff/kent/clients/{(client or world['client']).pk}/rights/"


def good(*numbers: int, on: dt.date | None = None) -> dict[str, object]:
    return {"rights": [str(n) for n in numbers], "delivered_on": str(on or timezone.localdate())}


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_the_twelve_rights_of_the_code():
    assert len(VictimsCodeRight.values) == 12
    assert VictimsCodeRight(7).label.endswith("to make a Victim Personal Statement")
    assert "outcome of the case and any appeals" in VictimsCodeRight(9).label
    assert "expenses and have property returned" in VictimsCodeRight(10).label
    assert "offender following a conviction" in VictimsCodeRight(11).label
    assert "complaint" in VictimsCodeRight(12).label


def test_caseworker_records_rights_and_the_fact_is_written(world):
    worker = signed_in(world["staff"][C].user)
    page = worker.get(url(world))
    assert page.status_code == 200 and b"Right 4" in page.content
    response = worker.post(url(world), good(4, 5, 7))
    assert response.status_code == 302
    assert sorted(RightDelivered.objects.filter(client=world["client"]).values_list("right", flat=True)) == [4, 5, 7]
    # Again on the same day: not recorded twice.
    worker.post(url(world), good(4))
    assert RightDelivered.objects.filter(client=world["client"]).count() == 3
    subs = sorted(Fact.objects.filter(kind=FactKind.RIGHT).values_list("sub", flat=True))
    assert subs == ["4", "5", "7"]
    dump = repr(list(Fact.objects.filter(kind=FactKind.RIGHT).values()))
    assert "Harriet" not in dump and str(world["client"].uuid) not in dump
    assert b"Right 7" in worker.get(url(world)).content


@pytest.mark.parametrize(
    "data",
    [
        {"rights": ["13"], "delivered_on": "2026-01-01"},
        {"rights": ["0"], "delivered_on": "2026-01-01"},
        {"rights": ["=1+1"], "delivered_on": "2026-01-01"},
        {"rights": [], "delivered_on": "2026-01-01"},
        {"rights": ["4"], "delivered_on": "not a day"},
        {"rights": ["4"], "delivered_on": "2099-01-01"},
        {"rights": ["4"], "delivered_on": "2019-01-01"},
        {"rights": ["4"]},
    ],
)
def test_wrong_values_are_refused_with_a_message(world, data):
    response = signed_in(world["staff"][C].user).post(url(world), data)
    assert response.status_code == 400 and b"govuk-error-summary" in response.content
    assert not RightDelivered.objects.exists()


def test_the_service_refuses_another_organisations_client(world):
    with pytest.raises(Exception):
        rights.record(staff=staff_of(world["staff"][T]), client=world["theirs"].client, rights=[4], delivered_on=timezone.localdate())
    assert not RightDelivered.objects.exists()


def test_routes_by_role(world):
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    target = url(world)
    for role in ROLES:
        session = signed_in(world["staff"][role].user)
        response = session.get(target)
        assert response.status_code == (200 if role in SEES else 404), role
        if role not in SEES:
            assert strip(response.content) == strip(session.get("/staff/nowhere/").content)
            assert b"Harriet" not in response.content
            assert session.post(target, good(4)).status_code == 404
    for who in (world["other_lead"].user, world["other_admin"].user, world["diary_user"]):
        assert strip(signed_in(who).get(target).content) == missing
        assert signed_in(who).post(target, good(4)).status_code == 404
    assert HttpClient().get(target).status_code == 302
    fife = signed_in(world["other_lead"].user)
    # Their own slug with Kent's client id, and Kent's slug: both missing.
    assert fife.post(f"/staff/fife/clients/{world['client'].pk}/rights/", good(4)).status_code == 404
    worker = signed_in(world["staff"][C].user)
    assert worker.get(f"/staff/kent/clients/{world['new'].client.pk}/rights/").status_code == 404  # not allocated to them
    assert worker.post(f"/staff/kent/clients/{world['theirs'].client.pk}/rights/", good(4)).status_code == 404
    assert worker.get(f"/staff/kent/clients/{10**30}/rights/").status_code == 404
    assert not RightDelivered.objects.exists()
    # The team lead reaches it; the closure and records pages link to it.
    lead = signed_in(world["staff"][T].user)
    assert lead.post(target, good(6)).status_code == 302
    for page in ("closure/", "records/"):
        assert target.encode() in lead.get(f"/staff/kent/clients/{world['client'].pk}/{page}").content


def _known(world) -> None:
    """Right 4 for 6 clients, right 7 for 2, right 12 for 1: the return shows 6, and "fewer than 5" twice."""
    lead = world["staff"][T]
    worker = staff_of(lead)
    day = timezone.localdate()
    for i in range(6):
        r = make_referral(lead, full_name=f"Rights Person {i}")
        services.referral_accept(staff=worker, referral=r)
        chosen = [4] + ([7] if i < 2 else []) + ([12] if i == 0 else [])
        rights.record(staff=worker, client=r.client, rights=chosen, delivered_on=day)


def _period() -> str:
    today = timezone.localdate()
    return f"start={today - dt.timedelta(days=40)}&end={today + dt.timedelta(days=1)}"


def test_return_counts_per_right_with_suppression(world):
    _known(world)
    today = timezone.localdate()
    ret = returns.build(world["org"].pk, today - dt.timedelta(days=40), today + dt.timedelta(days=1))
    cells = dict(next(s for s in ret.sections if s.key == "rights").cells)
    assert cells[VictimsCodeRight(4).label] == "6"
    assert cells[VictimsCodeRight(7).label] == returns.SUPPRESSED
    assert cells[VictimsCodeRight(12).label] == returns.SUPPRESSED
    assert cells[VictimsCodeRight(1).label] == "0"
    # Outside the period: not counted.
    old = returns.build(world["org"].pk, today - dt.timedelta(days=400), today - dt.timedelta(days=300))
    assert dict(next(s for s in old.sections if s.key == "rights").cells)[VictimsCodeRight(4).label] == "0"
    # The same after the clients are deleted; backfill changes nothing.
    before = returns.as_csv(ret, "Kent")
    facts.backfill()
    world["org"].clients.all().delete()
    assert returns.as_csv(returns.build(world["org"].pk, ret.start, ret.end), "Kent") == before


def test_return_page_and_csv_show_the_rights(world):
    _known(world)
    world["org"].name = "=cmd|' /C calc'!A0"
    world["org"].save()
    lead = signed_in(world["staff"][T].user)
    page = lead.get(f"/staff/kent/returns/?{_period()}").content.decode()
    assert "Victims&#x27; Code rights delivered" in page or "Victims' Code rights delivered" in page
    assert "Rights Person" not in page
    body = lead.get(f"/staff/kent/returns/return.csv?{_period()}")
    rows = list(csv.reader(io.StringIO(body.content.decode())))
    mine = {r[4]: r[5] for r in rows if r[3] == "Victims' Code rights delivered"}
    assert mine[VictimsCodeRight(4).label] == "6" and mine[VictimsCodeRight(7).label] == returns.SUPPRESSED
    assert len(mine) == 12
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), cell


def test_a_right_recorded_in_error_is_removed_with_its_fact(world):
    worker = signed_in(world["staff"][C].user)
    worker.post(url(world), good(4, 6))
    mine = RightDelivered.objects.get(client=world["client"], right=6)
    # Someone else's entry through this client's address, or this entry through another client's: missing.
    lead = staff_of(world["staff"][T])
    other = make_referral(world["staff"][T], full_name="Other Person")
    services.referral_accept(staff=lead, referral=other)
    theirs = rights.record(staff=lead, client=other.client, rights=[5], delivered_on=timezone.localdate())[0]
    assert worker.post(f"{url(world)}{theirs.pk}/remove/").status_code == 404
    assert signed_in(world["staff"][T].user).post(f"{url(world, other.client)}{mine.pk}/remove/").status_code == 404
    assert worker.get(f"{url(world)}{mine.pk}/remove/").status_code == 405
    for role in set(ROLES) - SEES:
        assert signed_in(world["staff"][role].user).post(f"{url(world)}{mine.pk}/remove/").status_code == 404
    assert signed_in(world["other_lead"].user).post(f"{url(world)}{mine.pk}/remove/").status_code == 404
    assert RightDelivered.objects.count() == 3 and Fact.objects.filter(kind=FactKind.RIGHT).count() == 3
    assert worker.post(f"{url(world)}{mine.pk}/remove/").status_code == 302
    assert not RightDelivered.objects.filter(pk=mine.pk).exists()
    assert sorted(Fact.objects.filter(kind=FactKind.RIGHT).values_list("sub", flat=True)) == ["4", "5"]
