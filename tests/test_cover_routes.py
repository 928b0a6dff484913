"""cover's routes for every role (caseworker, duty worker, team lead, safeguarding lead, intake, organisation admin,
auditor), another organisation's staff, a diary user (the person) and someone signed out; someone else's ids;
every page accessible and CSP-clean."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.testing import audit as page_audit
from audit.models import AuditEvent
from care.testing import ROLES, make_world
from casework.models import Client
from casework.testing import staff_of
from cover import services
from cover.models import CoverGrant, DutyDay, HandoverNote, Reallocation, StaffRisk, Supervision, Visit
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
C, D, T = Role.CASEWORKER, Role.DUTY_WORKER, Role.TEAM_LEAD
SEES = {C, D, T}


@pytest.fixture
def world(owner):
    w = make_world()
    w["diary_user"] = owner
    lead, worker = w["staff"][T], w["staff"][C]
    now = timezone.now()
    w["grant"] = services.cover_grant(
        staff=staff_of(lead), covering=w["staff"][D], absent=worker, starts_at=now, ends_at=now + dt.timedelta(hours=4), reason="Training day"
    )
    w["supervision"] = services.supervision_record(
        staff=staff_of(lead), caseworker=worker, held_on=timezone.localdate(), cases=[w["client"]], notes="Talked about the school gate worry.", actions=[]
    )
    w["visit"] = services.visit_plan(
        staff=staff_of(worker), client=w["client"], member=worker, kind="home", starts_at=now + dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=2),
        place="4 Elm Road",
    )  # fmt: skip
    w["risk"] = services.staff_risk_add(staff=staff_of(worker), client=w["client"], kind="weapons", note="Knife seen in the kitchen")
    return w


def get_routes(w) -> list[tuple[str, set[str]]]:
    c = f"/staff/kent/clients/{w['client'].pk}"
    return [
        ("/staff/kent/duty/", {D, T}),
        ("/staff/kent/cover/", {T}),
        ("/staff/kent/reallocate/", {T}),
        (f"/staff/kent/reallocate/?leaving={w['staff'][C].pk}", {T}),
        ("/staff/kent/supervision/", SEES),
        (f"/staff/kent/supervision/new/?caseworker={w['staff'][C].pk}", {T}),
        (f"/staff/kent/supervision/{w['supervision'].pk}/", {C, T}),
        ("/staff/kent/visits/", SEES),
        (f"{c}/cover/", SEES),
        (f"/staff/kent/referrals/{w['held'].pk}/contact-log/", SEES),
    ]


def post_routes(w) -> list[tuple[str, set[str]]]:
    c = f"/staff/kent/clients/{w['client'].pk}"
    v = w["visit"].pk
    return [
        ("/staff/kent/duty/rota/", {T}),
        ("/staff/kent/cover/", {T}),
        (f"/staff/kent/cover/{w['grant'].pk}/end/", {T}),
        ("/staff/kent/reallocate/", {T}),
        (f"/staff/kent/supervision/new/?caseworker={w['staff'][C].pk}", {T}),
        (f"/staff/kent/visits/{v}/check-in/", {C}),
        (f"/staff/kent/visits/{v}/check-out/", {C}),
        (f"/staff/kent/visits/{v}/cancel/", {C, T}),
        (f"{c}/cover/handover/", SEES),
        (f"{c}/cover/risk/", SEES),
        (f"{c}/cover/visit/", SEES),
        (f"{c}/cover/staff-risk/{w['risk'].pk}/end/", {T}),
    ]


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def counts() -> tuple[int, ...]:
    return (
        DutyDay.objects.count(),
        CoverGrant.objects.count(),
        CoverGrant.objects.exclude(ended_at=None).count(),
        HandoverNote.objects.count(),
        Reallocation.objects.count(),
        Supervision.objects.count(),
        Visit.objects.count(),
        Visit.objects.exclude(checked_in_at=None).count(),
        Visit.objects.exclude(cancelled_at=None).count(),
        StaffRisk.objects.count(),
        StaffRisk.objects.exclude(ended_at=None).count(),
        tuple(Client.objects.order_by("pk").values_list("allocated_to", flat=True)),
        AuditEvent.objects.exclude(action__endswith="viewed").count(),
    )


def test_get_routes_by_role(world):
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    clients = {role: signed_in(world["staff"][role].user) for role in ROLES}
    outsiders = [world["other_lead"].user, world["other_admin"].user, world["diary_user"]]
    for url, allowed in get_routes(world):
        for role in ROLES:
            response = clients[role].get(url)
            assert response.status_code == (200 if role in allowed else 404), (url, role, response.status_code)
            if role not in allowed:
                assert strip(response.content) == strip(clients[role].get("/staff/nowhere/").content), (url, role)
                assert b"Harriet" not in response.content and b"Knife" not in response.content and b"school gate" not in response.content
        for who in outsiders:
            response = signed_in(who).get(url)
            assert response.status_code == 404 and strip(response.content) == missing, (url, who)
        response = HttpClient().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url


def test_post_routes_refused_change_nothing(world):
    clients = {role: signed_in(world["staff"][role].user) for role in ROLES}
    data = {
        "text": "x" * 30,
        "kind": "dogs",
        "note": "n",
        "reason": "x" * 30,
        "leaving": world["staff"][C].pk,
        f"to_{world['client'].pk}": world["staff"][T].pk,
    }
    before = counts()
    for url, allowed in post_routes(world):
        for role in set(ROLES) - allowed:
            assert clients[role].post(url, data).status_code == 404, (url, role)
        for who in (world["other_lead"].user, world["other_admin"].user):
            assert signed_in(who).post(url, data).status_code == 404, url
        assert signed_in(world["diary_user"]).post(url, data).status_code == 404, url
        anonymous = HttpClient().post(url, data)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/account/login/"), url
    assert counts() == before


def test_allowed_roles_with_empty_forms_save_nothing(world):
    before = counts()
    for url, allowed in post_routes(world):
        if url.endswith(("/end/", "/check-in/", "/check-out/", "/cancel/")):
            continue  # no form: covered by test_cover.py
        for role in allowed:
            response = signed_in(world["staff"][role].user).post(url, {"on": "not a date", "starts_at": "yesterday", "leaving": world["staff"][C].pk})
            assert response.status_code == 400, (url, role, response.status_code)
    assert counts() == before


def test_someone_elses_ids_are_missing(world):
    lead = signed_in(world["staff"][T].user)
    fife = signed_in(world["other_lead"].user)
    theirs = world["theirs"].client
    before = counts()
    assert lead.get(f"/staff/kent/clients/{theirs.pk}/cover/").status_code == 404
    assert lead.post(f"/staff/kent/clients/{theirs.pk}/cover/handover/", {"text": "x" * 30}).status_code == 404
    assert fife.get(f"/staff/fife/clients/{world['client'].pk}/cover/").status_code == 404
    assert fife.get(f"/staff/fife/supervision/{world['supervision'].pk}/").status_code == 404
    assert fife.post(f"/staff/fife/cover/{world['grant'].pk}/end/").status_code == 404
    assert fife.post(f"/staff/fife/visits/{world['visit'].pk}/cancel/").status_code == 404
    assert lead.get(f"/staff/kent/supervision/new/?caseworker={world['other_lead'].pk}").status_code == 404
    assert lead.get(f"/staff/kent/reallocate/?leaving={world['other_lead'].pk}").status_code == 404
    other = world["new"].client
    assert lead.post(f"/staff/kent/clients/{other.pk}/cover/staff-risk/{world['risk'].pk}/end/").status_code == 404
    huge = 10**30
    for url in (
        f"/staff/kent/clients/{huge}/cover/",
        f"/staff/kent/supervision/{huge}/",
        f"/staff/kent/visits/{huge}/check-in/",
        f"/staff/kent/cover/{huge}/end/",
    ):
        assert lead.post(url).status_code == 404, url
    assert lead.post(f"/staff/kent/visits/{world['visit'].pk}/fly-away/").status_code == 404
    assert lead.post(f"/staff/kent/clients/{world['client'].pk}/cover/nonsense/", {"text": "x" * 30}).status_code == 404
    assert counts() == before


def test_every_page_is_accessible_and_csp_clean(world):
    for url, allowed in get_routes(world):
        role = T if T in allowed else sorted(allowed)[0]
        html = signed_in(world["staff"][role].user).get(url).content.decode()
        assert page_audit(html) == [], (url, page_audit(html))
        assert "Staff area" in html and "style=" not in html and "<script>" not in html
