"""A daily file being read in the background, in a real browser (phone and desktop): the progress bar page passes
axe with no inline script and no CSP violation, and its script (a file) reloads the page by itself when the worker
has finished, showing the counts and the rejected rows to return to the force."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casework import feedjobs
from casework.models import FeedStatus, FeedUpload
from organisations.models import DataSharingAgreement, Role
from organisations.services import api_credential_issue
from organisations.testing import make_org, make_staff
from tests.browser.conftest import Browsing, page_problems
from tests.browser.test_staff_a11y import staff_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_progress_page_follows_the_worker(browsing: Browsing, transactional_db, kind, monkeypatch, tmp_path):  # noqa: ANN001
    monkeypatch.setattr(feedjobs, "enqueue", lambda upload: None)  # the test is the worker
    org = make_org("Kent Victim Hub", "ENG", "kent")
    agreement = DataSharingAgreement.objects.create(
        organisation=org, name="Police protocol", partner="Kent Police", lawful_basis="public_task", starts_on="2026-01-01"
    )
    cred, _ = api_credential_issue(organisation=org, agreement=agreement, sender="Kent Police VCU", force="Kent Police")
    intake = make_staff(org, Role.INTAKE, "Ina Intake")
    phone = kind == "phone"
    page = staff_page(browsing, kind, intake.user)
    page.goto("/staff/kent/feeds/")
    data = tmp_path / "feed.csv"
    data.write_text("crime_reference,consent,full_name\nKP/1/1,explicit,Fay Filed\nKP/1/2,nonsense,=SUM(A1)\n")
    page.get_by_label("Which police sender", exact=False).select_option(label=str(cred))
    page.locator("#id_file").set_input_files(str(data))
    page.get_by_role("button", name="Take in the file").click()
    page.wait_for_url("**/staff/kent/feeds/*/")
    upload = FeedUpload.objects.get()
    assert upload.status == FeedStatus.QUEUED
    expect(page.locator("progress")).to_have_count(1)
    problems = page_problems(page, "feed progress", phone)
    feedjobs.feed_process(upload.pk)
    page.get_by_text("Rows rejected").wait_for(timeout=15000)  # reloaded by kernel/progress.js
    expect(page.locator("progress")).to_have_count(0)
    problems += page_problems(page, "feed done", phone)
    assert not problems, "\n".join(problems)
