"""The import flow in a real browser on a phone (360x640): upload a synthetic WhatsApp export, see the detected format
and the participants, pick the suspect, run, see the result and the incidents on the timeline. Every page passes
axe-core, has no inline script and does not scroll sideways; screenshots at phone and desktop size."""

from __future__ import annotations

import pytest

browser_fixtures = pytest.importorskip("tests.browser.conftest", reason="tests/browser/conftest.py (the browser fixtures) is not present")

from playwright.sync_api import Page, expect  # noqa: E402

from cases.services import create_case  # noqa: E402
from diary.models import Incident  # noqa: E402
from imports.models import Import  # noqa: E402
from imports.synthetic import whatsapp  # noqa: E402

pytestmark = pytest.mark.browser

screenshot = browser_fixtures.screenshot


@pytest.fixture
def case(person):  # noqa: ANN001, ANN201
    return create_case(person, label="Ex", relationship="ex_partner")


def check_page(page: Page, name: str, problems: list[str], phone: bool) -> None:
    problems += browser_fixtures.page_problems(page, name, phone)
    screenshot(page, f"imports-{name}-{'phone' if phone else 'desktop'}")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_whatsapp_import_flow(browsing, person, case, kind):  # noqa: ANN001
    sample = whatsapp(80, seed=3)
    top = sample.expected.senders.most_common(1)[0][0]
    phone = kind == "phone"
    problems: list[str] = []
    page = browsing.page(kind, user=person, axe=True)
    page.goto(f"/cases/{case.pk}/imports/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import messages and calls")
    check_page(page, "start", problems, phone)
    page.locator("input[type=file]").set_input_files([{"name": sample.name, "mimeType": "text/plain", "buffer": sample.data}])
    page.get_by_role("button", name="Upload and read the export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose what to import")
    expect(page.locator("main")).to_contain_text("WhatsApp chat export")
    check_page(page, "choose", problems, phone)
    page.get_by_label(f"{top}\u2069:", exact=False).first.check()
    # An empty form first: a clear message, nothing started.
    page.get_by_label("From (optional)").fill("2030-01-01")
    page.get_by_label("To (optional)").fill("2020-01-01")
    page.get_by_role("button", name="Import").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The 'to' date must be the same as or after the 'from' date")
    check_page(page, "choose-error", problems, phone)
    page.get_by_label("From (optional)").fill("")
    page.get_by_label("To (optional)").fill("")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import finished")
    check_page(page, "result", problems, phone)
    job = Import.objects.get(case=case)
    made = Incident.objects.filter(case=case).count()
    assert job.status == "done" and made == job.stats["incidents_created"] > 0
    page.get_by_role("link", name="See the entries on your timeline").click()
    expect(page.locator("main")).to_contain_text("WhatsApp message")
    check_page(page, "timeline", problems, phone)
    page.goto(f"/cases/{case.pk}/imports/{job.pk}/undo/")
    check_page(page, "undo", problems, phone)
    page.get_by_role("button", name="Undo the import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("This import was undone")
    assert Incident.objects.filter(case=case, retracted=False).count() == 0
    assert not problems, "\n".join(problems)
