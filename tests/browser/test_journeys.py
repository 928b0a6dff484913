"""The main journeys in a real browser: sign up and start a case, quick capture on a phone, the full form with
editing and retraction, bad input, and the timeline filter."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from cases.services import create_case
from kernel import localtime
from tests.browser.conftest import PASSPHRASE, Stopwatch, inline_scripts, no_horizontal_scroll, screenshot
from tests.factories import make_incident

pytestmark = pytest.mark.browser


@pytest.fixture
def case(person):  # noqa: ANN001, ANN201
    return create_case(person, label="Neighbour", relationship="ex_partner")


def assert_fits_phone(page: Page) -> None:
    page.wait_for_load_state("load")  # the heading can be there before the stylesheet has been applied
    scroll_width, inner = no_horizontal_scroll(page)
    assert scroll_width <= 360, f"{page.url} scrolls sideways on a phone: {scroll_width}px wide"
    assert inner == 360


def assert_reachable(page: Page, locator) -> None:  # noqa: ANN001
    """Within the phone's width, and not hidden under the sticky Exit button when scrolled into view."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, f"{box} is outside the 360px viewport"
    assert box["height"] >= 24, f"tap target too small: {box}"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    on_top = page.evaluate(
        "([x, y, sel]) => { const el = document.elementFromPoint(x, y); return !!el && !!el.closest(sel); }",
        [x, y, f"#{locator.get_attribute('id')}" if locator.get_attribute("id") else "button[type=submit]"],
    )
    assert on_top, f"something covers the element at {x},{y}"


def test_sign_up_then_start_a_case(browsing):  # noqa: ANN001
    page = browsing.page("phone")
    page.goto("/account/signup/")
    page.fill("input[name=email]", "new.person@example.com")
    page.fill("input[name=password1]", PASSPHRASE)
    page.fill("input[name=password2]", PASSPHRASE)
    page.locator("form:has(input[name=password1]) button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")

    page.get_by_role("button", name="Start a case").click()
    expect(page).to_have_url(f"{browsing.origin}/cases/new/")
    page.get_by_label("A name for this case").fill("Upstairs neighbour")
    page.get_by_role("button", name="Start the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upstairs neighbour")
    expect(page.get_by_text("Case started.")).to_be_visible()
    assert not inline_scripts(page)


def test_quick_capture_on_a_phone(browsing, person, case):  # noqa: ANN001
    page = browsing.page("phone", user=person)
    page.goto("/")
    actions = 0
    clock = Stopwatch()

    page.get_by_role("link", name="Quick note", exact=True).tap()
    actions += 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick note")
    assert_fits_phone(page)
    description = page.get_by_label("What happened")
    save = page.get_by_role("button", name="Save note")
    assert_reachable(page, description)
    assert_reachable(page, save)

    description.tap()
    actions += 1
    page.keyboard.type("He rang 6 times from a withheld number")
    actions += 1
    save.tap()
    actions += 1

    expect(page.get_by_text("Saved as incident 1")).to_be_visible()
    elapsed = clock.seconds()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident 1")  # lands on the saved note
    expect(page.locator("main")).to_contain_text("He rang 6 times from a withheld number")
    expect(page.locator("main")).to_contain_text("time of writing")  # not "exact" unless the person says so
    assert_fits_phone(page)
    assert actions <= 5, f"quick capture took {actions} actions"
    assert elapsed < 20, f"quick capture took {elapsed:.1f}s"
    print(f"quick capture: {actions} actions, {elapsed:.2f}s")


