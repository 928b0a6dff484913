"""Making a report in a real browser: choose the options, watch it being made by the real background worker, download
the PDF and the bundle, make a hand-over link and use it as an officer would; axe-core finds nothing on any page."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import Page, expect

from cases.services import create_case, save_crime_reference
from evidence.services import ingest
from reports.models import Report
from tests.browser.conftest import page_problems, screenshot
from tests.factories import make_incident

pytestmark = pytest.mark.browser


@pytest.fixture
def case(person):  # noqa: ANN001, ANN201
    case = create_case(person, label="JB", relationship="ex_partner", suspect_name="J. Bloggs")
    save_crime_reference(case, person, None, reference="KT/12345/26", force="Kent Police")
    for days, text in ((5, "He waited at the school gate"), (3, "Eleven texts before breakfast"), (1, "Flowers on the car")):
        make_incident(case, person, days_ago=days, description=text, feelings="Frightened", impact="Stayed home")
    ingest(case, person, [b"a screenshot" * 50], name="texts.png")
    return case


def check(page: Page, name: str, kind: str, problems: list[str]) -> None:
    problems += page_problems(page, name, kind == "phone")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_make_watch_download_and_hand_over(browsing, person, case, kind):  # noqa: ANN001
    problems: list[str] = []
    page = browsing.page(kind, user=person, axe=True)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="Make or hand over a report").click()
    check(page, "reports", kind, problems)
    page.get_by_role("button", name="Make a report").click()
    check(page, "new report", kind, problems)
    page.get_by_label("Your name, as you want it on the report (optional)").fill("Sam")
    page.get_by_role("button", name="Make the report").click()

    # The background worker has not picked it up yet: the page says so and follows it.
    expect(page.get_by_text("Waiting to start")).to_be_visible()
    expect(page.locator("progress")).to_be_visible()
    check(page, "report progress", kind, problems)
    screenshot(page, f"report-progress-{kind}")
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    # The page notices by itself (progress.js polls the status) and shows the finished report.
    expect(page.get_by_role("heading", name="Ready")).to_be_visible(timeout=30_000)
    check(page, "report ready", kind, problems)
    screenshot(page, f"report-ready-{kind}")

    with page.expect_download() as pdf_download:
        page.get_by_role("button", name="Download the report (PDF", exact=False).click()
    assert open(pdf_download.value.path(), "rb").read(5) == b"%PDF-"
    with page.expect_download() as bundle_download:
        page.get_by_role("button", name="Download the evidence bundle", exact=False).click()
    with zipfile.ZipFile(io.BytesIO(open(bundle_download.value.path(), "rb").read())) as archive:
        assert "SHA256SUMS" in archive.namelist()

    # A hand-over link for an officer.
    page.get_by_label("Who is it for?").fill("DC Khan, Kent Police")
    page.get_by_label("3 days").check()
    page.get_by_role("button", name="Make a hand-over link").click()
    link = page.locator("[data-new-link]").inner_text().strip()
    check(page, "hand-over made", kind, problems)
    officer = browsing.page(kind, axe=True)
    officer.goto(link)
    expect(officer.get_by_role("heading", level=1)).to_have_text("A report has been handed over to you")
    check(officer, "hand-over landing", kind, problems)
    with officer.expect_download() as officer_download:
        officer.get_by_role("button", name="Download the report (PDF", exact=False).click()
    assert open(officer_download.value.path(), "rb").read(5) == b"%PDF-"
    page.reload()
    expect(page.get_by_role("heading", name="For DC Khan, Kent Police")).to_be_visible()
    expect(page.get_by_text("the report, from 127.0.0.1", exact=False)).to_be_visible()

    # Stopping it: the officer's page no longer works, and shows nothing of the report.
    page.get_by_role("button", name="Stop this link").click()
    response = officer.goto(link)
    assert response.status == 410
    expect(officer.get_by_role("heading", level=1)).to_have_text("This link is not available")
    check(officer, "hand-over stopped", kind, problems)
    report = Report.objects.get(case=case)
    assert report.pdf_sha256 not in officer.content()
    assert not problems, "\n".join(problems)


def test_impact_page(browsing, person, case):  # noqa: ANN001
    problems: list[str] = []
    page = browsing.page("phone", user=person, axe=True)
    page.goto(f"/cases/{case.pk}/reports/impact/")
    expect(page.get_by_role("heading", level=1)).to_have_text("How it has affected you")
    expect(page.get_by_text("Frightened").first).to_be_visible()
    check(page, "impact", "phone", problems)
    assert not problems, "\n".join(problems)
