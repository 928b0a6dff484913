"""Shared walk over every page for the axe-core tests (one test file per viewport, so both workers share the work).

On every page: zero axe-core violations, no inline script, the CSP header never allows 'unsafe-inline', and no CSP
violation on the console (the last two are checked by the browsing fixture for every document).
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page

from cases.services import create_case, save_crime_reference, save_order
from diary import services
from support.views import GUIDES
from tests.browser.conftest import Browsing, inline_scripts, run_axe
from tests.factories import make_incident

ANONYMOUS_PAGES = [
    ("landing", "/"),
    ("sign in", "/account/login/"),
    ("sign up", "/account/signup/"),
    ("password reset", "/account/password/reset/"),
    ("help", "/help/"),
    ("help, local services found", "/help/?area=DE22"),
    ("help, a place in Scotland", "/help/?area=Glasgow"),
    ("help, Northern Ireland", "/help/?nation=northern_ireland"),
    ("help, area search problem", "/help/?area=x"),
    ("behaviours guide", "/guide/behaviours"),
    *[(f"guide {slug}", f"/guide/{slug}/") for slug in GUIDES],
]


def check(page: Page, name: str, url: str, problems: list[str], skipped: list[str], prepare=None, status: int = 200) -> None:  # noqa: ANN001
    """Opens a page (or uses the one already open when url is None) and records everything wrong with it."""
    if url is not None:
        response = page.goto(url)
        if response is None:
            problems.append(f"{name} {url}: no response")
            return
        if response.status == 404 and url.startswith("/guide/"):
            skipped.append(f"{name} {url}: 404, the guide is not written yet")
            return
        if response.status != status:
            problems.append(f"{name} {url}: HTTP {response.status} at {page.url}")
            return
    if prepare is not None:
        prepare(page)
    for script in inline_scripts(page):
        problems.append(f"{name}: inline script {script}")
    for v in run_axe(page):
        problems.append(f"{name} {page.url}: axe {v['id']} ({v['impact']}) {v['help']}; targets {v['targets']}; {v['summary']}")


def open_details(page: Page) -> None:
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")


def walk_every_page(browsing: Browsing, person, kind: str) -> tuple[list[str], list[str]]:  # noqa: ANN001
    problems: list[str] = []
    skipped: list[str] = []

    anonymous = browsing.page(kind, axe=True)
    for name, url in ANONYMOUS_PAGES:
        check(anonymous, name, url, problems, skipped)
    # A sign-in error state, with the error summary.
    anonymous.goto("/account/login/")
    anonymous.get_by_label("Email", exact=False).first.fill("nobody@example.com")
    anonymous.locator("input[type=password]").first.fill("not the right passphrase")
    anonymous.locator("form button[type=submit]").last.click()
    anonymous.wait_for_load_state()
    check(anonymous, "sign in with an error", None, problems, skipped)

    page = browsing.page(kind, user=person, axe=True)
    check(page, "home, no cases", "/", problems, skipped)
    check(page, "case new", "/cases/new/", problems, skipped)
    page.goto("/")
    page.get_by_role("button", name="Show me a sample case").click()
    page.wait_for_load_state()
    check(page, "sample case timeline", None, problems, skipped)
    check(page, "page not found", "/cases/999999/", problems, skipped, status=404)

    case = create_case(person, label="Neighbour", relationship="ex_partner", suspect_name="J. Bloggs")
    ref = save_crime_reference(case, person, None, reference="AB/12345/25", force="Met", given_on=dt.date(2025, 1, 5))
    order = save_order(case, person, None, order_type="restraining", starts_on=dt.date(2025, 2, 1))
    make_incident(case, person, days_ago=3, description="He was outside my house", behaviours=["CONT.VISIT"], channel="in_person")
    make_incident(case, person, days_ago=2, description="Twelve calls from a withheld number", behaviours=["CONT.CALL"], channel="phone_call", how_many=12)
    third = make_incident(case, person, days_ago=1, description="Followed me to the station", behaviours=["SURV.FOLLOW"], felt_in_danger=True)
    retracted = make_incident(case, person, days_ago=4, description="Entered twice by mistake")
    services.retract_incident(retracted, person, "Entered twice")

    check(page, "home, with cases", "/", problems, skipped)
    check(page, "case detail", f"/cases/{case.pk}/", problems, skipped, prepare=open_details)
    check(page, "case edit", f"/cases/{case.pk}/edit/", problems, skipped)
    check(page, "case activity", f"/cases/{case.pk}/activity/", problems, skipped)
    check(page, "reference new", f"/cases/{case.pk}/references/new/", problems, skipped)
    check(page, "reference edit", f"/cases/{case.pk}/references/{ref.uuid}/edit/", problems, skipped)
    check(page, "order new", f"/cases/{case.pk}/orders/new/", problems, skipped)
    check(page, "order edit", f"/cases/{case.pk}/orders/{order.uuid}/edit/", problems, skipped)
    check(page, "quick capture", f"/cases/{case.pk}/quick/", problems, skipped)
    check(page, "full form new", f"/cases/{case.pk}/incidents/new/", problems, skipped, prepare=open_details)
    # The full form with errors: a future date and no description.
    page.fill("#id_date", (dt.date.today() + dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Save incident").click()
    page.wait_for_load_state()
    check(page, "full form with errors", None, problems, skipped)
    check(page, "full form edit", f"/cases/{case.pk}/incidents/{third.number}/edit/", problems, skipped, prepare=open_details)
    check(page, "incident detail", f"/cases/{case.pk}/incidents/{third.number}/", problems, skipped, prepare=open_details)
    check(page, "incident retracted", f"/cases/{case.pk}/incidents/{retracted.number}/", problems, skipped)
    check(page, "retract", f"/cases/{case.pk}/incidents/{third.number}/retract/", problems, skipped)
    check(page, "timeline", f"/cases/{case.pk}/timeline/", problems, skipped)
    check(page, "timeline, filters open", f"/cases/{case.pk}/timeline/?q=station&behaviour=SURV.FOLLOW", problems, skipped, prepare=open_details)
    check(page, "timeline, filter error", f"/cases/{case.pk}/timeline/?date_from=2025-05-01&date_to=2025-04-01", problems, skipped)
    check(page, "integrity", f"/cases/{case.pk}/integrity/", problems, skipped)
    create_case(person, label="Work colleague", relationship="ex_partner")
    check(page, "choose a case", "/quick/", problems, skipped)
    check(page, "help, signed in", "/help/", problems, skipped)
    check(page, "behaviours guide, signed in", "/guide/behaviours", problems, skipped)
    check(page, "account settings", "/account/settings/", problems, skipped)
    check(page, "MFA index", "/account/2fa/", problems, skipped)
    check(page, "sessions", "/account/sessions/", problems, skipped)
    check(page, "change passphrase", "/account/password/change/", problems, skipped)
    return problems, skipped
