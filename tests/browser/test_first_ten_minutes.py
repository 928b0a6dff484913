"""The person's first ten minutes on a 360 x 740 phone (issue 13, Tests): sign up, write the first note before any
case exists and land on it, its time "time of writing" (never "exact" unless the person says so), a note whose exact
time the person confirms, then the full form with a new crime reference typed in place. On every form on the way
the submit button is on the first screen, measured from the layout; nothing scrolls sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Page, expect

from cases.models import Case, CrimeReference
from kernel import localtime
from tests.browser.conftest import PASSPHRASE, inline_scripts, no_horizontal_scroll, screenshot

pytestmark = pytest.mark.browser

SCREEN = 740
PHONE_740 = {"viewport": {"width": 360, "height": SCREEN}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def on_first_screen(page: Page, button: str, field: str) -> tuple[float, float]:
    """The field and the button end within the first screen (the field above the button's strip); returns both."""
    page.wait_for_load_state("load")
    field_box = page.locator(field).first.bounding_box()
    button_box = page.get_by_role("button", name=button, exact=True).bounding_box()
    assert field_box is not None and button_box is not None
    field_bottom, button_bottom = field_box["y"] + field_box["height"], button_box["y"] + button_box["height"]
    assert button_bottom <= SCREEN, f"{button} ends at {button_bottom:.0f}px, below the first screen"
    assert field_bottom <= button_box["y"], f"{field} ends at {field_bottom:.0f}px, behind the button at {button_box['y']:.0f}px"
    width, inner = no_horizontal_scroll(page)
    assert width <= inner, f"{page.url} scrolls sideways: {width}px > {inner}px"
    assert not inline_scripts(page)
    return field_bottom, button_bottom


def tap_quick_note(page: Page) -> None:
    """The Quick note link beside Menu in the one-row header (shown once daybook.js has folded the menu away)."""
    page.wait_for_load_state("load")
    page.locator(".db-header__quick").tap()


def test_first_ten_minutes_on_a_phone(browsing):  # noqa: ANN001
    page = browsing.page("phone", **PHONE_740)
    measured = {}

    # Sign up.
    page.goto("/account/signup/")
    measured["sign up"] = on_first_screen(page, "Create account", "input[name=email]")
    page.fill("input[name=email]", "first.steps@example.com")
    page.fill("input[name=password1]", PASSPHRASE)
    page.fill("input[name=password2]", PASSPHRASE)
    page.get_by_role("button", name="Create account").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("My cases")
    assert not Case.objects.exists()

    # The first note, with no case yet: one tap on Quick note in the one-row header.
    tap_quick_note(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick note")
    measured["first note"] = on_first_screen(page, "Save note", "#id_description")
    page.get_by_label("What happened").fill("He was waiting at the bus stop again when I left work")
    page.get_by_role("button", name="Save note").tap()

    # Lands on the saved note, whose time is the time of writing, not "exact".
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident 1")
    expect(page.get_by_text("Saved as incident 1")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("He was waiting at the bus stop again when I left work")
    expect(main).to_contain_text("time of writing")
    expect(main).not_to_contain_text("Exact time")
    screenshot(page, "first-ten-minutes-first-note", full_page=False)
    case = Case.objects.get()
    assert case.incidents.get().time_precision == "recorded"

    # A second note whose exact time the person confirms: only then is it "exact".
    tap_quick_note(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Quick note")
    measured["quick note"] = on_first_screen(page, "Save note", "#id_description")
    page.get_by_label("What happened").fill("A card through the door, unsigned")
    at = min(localtime.now_local().time(), dt.time(7, 40)).strftime("%H:%M")  # never in the future, whenever the test runs
    page.fill("#id_time", at)
    page.get_by_label("This is the exact time it happened").check()
    page.get_by_role("button", name="Save note").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident 2")
    when = page.locator("main dl").first
    expect(when).to_contain_text(at)
    expect(when).not_to_contain_text("time of writing")
    assert case.incidents.get(number=2).time_precision == "exact"

    # The full form, with a crime reference the case does not have yet, typed in place.
    page.goto(f"/cases/{case.pk}/incidents/new/")
    measured["full incident"] = on_first_screen(page, "Save incident", "#id_date")
    yesterday = localtime.today() - dt.timedelta(days=1)
    page.fill("#id_date", yesterday.isoformat())
    page.get_by_label("I know the day but not the time").check()
    page.get_by_label("What happened").fill("He shouted at me outside the shop")
    page.locator("#id_reported_0").check()  # Yes
    page.get_by_label("Crime reference number (if you have one)").fill("AB/40123/26")
    save = page.get_by_role("button", name="Save incident")
    box = save.bounding_box()
    assert box is not None and box["y"] + box["height"] <= SCREEN  # still at hand after scrolling down the form
    save.tap()
    expect(page.get_by_text("Incident 3 saved.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("AB/40123/26")
    assert [r.reference for r in CrimeReference.objects.filter(case=case)] == ["AB/40123/26"]
    screenshot(page, "first-ten-minutes-full-incident", full_page=False)
    for name, (field, button) in measured.items():
        print(f"FIRST-TEN-MINUTES {name}: field ends at {field:.0f}px, button ends at {button:.0f}px")
