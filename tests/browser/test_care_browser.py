"""care in a real browser (Chromium), phone (360x740) and desktop: a caseworker raises a safeguarding concern and
makes a referral, then makes a safety plan and opens its printable copy; axe-core finds nothing on any care page,
no inline script, no CSP violation (the browsing fixture), no sideways scrolling on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from playwright.sync_api import expect

from care.models import SafeguardingReferral, SafetyPlan
from care.testing import make_world
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


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_safeguarding_referral_and_safety_plan(browsing: Browsing, transactional_db, kind):  # noqa: ANN001
    w = make_world()
    client = w["client"]
    base = f"/staff/kent/clients/{client.pk}"
    phone = kind == "phone"
    problems: list[str] = []
    page = staff_page(browsing, kind, w["staff"][Role.CASEWORKER].user)
    # Raise a concern and make a referral to the MASH.
    page.goto(f"{base}/care/")
    problems += page_problems(page, "care overview", phone)
    page.get_by_role("link", name="Raise a safeguarding concern").click()
    problems += page_problems(page, "raise a concern", phone)
    page.get_by_role("button", name="Raise the concern").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(1)
    problems += page_problems(page, "raise a concern with errors", phone)
    page.get_by_label("A child", exact=True).check()
    page.get_by_label("What is the concern?").fill("The suspect waited outside the nursery.")
    page.get_by_label("Child's name").fill("Ava")
    page.get_by_role("button", name="Raise the concern").click()
    page.wait_for_load_state("load")
    assert "The safeguarding lead has been told" in page.content()
    problems += page_problems(page, "concern", phone)
    page.get_by_label("Multi-agency safeguarding hub (MASH)").check()
    page.get_by_role("button", name="Record the referral").click()
    assert SafeguardingReferral.objects.filter(concern__client=client, agency="mash").count() == 1
    problems += page_problems(page, "concern with a referral", phone)
    for url in ("needs/", "support-plan/", "care/verify/"):
        page.goto(f"{base}/{url}")
        problems += page_problems(page, url, phone)
    page.goto("/staff/kent/plans-due/")
    problems += page_problems(page, "plans due", phone)
    # The safety plan: a new version, then the printable copy without the marked section.
    page.goto(f"{base}/safety-plan/")
    problems += page_problems(page, "safety plan", phone)
    page.get_by_role("link", name="Change the plan").click()
    problems += page_problems(page, "safety plan form", phone)
    page.get_by_label("Review the plan on").fill((dt.date.today() + dt.timedelta(days=21)).isoformat())
    page.get_by_label("At home").fill("Chain on the door; ask workmen for ID.")
    page.get_by_role("button", name="Save a new version").click()
    assert SafetyPlan.objects.get(client=client).version == 2
    page.get_by_role("link", name="Printable copy").click()
    problems += page_problems(page, "print", phone)
    assert "Chain on the door" in page.content() and "4 Elm Road" not in page.content()
    page.emulate_media(media="print")
    assert not page.locator(".db-print__controls").is_visible()
    # The safeguarding lead's list and review.
    lead = staff_page(browsing, kind, w["staff"][Role.SAFEGUARDING_LEAD].user)
    lead.goto("/staff/kent/safeguarding/")
    problems += page_problems(lead, "lead list", phone)
    lead.goto(f"{base}/safeguarding/2/")
    lead.get_by_label("Your review").fill("Agreed; MASH referral made.")
    lead.get_by_role("button", name="Record the review").click()
    lead.wait_for_load_state("load")
    assert "Agreed; MASH referral made." in lead.content()
    problems += page_problems(lead, "lead review", phone)
    assert not problems, "\n".join(problems)
