"""Closure (governance/): refusals with open actions or safeguarding without outcome, the checklist, exit measures
or the reason none, approval by a team lead, reopening with history kept, and the routes for every role."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from care import plans, safeguarding
from care.testing import ROLES, make_world
from casework.models import ClientStatus
from casework.testing import staff_of
from governance.models import Closure, ClosureState
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
C, D, T = Role.CASEWORKER, Role.DUTY_WORKER, Role.TEAM_LEAD
SEES = {C, D, T}
GOOD = {
    "needs_met": "on",
    "safety_plan_reviewed": "on",
    "told_can_return": "on",
    "reason": "Safe now and moved away",
    "no_measures_reason": "Moved before we could meet",
}


@pytest.fixture
def world(owner):
    w = make_world()
    w["diary_user"] = owner
    return w


def _tidy(world) -> None:
    worker = staff_of(world["staff"][C])
    plans.action_done(staff=worker, action=world["action"], done_on=timezone.localdate())
    safeguarding.referral_outcome(staff=worker, referral=world["referral"], outcome="Social worker visited; plan in place", outcome_on=timezone.localdate())
    world["concern"].refresh_from_db()
    safeguarding.concern_close(staff=worker, concern=world["concern"], outcome="Children's social care took it on")


def url(world, tail: str = "") -> str:
    return f"/staff/kent/clients/{world['client'].pk}/closure/{tail}"


def test_closure_refused_with_open_actions_and_safeguarding(world):
    page = signed_in(world["staff"][C].user).post(url(world), GOOD)
    assert page.status_code == 400
    html = page.content.decode()
    assert "support plan action is still open" in html and "safeguarding concern is still open" in html and "no outcome recorded" in html
    world["client"].refresh_from_db()
    assert world["client"].status == ClientStatus.OPEN and not Closure.objects.exists()


def test_checklist_and_exit_measures_are_needed(world):
    _tidy(world)
    page = signed_in(world["staff"][C].user).post(url(world), {"reason": "short"})
    html = page.content.decode()
    assert page.status_code == 400
    for words in ("needs were met", "Review the safety plan", "come back", "why support is ending", "why none were taken"):
        assert words in html, words
    assert not Closure.objects.exists()


def test_caseworker_asks_lead_approves_then_reopens_with_history(world):
    _tidy(world)
    worker = signed_in(world["staff"][C].user)
    assert worker.post(url(world), GOOD).status_code == 302
    closure = Closure.objects.get()
    assert closure.state == ClosureState.WAITING
    world["client"].refresh_from_db()
    assert world["client"].status == ClientStatus.OPEN
    assert worker.post(url(world, "decide/"), {"decision": "approve"}).status_code == 404  # not a team lead
    lead = signed_in(world["staff"][T].user)
    assert b"C-" in lead.get("/staff/kent/closures/").content
    assert lead.post(url(world, "decide/"), {"decision": "approve"}).status_code == 302
    world["client"].refresh_from_db()
    assert world["client"].status == ClientStatus.CLOSED
    assert lead.post(url(world, "reopen/"), {"reason": "short"}).status_code == 400
    assert lead.post(url(world, "reopen/"), {"reason": "He found the new address"}).status_code == 302
    world["client"].refresh_from_db()
    closure.refresh_from_db()
    assert world["client"].status == ClientStatus.OPEN and closure.state == ClosureState.REOPENED
    history = lead.get(url(world)).content.decode()
    assert "Safe now and moved away" in history and "He found the new address" in history


def test_refusal_needs_a_reason(world):
    _tidy(world)
    signed_in(world["staff"][C].user).post(url(world), GOOD)
    lead = signed_in(world["staff"][T].user)
    assert lead.post(url(world, "decide/"), {"decision": "refuse", "note": ""}).status_code == 400
    assert lead.post(url(world, "decide/"), {"decision": "refuse", "note": "Court date next month: keep open"}).status_code == 302
    assert Closure.objects.get().state == ClosureState.REFUSED
    world["client"].refresh_from_db()
    assert world["client"].status == ClientStatus.OPEN


def test_without_approval_setting_the_caseworker_closes(world):
    from governance.closure import settings_for

    s = settings_for(world["org"])
    s.closure_needs_approval = False
    s.save()
    _tidy(world)
    assert signed_in(world["staff"][C].user).post(url(world), GOOD).status_code == 302
    world["client"].refresh_from_db()
    assert world["client"].status == ClientStatus.CLOSED
    from governance.models import Fact, FactKind

    assert Fact.objects.get(kind=FactKind.CLOSURE).sub == "no_exit_measures"  # counted in the return, no content


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_routes_by_role(world):
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    for target, allowed in ((url(world), SEES), ("/staff/kent/closures/", {T})):
        for role in ROLES:
            session = signed_in(world["staff"][role].user)
            response = session.get(target)
            assert response.status_code == (200 if role in allowed else 404), (target, role)
            if role not in allowed:
                assert strip(response.content) == strip(session.get("/staff/nowhere/").content)
                assert b"Harriet" not in response.content
        for who in (world["other_lead"].user, world["other_admin"].user, world["diary_user"]):
            assert strip(signed_in(who).get(target).content) == missing
        assert HttpClient().get(target).status_code == 302
    # Posts: nobody outside the allowed roles changes anything.
    _tidy(world)
    for role in set(ROLES) - SEES:
        assert signed_in(world["staff"][role].user).post(url(world), GOOD).status_code == 404
    for role in set(ROLES) - {T}:
        assert signed_in(world["staff"][role].user).post(url(world, "reopen/"), {"reason": "x" * 20}).status_code == 404
    fife = signed_in(world["other_lead"].user)
    assert fife.post(f"/staff/fife/clients/{world['client'].pk}/closure/", GOOD).status_code == 404
    assert fife.post(f"/staff/kent/clients/{world['client'].pk}/closure/", GOOD).status_code == 404
    assert not Closure.objects.exists()
    worker = signed_in(world["staff"][C].user)
    assert worker.get(f"/staff/kent/clients/{10**30}/closure/").status_code == 404
    assert worker.get(f"/staff/kent/clients/{world['new'].client.pk}/closure/").status_code == 404  # not allocated to them


def test_restricted_client_break_glass_and_no_name(world):
    from casework import services
    from casework.testing import make_referral

    lead = world["staff"][T]
    rita = make_referral(lead, full_name="Rita Restricted", restricted=True)
    services.referral_accept(staff=staff_of(lead), referral=rita)
    target = f"/staff/kent/clients/{rita.client.pk}/closure/"
    assert signed_in(lead.user).get(target).status_code == 200  # named on it
    duty = signed_in(world["staff"][D].user).get(target)
    assert duty.status_code == 403 and b"Rita" not in duty.content
    assert signed_in(world["staff"][C].user).get(target).status_code == 404
    records = signed_in(world["staff"][D].user).get(f"/staff/kent/clients/{rita.client.pk}/records/")
    assert records.status_code == 404  # records law is the team lead's
