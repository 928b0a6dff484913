"""The staff area in a real browser (Chromium) at phone and desktop widths: axe-core finds nothing, no inline
script, no CSP violation (checked by the browsing fixture), no sideways scrolling on a phone."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from casework import services
from casework.models import ContactOutcome
from casework.testing import make_referral, staff_of
from organisations.models import DataSharingAgreement, Role
from organisations.testing import make_org, make_staff, signed_in
from tests.browser.conftest import Browsing, page_problems

pytestmark = pytest.mark.browser


def staff_page(browsing: Browsing, kind: str, user):  # noqa: ANN001, ANN201
    """A page whose session has used two-step verification (staff pages need it)."""
    ctx, _guard = browsing.context(kind, axe=True)
    cookie = signed_in(user).cookies[settings.SESSION_COOKIE_NAME]
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": browsing.origin, "httpOnly": True, "sameSite": "Lax"}])
    return ctx.new_page()


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_staff_pages_pass_axe(browsing: Browsing, transactional_db, kind):  # noqa: ANN001
    org = make_org("Kent Victim Hub", "ENG", "kent")
    lead = make_staff(org, Role.TEAM_LEAD, "Lee Lead")
    worker = make_staff(org, Role.CASEWORKER, "Cas Worker")
    admin = make_staff(org, Role.ORG_ADMIN, "Ada Admin")
    auditor = make_staff(org, Role.AUDITOR, "Aud Itor")
    DataSharingAgreement.objects.create(organisation=org, name="Kent Police DSA", partner="Kent Police", lawful_basis="public_task", starts_on="2026-01-01")
    new = make_referral(lead, full_name="Nina Newref", phones=["07700 900111"], suspect_name="Sam Suspect")
    make_referral(lead, full_name="Nina Newref", phones=["07700 900111"], received_at=timezone.now() - timezone.timedelta(days=10))
    held = make_referral(lead, full_name="Harriet Held")
    services.referral_accept(staff=staff_of(lead), referral=held)
    services.contact_attempt_record(staff=staff_of(lead), referral=held, at=timezone.now(), channel="phone", outcome=ContactOutcome.SUSPECT_ANSWERED)
    restricted = make_referral(worker, full_name="Rita Restricted", restricted=True)
    pages = {
        lead: [
            "/staff/kent/",
            "/staff/kent/queue/",
            f"/staff/kent/referrals/{new.pk}/",
            "/staff/kent/referrals/new/",
            "/staff/kent/clients/",
            f"/staff/kent/clients/{held.client.pk}/",
            f"/staff/kent/clients/{held.client.pk}/allocate/",
            "/staff/kent/alerts/",
            "/staff/kent/me/connections/",
        ],
        admin: ["/staff/kent/people/", "/staff/kent/settings/", "/staff/kent/agreements/"],
        auditor: [f"/staff/kent/access-log/?member={lead.pk}"],
    }
    problems: list[str] = []
    phone = kind == "phone"
    for member, urls in pages.items():
        page = staff_page(browsing, kind, member.user)
        for url in urls:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            problems += page_problems(page, url, phone)
    # The break-glass page (403) and a form with errors.
    page = staff_page(browsing, kind, lead.user)
    response = page.goto(f"/staff/kent/clients/{restricted.client.pk}/")
    assert response is not None and response.status == 403
    problems += page_problems(page, "break-glass", phone)
    # The 403 is the expected answer here (restriction beats role); the guard would count it as a failure.
    guard = browsing.guard_of(page)
    guard.bad_status = [s for s in guard.bad_status if f"/clients/{restricted.client.pk}/" not in s]
    page.goto("/staff/kent/referrals/new/")
    page.get_by_role("button", name="Record referral").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(1)
    problems += page_problems(page, "referral form with errors", phone)
    assert not problems, "\n".join(problems)
