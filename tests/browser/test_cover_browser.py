"""cover in a real browser (Chromium), phone (360x740) and desktop: a caseworker plans a home visit, records a risk
to staff and a handover note; the visit's check-in is missed, the duty screen escalates it; the team lead grants
cover. axe-core finds nothing on any page, no inline script, no CSP violation, no sideways scrolling on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from care.testing import make_world
from casework.models import Alert, AlertKind
from cover.models import CoverGrant, HandoverNote, StaffRisk, Visit
from organisations.models import Role
from organisations.testing import signed_in
from tests.browser.conftest import Browsing, page_problems

pytestmark = pytest.mark.browser
SIZES = {"phone": {"viewport": {"width": 360, "height": 740}}, "desktop": {}}


def staff_page(browsing: Browsing, kind: str, user):  # noqa: ANN001, ANN201
    ctx, _guard = browsing.context(kind, axe=True, **SIZES[kind])
    cookie = signed_in(user).cookies[settings.SESSION_COOKIE_NAME]
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": browsing.origin, "httpOnly": True, "sameSite": "Lax"}])
    return ctx.new_page()


def local(when: dt.datetime) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_visit_risk_handover_escalation_and_cover(browsing: Browsing, transactional_db, kind):  # noqa: ANN001
    w = make_world()
    client = w["client"]
    phone = kind == "phone"
    problems: list[str] = []
    worker = staff_page(browsing, kind, w["staff"][Role.CASEWORKER].user)
    worker.goto(f"/staff/kent/clients/{client.pk}/")
    worker.get_by_role("link", name="Handover notes, visits and risks to staff").click()
    problems += page_problems(worker, "client cover page", phone)
    worker.get_by_label("Dangerous dogs").check()
    worker.get_by_role("button", name="Record risk to staff").click()
    assert StaffRisk.objects.filter(client=client).count() == 1
    expect(worker.get_by_role("region", name="Risk to staff")).to_have_count(1)
    worker.get_by_label("Handover note").fill("Calls after 6pm only; the sister is the safe contact.")
    worker.get_by_role("button", name="Add handover note").click()
    assert HandoverNote.objects.filter(client=client).count() == 1
    start = timezone.now() - dt.timedelta(minutes=30)
    worker.get_by_label("Home visit").check()
    worker.get_by_label("Starts", exact=True).fill(local(start))
    worker.get_by_label("Ends (check out by then)").fill(local(start + dt.timedelta(hours=1)))
    worker.get_by_label("Where", exact=True).fill("12 Acacia Avenue")
    worker.get_by_role("button", name="Plan the visit").click()
    assert Visit.objects.filter(client=client).count() == 1
    problems += page_problems(worker, "client cover page with a visit", phone)
    worker.goto("/staff/kent/visits/")
    problems += page_problems(worker, "my visits", phone)
    # Nobody checked in: the duty screen escalates it.
    lead = staff_page(browsing, kind, w["staff"][Role.TEAM_LEAD].user)
    lead.goto("/staff/kent/duty/")
    problems += page_problems(lead, "duty screen", phone)
    assert Alert.objects.filter(kind=AlertKind.MISSED_CHECK_IN).count() == 1
    assert "did not check in" in lead.content()
    lead.get_by_label("Day", exact=True).fill(timezone.localdate().isoformat())
    lead.get_by_label("Duty worker").select_option(value=str(w["staff"][Role.DUTY_WORKER].pk))
    lead.get_by_role("button", name="Save duty worker").click()
    problems += page_problems(lead, "duty screen after setting the rota", phone)
    lead.goto("/staff/kent/cover/")
    problems += page_problems(lead, "cover grants", phone)
    lead.get_by_label("Who covers").select_option(value=str(w["staff"][Role.DUTY_WORKER].pk))
    lead.get_by_label("Whose clients").select_option(value=str(w["staff"][Role.CASEWORKER].pk))
    lead.get_by_label("From", exact=True).fill(local(timezone.now()))
    lead.get_by_label("Until", exact=True).fill(local(timezone.now() + dt.timedelta(days=2)))
    lead.get_by_label("Reason").fill("Annual leave")
    lead.get_by_role("button", name="Grant cover").click()
    assert CoverGrant.objects.count() == 1
    problems += page_problems(lead, "cover granted", phone)
    for url in ("/staff/kent/reallocate/", "/staff/kent/supervision/"):
        lead.goto(url)
        problems += page_problems(lead, url, phone)
    assert problems == []
