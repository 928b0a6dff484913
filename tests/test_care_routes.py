"""care's routes for every role (caseworker, duty worker, team lead, safeguarding lead, intake, organisation admin,
auditor), another organisation's staff, a diary user and someone signed out; restricted clients; someone else's ids."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient

from accounts.testing import audit as page_audit
from audit.models import AuditEvent
from care import safeguarding
from care.models import ClientChainEntry, Goal, PlanAction, SafeguardingConcern, SafeguardingReferral, SafetyPlan, Snapshot
from care.testing import ROLES, make_world
from casework import services
from casework.testing import make_referral, staff_of
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
C, D, T, SL = Role.CASEWORKER, Role.DUTY_WORKER, Role.TEAM_LEAD, Role.SAFEGUARDING_LEAD
SEES = {C, D, T}


@pytest.fixture
def world(owner):
    w = make_world()
    w["diary_user"] = owner
    return w


def get_routes(w) -> list[tuple[str, set[str]]]:
    c = f"/staff/kent/clients/{w['client'].pk}"
    return [
        (f"{c}/care/", SEES),
        (f"{c}/care/verify/", SEES),
        (f"{c}/safeguarding/new/", SEES),
        (f"{c}/safeguarding/1/", SEES | {SL}),
        (f"{c}/needs/", SEES),
        (f"{c}/support-plan/", SEES),
        (f"{c}/safety-plan/", SEES),
        (f"{c}/safety-plan/edit/", SEES),
        (f"{c}/safety-plan/print/", SEES),
        (f"{c}/safety-plan/print/?marked=include", SEES),
        ("/staff/kent/safeguarding/", {SL}),
        ("/staff/kent/plans-due/", SEES),
    ]


def post_routes(w) -> list[tuple[str, set[str]]]:
    c = f"/staff/kent/clients/{w['client'].pk}"
    r = w["referral"].pk
    return [
        (f"{c}/safeguarding/new/", SEES),
        (f"{c}/safeguarding/1/refer/", SEES | {SL}),
        (f"{c}/safeguarding/1/child/", SEES | {SL}),
        (f"{c}/safeguarding/1/consent/", SEES | {SL}),
        (f"{c}/safeguarding/1/close/", SEES | {SL}),
        (f"{c}/safeguarding/1/review/", {SL}),
        (f"{c}/safeguarding/1/referrals/{r}/outcome/", SEES | {SL}),
        (f"{c}/safeguarding/1/referrals/{r}/chase/", SEES | {SL}),
        (f"{c}/needs/", SEES),
        (f"{c}/support-plan/goal/", SEES),
        (f"{c}/support-plan/action/", SEES),
        (f"{c}/support-plan/review/", SEES),
        (f"{c}/support-plan/actions/{w['action'].pk}/", SEES),
        (f"{c}/support-plan/goals/{w['goal'].pk}/", SEES),
        (f"{c}/safety-plan/edit/", SEES),
        (f"{c}/safety-plan/share/", SEES),
    ]


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def counts() -> tuple[int, ...]:
    return (
        Snapshot.objects.count(),
        ClientChainEntry.objects.count(),
        SafeguardingConcern.objects.count(),
        SafeguardingReferral.objects.exclude(outcome_on=None).count(),
        Goal.objects.count(),
        PlanAction.objects.exclude(done_on=None).count(),
        SafetyPlan.objects.get().version,
        SafetyPlan.objects.get().shared_version or 0,
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
                assert strip(response.content) == strip(clients[role].get("/staff/nowhere/").content), (url, role)  # the same session's missing page
                assert b"Harriet" not in response.content and b"school gate" not in response.content
        for who in outsiders:
            response = signed_in(who).get(url)
            assert response.status_code == 404 and strip(response.content) == missing, (url, who)
        response = HttpClient().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url


def test_post_routes_refused_change_nothing_and_allowed_answer(world):
    clients = {role: signed_in(world["staff"][role].user) for role in ROLES}
    data = {"summary": "x" * 20, "subject": "child", "consent": "given", "agency": "mash", "note": "a note", "outcome": "done", "text": "t", "area": "safety"}
    before = counts()
    for url, allowed in post_routes(world):
        for role in set(ROLES) - allowed:
            assert clients[role].post(url, data).status_code == 404, (url, role)
        for who in (world["other_lead"].user, world["other_admin"].user, world["diary_user"]):
            assert signed_in(who).post(url, data).status_code == 404, url
        anonymous = HttpClient().post(url, data)
        assert anonymous.status_code == 302 and anonymous["Location"].startswith("/account/login/"), url
    assert counts() == before
    for url, allowed in post_routes(world):
        for role in allowed:
            response = clients[role].post(url, {"done_on": "not a date", "status": "nope", "share": "maybe"})
            assert response.status_code in (400, 404, 409), (url, role, response.status_code)
            assert response.status_code != 404 or url.endswith("/share/"), (url, role)  # an unknown choice is a missing page
    assert counts() == before  # empty or malformed forms save nothing


def test_every_page_is_accessible_and_csp_clean(world):
    for url, allowed in get_routes(world):
        role = sorted(allowed)[0]
        html = signed_in(world["staff"][role].user).get(url).content.decode()
        assert page_audit(html) == [], (url, page_audit(html))
        assert "Staff area" in html and "style=" not in html and "<script>" not in html


def test_restricted_client_break_glass_for_staff_not_named_and_missing_for_the_lead(world):
    lead = world["staff"][T]
    rita = make_referral(lead, full_name="Rita Restricted", restricted=True)
    services.referral_accept(staff=staff_of(lead), referral=rita)
    services.client_allocate(staff=staff_of(lead), client=rita.client, member=world["staff"][C])
    concern = safeguarding.concern_raise(staff=staff_of(lead), client=rita.client, subject="adult", summary="Restricted worry", consent="not_yet")
    base = f"/staff/kent/clients/{rita.client.pk}"
    assert signed_in(lead.user).get(f"{base}/care/").status_code == 200  # named on it
    assert signed_in(world["staff"][C].user).get(f"{base}/care/").status_code == 200  # allocation names the caseworker
    for role in (D,):
        response = signed_in(world["staff"][role].user).get(f"{base}/care/")
        assert response.status_code == 403 and b"Restricted worry" not in response.content and b"Rita" not in response.content
        assert signed_in(world["staff"][role].user).get(f"{base}/safeguarding/{concern.number}/").status_code == 403
    sl = signed_in(world["staff"][SL].user)
    assert sl.get(f"{base}/safeguarding/{concern.number}/").status_code == 404
    listing = sl.get("/staff/kent/safeguarding/").content
    assert concern.reference.encode() in listing and b"Rita" not in listing and b"Restricted worry" not in listing


def test_someone_elses_ids_are_missing(world):
    kent_worker = signed_in(world["staff"][T].user)
    fife = signed_in(world["other_lead"].user)
    mine = world["client"]
    assert fife.get(f"/staff/fife/clients/{mine.pk}/care/").status_code == 404
    assert fife.get(f"/staff/fife/clients/{mine.pk}/safeguarding/1/").status_code == 404
    assert fife.post(f"/staff/fife/clients/{mine.pk}/safety-plan/edit/", {"base_version": 1}).status_code == 404
    other = world["new"].client  # another client of the same organisation, with no concern, action or goal
    before = counts()
    assert kent_worker.get(f"/staff/kent/clients/{other.pk}/safeguarding/1/").status_code == 404
    assert kent_worker.post(f"/staff/kent/clients/{other.pk}/support-plan/actions/{world['action'].pk}/", {}).status_code == 404
    assert kent_worker.post(f"/staff/kent/clients/{other.pk}/support-plan/goals/{world['goal'].pk}/", {"status": "achieved"}).status_code == 404
    huge = 10**30
    for url in (
        f"/staff/kent/clients/{huge}/care/",
        f"/staff/kent/clients/{mine.pk}/safeguarding/{huge}/",
        f"/staff/kent/clients/{mine.pk}/safeguarding/1/referrals/{huge}/outcome/",
        f"/staff/kent/clients/{mine.pk}/support-plan/actions/{huge}/",
        f"/staff/kent/clients/{mine.pk}/safeguarding/1/unknown/",
        f"/staff/kent/clients/{mine.pk}/support-plan/nothing/",
    ):
        assert kent_worker.post(url, {"outcome": "x"}).status_code == 404, url
    assert counts() == before


def test_care_pages_log_every_read(world):
    worker = signed_in(world["staff"][C].user)
    before = AuditEvent.objects.filter(client=world["client"], action="care.viewed").count()
    for url, allowed in get_routes(world):
        if C in allowed and "/clients/" in url:
            worker.get(url)
    after = AuditEvent.objects.filter(client=world["client"], action="care.viewed").count()
    assert after - before >= 6
