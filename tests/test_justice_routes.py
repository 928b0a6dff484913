"""Every justice route for every role (this organisation's seven, another organisation's staff, a diary user,
someone signed out), a restricted client, someone else's ids: refusals look exactly like a missing page and change
nothing. Walks the resolver so a new justice route cannot be left out."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import get_resolver

from audit.models import AuditEvent
from justice.models import Assessment, ClientEntry, Onward, OnwardEvent, Task
from justice.testing import ROLES, justice_world
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
T, IN, C, D, A = Role.TEAM_LEAD, Role.INTAKE, Role.CASEWORKER, Role.DUTY_WORKER, Role.ORG_ADMIN
WORKERS = {C, D, T}


@pytest.fixture
def world(owner):
    w = justice_world()
    w["diary_user"] = owner
    return w


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def justice_routes() -> list[str]:
    names = []
    for p in get_resolver().url_patterns:
        if getattr(p, "urlconf_name", None) is not None and getattr(p.urlconf_name, "__name__", "") == "justice.urls":
            names += [q.name for q in p.url_patterns]
    return names


def get_routes(w) -> dict[str, tuple[str, set[str]]]:
    h, c = w["held"].pk, "/staff/kent/clients"
    return {
        "justice_client": (f"{c}/{h}/justice/", WORKERS),
        "justice_assess": (f"{c}/{h}/justice/risk/dash-2009/", WORKERS),
        "justice_review": (f"{c}/{h}/justice/reviews/{w['lowered'].pk}/", {T}),
        "justice_status": (f"{c}/{h}/justice/status/", WORKERS),
        "justice_order_new": (f"{c}/{h}/justice/orders/new/", WORKERS),
        "justice_order": (f"{c}/{h}/justice/orders/{w['order'].pk}/", WORKERS),
        "justice_court": (f"{c}/{h}/justice/court/", WORKERS),
        "justice_vps": (f"{c}/{h}/justice/vps/", WORKERS),
        "justice_onward_new": (f"{c}/{h}/justice/onward/new/", WORKERS),
        "justice_onward": (f"{c}/{h}/justice/onward/{w['marac'].pk}/", WORKERS),
        "justice_onward_withdraw": (f"{c}/{h}/justice/onward/{w['to_fife'].pk}/withdraw/", WORKERS),
        "justice_onward_pdf": (f"{c}/{h}/justice/onward/{w['marac'].pk}/pdf/", WORKERS),
        "justice_due": ("/staff/kent/due/", WORKERS),
        "justice_incoming": ("/staff/kent/referrals-in/", {T, IN}),
        "justice_incoming_detail": (f"/staff/kent/referrals-in/{w['from_fife'].pk}/", {T, IN}),
        "justice_protocol": ("/staff/kent/marac-protocol/", {A}),
    }


def post_routes(w) -> dict[str, tuple[str, set[str]]]:
    h, c = w["held"].pk, "/staff/kent/clients"
    m = w["marac"].pk
    task = Task.objects.filter(client=w["held"], done_at__isnull=True).first()
    return {
        "justice_onward_meeting": (f"{c}/{h}/justice/onward/{m}/meeting/", WORKERS),
        "justice_onward_feedback": (f"{c}/{h}/justice/onward/{m}/feedback/", WORKERS),
        "justice_onward_action": (f"{c}/{h}/justice/onward/{m}/actions/", WORKERS),
        "justice_task_done": (f"/staff/kent/due/{task.pk}/done/", WORKERS),
    }


def snapshot() -> tuple[int, ...]:
    return (
        ClientEntry.objects.count(),
        Assessment.objects.count(),
        OnwardEvent.objects.count(),
        Task.objects.filter(done_at__isnull=True).count(),
        AuditEvent.objects.exclude(action__in=["justice.viewed", "onward.read"]).count(),
    )


def test_every_justice_route_is_listed(world):
    listed = set(get_routes(world)) | set(post_routes(world))
    assert set(justice_routes()) == listed


def test_get_routes_by_role(world):
    clients = {role: signed_in(world["staff"][role].user) for role in ROLES}
    outsiders = [signed_in(u) for u in (world["other_lead"].user, world["other_admin"].user, world["other_worker"].user, world["diary_user"])]
    for name, (url, allowed) in get_routes(world).items():
        for role in ROLES:
            response = clients[role].get(url)
            assert response.status_code == (200 if role in allowed else 404), (name, role, response.status_code)
            if role not in allowed:
                assert strip(response.content) == strip(clients[role].get("/staff/nowhere/").content), (name, role)
                assert b"Harriet" not in response.content
        for client in outsiders:
            response = client.get(url)
            assert response.status_code == 404 and strip(response.content) == strip(client.get("/staff/nowhere/").content), name
        response = HttpClient().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), name


def test_org_admin_and_auditor_read_no_client_content(world):
    for role in (A, Role.AUDITOR, Role.SAFEGUARDING_LEAD):
        client = signed_in(world["staff"][role].user)
        for url, _allowed in get_routes(world).values():
            assert b"Harriet" not in client.get(url).content


def test_post_refusals_change_nothing(world):
    clients = {role: signed_in(world["staff"][role].user) for role in ROLES}
    before = snapshot()
    data = {"meeting_on": "2026-01-05", "on": "2026-01-05", "what": "x", "due_on": "2026-02-01", "reason": "a reason long enough", "state": "accepted"}
    for name, (url, allowed) in {**post_routes(world), **get_routes(world)}.items():
        for role in set(ROLES) - allowed:
            assert clients[role].post(url, data).status_code == 404, (name, role)
        for who in (world["other_lead"], world["other_worker"]):
            assert signed_in(who.user).post(url, data).status_code == 404, name
    assert snapshot() == before


def test_restricted_client_break_glass_for_others_named_worker_sees(world):
    url = f"/staff/kent/clients/{world['restricted'].pk}/justice/"
    assert signed_in(world["staff"][C].user).get(url).status_code == 200
    for role in (T, D):
        response = signed_in(world["staff"][role].user).get(url)
        assert response.status_code == 403 and b"Rita" not in response.content
    assert signed_in(world["staff"][IN].user).get(url).status_code == 404
    # Writing through a page is refused the same way.
    before = snapshot()
    response = signed_in(world["staff"][T].user).post(url + "status/", {"state": "arrested", "on": "2026-01-05"})
    assert response.status_code == 403 and snapshot() == before


def test_someone_elses_ids_are_missing_pages(world):
    theirs, held = world["theirs"], world["held"]
    lead = signed_in(world["staff"][T].user)
    missing = strip(lead.get("/staff/kent/nowhere/").content)
    urls = [
        f"/staff/kent/clients/{theirs.pk}/justice/",
        f"/staff/kent/clients/{held.pk}/justice/orders/{world['theirs_order'].pk}/",
        f"/staff/kent/clients/{held.pk}/justice/onward/{world['from_fife'].pk}/",
        f"/staff/kent/clients/{held.pk}/justice/reviews/999999/",
        f"/staff/kent/clients/{held.pk}/justice/risk/no-such-instrument/",
        f"/staff/kent/clients/{held.pk}/justice/risk/daybook-indicators/",
        f"/staff/kent/referrals-in/{world['to_fife'].pk}/",
        "/staff/kent/clients/abc/justice/",
    ]
    for url in urls:
        response = lead.get(url)
        assert response.status_code == 404, url
        if "abc" not in url:
            assert strip(response.content) == missing, url
    before = snapshot()
    fife_task = Task.objects.create(client=theirs, kind="risk_review", due_on=held.created_at.date(), about="x")
    assert lead.post(f"/staff/kent/due/{fife_task.pk}/done/").status_code == 404
    assert lead.post(f"/staff/kent/clients/{held.pk}/justice/onward/{world['from_fife'].pk}/withdraw/", {"reason": "not mine at all"}).status_code == 404
    assert Onward.objects.get(pk=world["from_fife"].pk).state == "sent"
    assert snapshot()[:4] == (before[0], before[1], before[2], before[3] + 1)