def test_full_form_edit_and_retract(browsing, person, case):  # noqa: ANN001
    page = browsing.page("desktop", user=person)
    yesterday = localtime.today() - dt.timedelta(days=1)
    today = localtime.today()
    page.goto(f"/cases/{case.pk}/incidents/new/")
    page.fill("#id_date", yesterday.isoformat())
    page.fill("#id_time", "21:15")
    page.get_by_label("Exact time").check()  # nothing is chosen for the person
    page.get_by_label("What happened").fill("He followed me home from the station and rang all night")
    page.get_by_label("Followed me (on foot or by car)").check()
    page.get_by_label("Phone calls, silent or withheld calls, voicemails").check()
    page.get_by_label("How did they make contact?").select_option(label="Phone call")
    page.get_by_label("How many times (optional)").fill("23")
    page.fill("#id_witness_0_name", "Priya")
    page.fill("#id_witness_0_contact", "07700 900123")
    page.fill("#id_witness_0_saw", "Saw him at the station")
    page.get_by_label("How it made you feel").fill("Frightened")
    page.get_by_label("Effect on your daily life").fill("Took a taxi to work")
    page.locator("#id_reported_0").check()  # Yes
    page.fill("#id_reported_on", today.isoformat())
    page.get_by_role("button", name="Save incident").click()

    expect(page.get_by_text("Incident 1 saved.")).to_be_visible()
    details = page.locator(".govuk-summary-list")
    expect(details).to_contain_text("He followed me home from the station")
    expect(details).to_contain_text("Followed me (on foot or by car)")
    expect(details).to_contain_text("Phone calls, silent or withheld calls, voicemails")
    expect(details).to_contain_text("Phone call (23 times)")
    expect(details).to_contain_text("Priya (07700 900123): Saw him at the station")
    expect(details).to_contain_text("Frightened")
    expect(details).to_contain_text("Took a taxi to work")
    expect(details).to_contain_text(f"Yes, on {today.day} {today:%B %Y}")
    expect(details).to_contain_text(f"{yesterday:%a} {yesterday.day} {yesterday:%b %Y}, 21:15")

    page.get_by_role("button", name="Change").click()
    expect(page.get_by_label("What happened")).to_have_value("He followed me home from the station and rang all night")
    page.get_by_label("What happened").fill("He followed me home from the station and rang 23 times")
    page.get_by_role("button", name="Save incident").click()
    expect(page.get_by_text("Saved as version 2")).to_be_visible()
    history = page.locator("table.govuk-table tbody tr")
    expect(history).to_have_count(2)
    expect(history.nth(1)).to_contain_text("2:")

    page.get_by_role("link", name="Retract this entry").click()
    page.get_by_label("Why are you retracting this entry?").fill("Entered twice by mistake")
    page.get_by_role("button", name="Retract this entry").click()
    expect(page.get_by_text("Retracted: Entered twice by mistake")).to_be_visible()
    expect(history).to_have_count(3)
    page.get_by_role("link", name="timeline").click()
    expect(page.locator(".db-incident").first.get_by_text("Retracted")).to_be_visible()


def test_future_date_shows_errors_and_keeps_what_was_typed(browsing, person, case):  # noqa: ANN001
    page = browsing.page("phone", user=person)
    page.goto(f"/cases/{case.pk}/incidents/new/")
    future = localtime.today() + dt.timedelta(days=5)
    page.fill("#id_date", future.isoformat())
    page.fill("#id_time", "10:30")
    page.get_by_label("What happened").fill("A note that must not be lost")
    page.get_by_label("Sent spam or viruses, or got others to harass me online").check()
    page.get_by_label("Effect on your daily life").fill("Could not sleep")
    page.get_by_role("button", name="Save incident").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary so it is read out
    screenshot(page, "phone-full-form-errors", full_page=False)  # what the person sees first
    expect(page.get_by_label("What happened")).to_have_value("A note that must not be lost")
    expect(page.get_by_label("Sent spam or viruses, or got others to harass me online")).to_be_checked()
    expect(page.get_by_label("Effect on your daily life")).to_have_value("Could not sleep")
    expect(page.locator("#id_date")).to_have_value(future.isoformat())
    # The summary's link takes the person to the field.
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_date")).to_be_focused()
    assert_fits_phone(page)


def test_timeline_filter_by_behaviour_and_word(browsing, person, case):  # noqa: ANN001
    make_incident(case, person, days_ago=5, description="Waited outside the gym", behaviours=["SURV.LOITER"])
    make_incident(case, person, days_ago=4, description="Silent calls all evening", behaviours=["CONT.CALL"], channel="phone_call")
    make_incident(case, person, days_ago=3, description="Left flowers on the doorstep", behaviours=["CONT.GIFT"])
    make_incident(case, person, days_ago=2, description="More calls from a new number", behaviours=["CONT.CALL"], channel="phone_call")
    page = browsing.page("phone", user=person)
    page.goto(f"/cases/{case.pk}/timeline/")
    incidents = page.locator(".db-incident")
    expect(incidents).to_have_count(4)

    page.get_by_text("Search and filter").click()
    page.get_by_label("Behaviour").select_option("CONT.CALL")
    page.get_by_role("button", name="Show incidents").click()
    expect(page.get_by_text("Filtered.")).to_be_visible()
    expect(incidents).to_have_count(2)
    expect(incidents).to_contain_text(["More calls from a new number", "Silent calls all evening"])

    page.get_by_role("button", name="Clear filters").click()  # filters travel in a form, never in the address
    expect(incidents).to_have_count(4)
    page.get_by_text("Search and filter").click()
    page.get_by_label("Search words").fill("flowers")
    page.get_by_role("button", name="Show incidents").click()
    expect(incidents).to_have_count(1)
    expect(incidents.first).to_contain_text("Left flowers on the doorstep")
    expect(page.get_by_label("Search words")).to_have_value("flowers")
    assert_fits_phone(page)
