"""Keyboard only: the first two Tab stops are "Skip to main content" and "Exit this page", every stop shows where
focus is, and a quick note can be written and saved without a mouse or touch."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from cases.services import create_case
from tests.browser.conftest import run_axe

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none';
    return {tag: el.tagName.toLowerCase(), id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 60),
            name: el.getAttribute('name'), visible};
}"""


def tab(page: Page) -> dict:
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert focused is not None, f"Tab left the page at {page.url}"
    assert focused["visible"], f"no visible focus indicator on {focused}"
    return focused


@pytest.fixture
def case(person):  # noqa: ANN001, ANN201
    return create_case(person, label="Neighbour", relationship="ex_partner")


@pytest.mark.parametrize("url", ["/", "/account/login/"])
def test_first_tab_stops_are_skip_link_then_exit(browsing, person, case, url):  # noqa: ANN001
    page = browsing.page("desktop", user=person if url == "/" else None)
    page.goto(url)
    first = tab(page)
    assert first["text"] == "Skip to main content"
    second = tab(page)
    assert second["id"] == "exit-this-page" and "Exit this page" in second["text"]


def test_quick_capture_with_the_keyboard_only(browsing, person, case):  # noqa: ANN001
    page = browsing.page("desktop", user=person)
    page.goto("/")
    presses = 0

    # Through the header to "Quick note".
    for _ in range(12):
        focused = tab(page)
        presses += 1
        if focused["tag"] == "a" and focused["text"] == "Quick note":
            break
    else:
        raise AssertionError("never reached the Quick note link")
    page.keyboard.press("Enter")
    presses += 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick note")
    page.wait_for_load_state("load")  # GOV.UK Frontend's skip link script has started

    # Skip link, then the first field in the page is "What happened".
    assert tab(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    focused = tab(page)
    presses += 3
    assert focused["name"] == "description", f"first field after skipping is {focused}"
    page.keyboard.type("Sat in his car opposite my door for an hour")
    presses += 1

    for _ in range(12):
        focused = tab(page)
        presses += 1
        if focused["tag"] == "button" and focused["text"] == "Save note":
            break
    else:
        raise AssertionError("never reached the Save note button")
    page.keyboard.press("Enter")
    presses += 1

    expect(page.get_by_text("Saved as incident 1")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident 1")  # lands on the saved note
    expect(page.locator("main")).to_contain_text("Sat in his car opposite my door for an hour")
    print(f"keyboard quick capture: {presses} key presses and one typed sentence")
    assert presses <= 25


def test_phone_menu_with_the_keyboard_only(browsing, person, case):  # noqa: ANN001
    """On a phone the header is one row: the links fold behind "Menu", a button that Enter opens and Escape closes
    (focus back on the button), every stop with a visible focus, and axe-core finds nothing with it open or closed."""
    page = browsing.page("phone", user=person)
    page.goto("/")
    page.wait_for_load_state("load")
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#db-nav").get_by_role("link", name="My cases")).to_be_hidden()
    expect(page.locator(".db-header").get_by_role("link", name="Quick note")).to_be_visible()
    assert not run_axe(page)
    header = page.locator(".db-header").bounding_box()
    assert header is not None and header["height"] <= 64, f"the phone header is {header} high: more than one row"

    stops = [tab(page)["text"] for _ in range(4)]
    assert stops[0] == "Skip to main content" and "Exit this page" in stops[1] and stops[3] == "Quick note", stops
    focused = tab(page)
    assert focused["tag"] == "button" and focused["text"] == "Menu", f"after {stops}: {focused}"
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    assert not run_axe(page)
    texts = [tab(page)["text"] for _ in range(4)]
    assert texts == ["My cases", "Get help", "Account", "Sign out"], texts  # Quick note is beside the button
    page.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    assert page.evaluate(FOCUSED)["text"] == "Menu"
    expect(page.locator("#db-nav").get_by_role("link", name="My cases")).to_be_hidden()

    # Open again and follow a link: Enter on "Get help" opens the help page.
    page.keyboard.press("Space")
    tab(page)
    tab(page)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help")


def test_desktop_keeps_the_links_in_view(browsing, person, case):  # noqa: ANN001
    page = browsing.page("desktop", user=person)
    page.goto("/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator(".db-header").get_by_role("link", name="Quick note")).to_be_visible()
