"""Exit then Back on a phone (issue 11, item 10): after searching the timeline and opening an incident and an
exhibit, Exit; going back shows nothing the person wrote, and no address or title the browser kept holds a search
word, a case or incident number, or a reference the person typed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from cases.services import create_case
from tests.factories import make_incident

pytestmark = pytest.mark.browser

SECRET = "Left a dead bird on the doormat"
SEARCH = "doormat"


@pytest.fixture
def diary(person):  # noqa: ANN001, ANN201
    case = create_case(person, label="Flat 2", relationship="ex_partner")
    make_incident(case, person, description=SECRET)
    make_incident(case, person, description="Rang twice from a withheld number")
    return case


def test_exit_then_back_on_a_phone_leaves_no_words_or_numbers(browsing, person, diary):  # noqa: ANN001
    ctx, guard = browsing.context("phone", user=person)
    page = ctx.new_page()
    visited: list[tuple[str, str]] = []
    page.on("framenavigated", lambda frame: visited.append((frame.url, "")) if frame == page.main_frame else None)
    titles: list[str] = []
    page.goto("/")
    page.goto(f"/cases/{diary.pk}/timeline/")
    titles.append(page.title())
    page.get_by_text("Search and filter").tap()
    page.get_by_label("Search words").fill(SEARCH)
    page.get_by_role("button", name="Show incidents").tap()
    expect(page.locator(".db-incident")).to_have_count(1)
    expect(page.locator(".db-incident").first).to_contain_text(SECRET)
    titles.append(page.title())
    assert SEARCH not in page.url, "the search words are in the address"
    page.locator(".db-incident a").first.tap()
    expect(page.locator("main")).to_contain_text(SECRET)
    titles.append(page.title())

    page.get_by_role("button", name="Exit this page").tap()
    expect(page).to_have_title("Weather forecast")
    assert guard.exits

    for _ in range(6):
        before = page.url
        page.go_back(wait_until="load")
        if page.url == before:
            break
        titles.append(page.title())
        body = page.locator("body").inner_text()
        assert SECRET not in body and SEARCH not in body, f"Back showed what the person wrote at {page.url}"
        assert "next=" not in page.url, f"the sign-in address names where the person was: {page.url}"
        if "/account/login/" in page.url:
            assert urlsplit(page.url).query == "", page.url
    for url, _ in visited:
        assert SEARCH not in url, f"a search word reached the history: {url}"
        assert "next=" not in url, f"a case address reached the sign-in address: {url}"
    for title in titles:
        assert not re.search(r"\d", title), f"a number in a title: {title}"
        assert SEARCH not in title.lower()
