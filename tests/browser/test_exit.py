"""Exit this page: leaves at once for a neutral site, ends the session and leaves nothing behind the back button."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from cases.services import create_case
from tests.factories import make_incident

pytestmark = pytest.mark.browser

SECRET = "Parked outside my flat in a silver van"
LABEL = "Upstairs neighbour"
NEUTRAL = "https://www.bbc.co.uk/weather"


@pytest.fixture
def diary(person):  # noqa: ANN001, ANN201
    case = create_case(person, label=LABEL, relationship="ex_partner")
    make_incident(case, person, description=SECRET)
    return case


def browse_to_timeline(page: Page, case) -> None:  # noqa: ANN001
    page.goto("/")
    page.goto(f"/cases/{case.pk}/")
    page.goto(f"/cases/{case.pk}/timeline/")
    expect(page.locator(".db-incident").first).to_contain_text(SECRET)


def assert_left_nothing_behind(page: Page, case, guard) -> None:  # noqa: ANN001
    """On the neutral page; every step back shows no personal content; the session is over."""
    expect(page).to_have_title("Weather forecast")
    assert guard.exits and guard.exits[-1].startswith(NEUTRAL), "the server did not send the person to the neutral site"
    assert not any(c["name"] == "sessionid" for c in page.context.cookies()), "the session cookie survived the exit"
    seen = []
    for _ in range(5):
        before = page.url
        page.go_back(wait_until="load")
        if page.url == before:
            break
        seen.append(page.url)
        body = page.locator("body").inner_text()
        assert SECRET not in body, f"the back button showed the diary at {page.url}"
        assert LABEL not in body, f"the back button showed the case name at {page.url}"
        assert "Timeline" not in page.title()
    for url in seen:
        if urlsplit(url).path.startswith("/cases/"):
            raise AssertionError(f"a case page was shown again after going back: {url}")
    response = page.goto(f"/cases/{case.pk}/timeline/")
    assert response is not None
    assert "/account/login/" in page.url, f"the timeline did not ask for sign-in: {page.url}"
    assert SECRET not in page.locator("body").inner_text()


def test_exit_button_leaves_and_ends_the_session(browsing, person, diary):  # noqa: ANN001
    ctx, guard = browsing.context("phone", user=person)
    page = ctx.new_page()
    browse_to_timeline(page, diary)
    page.get_by_role("button", name="Exit this page").tap()
    expect(page).to_have_title("Weather forecast")
    assert_left_nothing_behind(page, diary, guard)


def test_pressing_shift_three_times_exits(browsing, person, diary):  # noqa: ANN001
    ctx, guard = browsing.context("desktop", user=person)
    page = ctx.new_page()
    browse_to_timeline(page, diary)
    page.get_by_text(SECRET).click()  # the page has focus, as it would after reading it
    page.go_back()
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page).to_have_title("Weather forecast")
    assert_left_nothing_behind(page, diary, guard)


def test_exit_works_without_javascript(browsing, person, diary):  # noqa: ANN001
    ctx, guard = browsing.context("phone", user=person, java_script_enabled=False)
    page = ctx.new_page()
    browse_to_timeline(page, diary)
    page.get_by_role("button", name="Exit this page").click()
    expect(page).to_have_title("Weather forecast")
    assert guard.exits
    # Without JavaScript the timeline stays in the history, but going back reloads it (no-store): sign-in only.
    page.go_back(wait_until="load")
    assert SECRET not in page.locator("body").inner_text()
    assert "/account/login/" in page.url
    assert_left_nothing_behind_session(page, diary)


def assert_left_nothing_behind_session(page: Page, case) -> None:  # noqa: ANN001
    page.goto(f"/cases/{case.pk}/timeline/")
    assert "/account/login/" in page.url
