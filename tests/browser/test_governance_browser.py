"""governance in a real browser (Chromium), phone and desktop: a team lead meets the closure refusals, closes a
record through the checklist, reopens it, then opens the records page, the subject access pack and the return;
axe-core finds nothing on any page, no inline script, no CSP violation, no sideways scrolling on a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from care import plans, safeguarding
from care.testing import make_world
from casework.models import ClientStatus
from casework.testing import staff_of
from organisations.models import Role
from tests.browser.conftest import Browsing, page_problems, screenshot
from tests.browser.test_care_browser import staff_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_closure_and_subject_access_pack(browsing: Browsing, transactional_db, kind):  # noqa: ANN001
    w = make_world()
    client = w["client"]
    base = f"/staff/kent/clients/{client.pk}"
    phone = kind == "phone"
    problems: list[str] = []
    page = staff_page(browsing, kind, w["staff"][Role.TEAM_LEAD].user)
    page.goto(f"{base}/closure/")
    assert "This record cannot be closed yet" in page.content()
    problems += page_problems(page, "closure refused", phone)
    worker = staff_of(w["staff"][Role.CASEWORKER])
    plans.action_done(staff=worker, action=w["action"], done_on=timezone.localdate())
    safeguarding.referral_outcome(staff=worker, referral=w["referral"], outcome="Social worker visited", outcome_on=timezone.localdate())
    w["concern"].refresh_from_db()
    safeguarding.concern_close(staff=worker, concern=w["concern"], outcome="Children's social care took it on")
    page.goto(f"{base}/closure/")
    page.get_by_role("button", name="Close the record").click()
    page.wait_for_load_state("load")
    expect(page.locator(".govuk-error-summary")).to_have_count(1)
    problems += page_problems(page, "closure with errors", phone)
    page.get_by_label("Their needs were met, or they were referred on").check()
    page.get_by_label("The safety plan was reviewed with them").check()
    page.get_by_label("They were told they can come back at any time").check()
    page.get_by_label("Why support is ending").fill("Safe now and moved away")
    page.get_by_label("If no outcome measures were taken at the end of support, why not").fill("Moved before we could meet")
    page.get_by_role("button", name="Close the record").click()
    page.wait_for_load_state("load")
    client.refresh_from_db()
    assert client.status == ClientStatus.CLOSED
    problems += page_problems(page, "closed", phone)
    page.get_by_label("Reason").fill("He found the new address")
    page.get_by_role("button", name="Reopen").click()
    page.wait_for_load_state("load")
    client.refresh_from_db()
    assert client.status == ClientStatus.OPEN and "Safe now and moved away" in page.content()
    page.goto(f"{base}/records/")
    problems += page_problems(page, "records", phone)
    page.get_by_role("link", name="Subject access pack (printable, other people redacted)").click()
    page.wait_for_load_state("load")
    assert "Harriet Held" in page.content() and "Sam Suspect" not in page.content()
    problems += page_problems(page, "subject access pack", phone)
    for url in (
        f"{base}/records/chronology/",
        f"{base}/rights/",
        f"{base}/equality/",
        "/staff/kent/returns/",
        "/staff/kent/records/",
        "/staff/kent/retention/",
        "/staff/kent/closures/",
    ):
        page.goto(url)
        problems += page_problems(page, url, phone)
        screenshot(page, f"governance-{kind}-{url.strip('/').replace('/', '-')}")
    assert problems == []
