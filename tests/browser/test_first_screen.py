"""The first screen on a 360 x 740 phone (issue 13, item 5), measured from the layout, not from a screenshot: on
every form a person fills in, the first field and the submit button end within the first 740 px; the pattern
page's first screen shows the summary sentence and the weekly chart. 999 and Exit stay on the first screen of
every page. Each run prints where the field and the button end, so a change to the layout can be measured."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from cases.services import create_case
from insights import synthetic
from tests.browser.conftest import no_horizontal_scroll, screenshot
from tests.factories import make_incident

pytestmark = pytest.mark.browser

SCREEN = 740
PHONE_740 = {"viewport": {"width": 360, "height": SCREEN}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}

# (name, address, first field, submit button, signed in)
FORMS = [
    ("quick note", "/cases/{case}/quick/", "#id_description", "button:has-text('Save note')", True),
    ("first note, no case", "/quick/", "#id_description", "button:has-text('Save note')", True),
    ("full incident", "/cases/{case}/incidents/new/", "#id_date", "button:has-text('Save incident')", True),
    ("start a case", "/cases/new/", "#id_label", "button:has-text('Start the case')", True),
    ("evidence upload", "/cases/{case}/evidence/add/", "#files", "button:has-text('Upload and seal')", True),
    # The screening's first field is its first question, with what the diary suggests and all of its answers.
    ("screening", "/cases/{case}/screening/new/daybook-indicators/", ".ins-question .govuk-radios", "button:has-text('Save this screening')", True),
    ("report", "/cases/{case}/reports/new/", "#id_date_from", "button:has-text('Make the report')", True),
    ("import", "/cases/{case}/imports/", "#export", "button:has-text('Upload and read the export')", True),
    ("sign up", "/account/signup/", "form input:not([type=hidden])", "button:has-text('Create account')", False),
    ("sign in", "/account/login/", "form input:not([type=hidden])", "button:has-text('Sign in')", False),
]


@pytest.fixture
def case(person):  # noqa: ANN001, ANN201
    case = create_case(person, label="Neighbour", relationship="ex_partner")
    make_incident(case, person, days_ago=2, description="He was outside my house", behaviours=["CONT.VISIT"])
    return case


def bottom_of(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


def top_of(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"]


def always_at_hand(page: Page, name: str) -> list[str]:
    """999 and Exit this page are on the first screen, and nothing scrolls sideways."""
    problems = []
    if bottom_of(page, "#exit-this-page") > SCREEN:
        problems.append(f"{name}: Exit this page is below the first screen")
    if bottom_of(page, ".db-helpbar a[href='tel:999']") > SCREEN:
        problems.append(f"{name}: 999 is below the first screen")
    width, inner = no_horizontal_scroll(page)
    if width > inner:
        problems.append(f"{name}: scrolls sideways ({width}px > {inner}px)")
    return problems


@pytest.mark.parametrize(("name", "url", "field", "button", "signed_in"), FORMS, ids=[f[0] for f in FORMS])
def test_first_screen_shows_the_field_and_its_button(browsing, person, case, name, url, field, button, signed_in):  # noqa: ANN001
    if name == "first note, no case":
        case.delete()
    page = browsing.page("phone", user=person if signed_in else None, **PHONE_740)
    page.goto(url.format(case=case.pk))
    page.wait_for_load_state("load")
    first_field, first_button = bottom_of(page, field), bottom_of(page, button)
    print(f"FIRST-SCREEN {name} (first page of the session): field ends at {first_field:.0f}px, button ends at {first_button:.0f}px")
    page.reload()  # any later page of the session: the one-line help bar when signed in
    page.wait_for_load_state("load")
    field_bottom, button_bottom = bottom_of(page, field), bottom_of(page, button)
    print(f"FIRST-SCREEN {name}: field ends at {field_bottom:.0f}px, button ends at {button_bottom:.0f}px (screen {SCREEN}px)")
    screenshot(page, f"first-screen-{name.replace(' ', '-').replace(',', '')}", full_page=False)
    # On a phone the button's strip stays at the foot of the window: the field must end above it to be seen.
    visible = min(SCREEN, top_of(page, ".db-actions"))
    problems = always_at_hand(page, name)
    if field_bottom > visible:
        problems.append(f"{name}: the first field ends at {field_bottom:.0f}px, below the first screen (or behind the button's strip at {visible:.0f}px)")
    if button_bottom > SCREEN:
        problems.append(f"{name}: the button ends at {button_bottom:.0f}px, below the first screen")
    assert not problems, "\n".join(problems)


def test_pattern_page_first_screen_shows_summary_and_chart(browsing, person):  # noqa: ANN001
    case = create_case(person, label="JB", relationship="ex_partner")
    synthetic.escalating_case().write(case, person)
    page = browsing.page("phone", user=person, **PHONE_740)
    page.goto(f"/cases/{case.pk}/pattern/")
    sentence, chart = bottom_of(page, "#summary .govuk-body-l"), top_of(page, "#summary svg")
    print(f"FIRST-SCREEN pattern: summary ends at {sentence:.0f}px, chart starts at {chart:.0f}px (screen {SCREEN}px)")
    screenshot(page, "first-screen-pattern", full_page=False)
    problems = always_at_hand(page, "pattern")
    if sentence > SCREEN:
        problems.append(f"pattern: the summary sentence ends at {sentence:.0f}px")
    if chart > SCREEN - 60:  # at least the top of the weekly chart shows
        problems.append(f"pattern: the weekly chart starts at {chart:.0f}px")
    assert not problems, "\n".join(problems)
