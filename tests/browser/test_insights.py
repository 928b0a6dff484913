"""The pattern overview, the risk screening and the FOUR check in a real browser, at phone (360x640) and desktop
(1280x800) widths: axe-core finds nothing, nothing scrolls sideways on the phone, no inline script, links to incidents
work, a screening is answered and kept, and the printable summary prints without the site's chrome."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cases.services import create_case, save_crime_reference, save_order
from insights import synthetic
from insights.models import Screening
from tests.browser.conftest import page_problems, screenshot

pytestmark = pytest.mark.browser

OPEN_DETAILS = "() => document.querySelectorAll('details').forEach(d => d.open = true)"


@pytest.fixture
def case(person):  # noqa: ANN001, ANN201
    case = create_case(person, label="JB", relationship="ex_partner", suspect_name="J. Bloggs")
    order = save_order(case, person, None, order_type="restraining", conditions="No contact")
    save_crime_reference(case, person, None, reference="KT/12345/26", force="Kent Police")
    syn = synthetic.escalating_case()
    syn.write(case, person, order=order)
    case.syn = syn
    return case


def check(page: Page, name: str, kind: str, problems: list[str]) -> None:
    problems += page_problems(page, name, kind == "phone")


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_overview(browsing, person, case, kind):  # noqa: ANN001
    problems: list[str] = []
    page = browsing.page(kind, user=person, axe=True)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="See the pattern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The pattern")
    check(page, "overview", kind, problems)
    page.evaluate(OPEN_DETAILS)  # every chart's table and every "why" open
    check(page, "overview, tables open", kind, problems)
    screenshot(page, f"insights-overview-{kind}")
    # Each chart has a text alternative: an SVG with a title and description, and a table.
    expect(page.locator("svg.ins-chart[role=img]")).to_have_count(7)
    expect(page.locator("figure .govuk-table")).to_have_count(7)
    # A finding's incident opens the incident.
    night = sorted(case.syn.truth["night"])[0]
    page.locator("#finding-night").locator("xpath=..").get_by_role("link", name=f"Incident {night}", exact=False).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Incident {night}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("kind", "instrument"), [("phone", "daybook-indicators"), ("desktop", "sdash-2009")])
def test_screening_answered_kept_and_printed(browsing, person, case, kind, instrument):  # noqa: ANN001
    problems: list[str] = []
    page = browsing.page(kind, user=person, axe=True)
    page.goto(f"/cases/{case.pk}/screening/")
    check(page, "screening index", kind, problems)
    page.goto(f"/cases/{case.pk}/screening/new/{instrument}/")
    check(page, "screening form", kind, problems)
    screenshot(page, f"insights-screening-form-{kind}")
    # Sending it with nothing chosen: every question is refused, with a summary that links to it.
    page.get_by_role("button", name="Save this screening").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert page.locator(".govuk-error-summary__list li").count() == (13 if instrument == "daybook-indicators" else 11)
    check(page, "screening form with errors", kind, problems)
    # Answer: take the diary's suggestion where there is one, "I don't know" elsewhere.
    for fieldset in page.locator("fieldset").all():
        suggestion = fieldset.locator(".ins-suggestion").inner_text()
        value = "yes" if "suggests: Yes" in suggestion else "no" if "suggests: No" in suggestion else "unknown"
        fieldset.locator(f"input[value={value}]").check()
    page.get_by_label("Anything else about what is going on (optional)").fill("He knows where I work.")
    page.get_by_role("button", name="Save this screening").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Screening of")
    check(page, "screening outcome", kind, problems)
    expect(page.get_by_role("heading", name="A partner or ex-partner who has made threats")).to_be_visible()
    expect(page.get_by_text("KT/12345/26").first).to_be_visible()
    screenshot(page, f"insights-screening-outcome-{kind}")
    assert Screening.objects.filter(case=case, instrument=instrument).count() == 1
    page.get_by_role("button", name="Printable summary for the police").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stalking risk screening: summary")
    check(page, "printable summary", kind, problems)
    page.emulate_media(media="print")
    assert page.locator("#exit-this-page").is_hidden() and page.locator(".db-header").is_hidden()
    expect(page.locator(".ins-print-only")).to_be_visible()
    screenshot(page, f"insights-screening-print-{kind}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_four_check_signed_out(browsing, kind):  # noqa: ANN001
    problems: list[str] = []
    page = browsing.page(kind, axe=True)
    page.goto("/check/")
    check(page, "FOUR check", kind, problems)
    page.get_by_role("button", name="See what this means").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check(page, "FOUR check with errors", kind, problems)
    for name in ["fixated", "obsessive", "unwanted", "repeated"]:
        page.locator(f"#id_{name}_0").check()
    page.get_by_role("button", name="See what this means").click()
    expect(page.get_by_text("sounds like stalking or harassment")).to_be_visible()
    check(page, "FOUR check result", kind, problems)
    screenshot(page, f"insights-four-{kind}")
    assert not problems, "\n".join(problems)
