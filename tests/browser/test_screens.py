"""Screenshots of the main screens at phone and desktop widths (into test-artifacts/, for people to look at), with
the layout checks a person on a small phone needs: nothing scrolls sideways, the Exit button never hides the
page's heading, and every control is big enough to tap."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from cases.services import create_case, save_crime_reference
from diary import services
from tests.browser.conftest import ARTIFACTS, no_horizontal_scroll, screenshot
from tests.factories import make_incident

pytestmark = pytest.mark.browser

SMALL_TARGETS = """() => {
    // Controls smaller than WCAG 2.2's 24 by 24 CSS pixels (links in running text are exempt, and axe-core's
    // target-size rule judges those with their spacing). The skip link is hidden until focused.
    const out = [];
    for (const el of document.querySelectorAll('button, input:not([type=hidden]), select, textarea, summary, [role=button], nav a')) {
        if (el.classList.contains('govuk-skip-link')) continue;
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const name = (el.innerText || el.name || '').trim().slice(0, 40);
        if (r.width < 24 || r.height < 24) out.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return out;
}"""

EXIT_COVERS_HEADING = """() => {
    const exit = document.getElementById('exit-this-page').getBoundingClientRect();
    const h1 = document.querySelector('h1');
    if (!h1) return null;
    const r = h1.getBoundingClientRect();
    const overlap = !(exit.right <= r.left || exit.left >= r.right || exit.bottom <= r.top || exit.top >= r.bottom);
    const box = b => [b.left, b.top, b.right, b.bottom].map(Math.round).join(',');
    return overlap ? `Exit (${box(exit)}) covers the heading (${box(r)})` : null;
}"""


def layout_problems(page: Page, kind: str, name: str) -> list[str]:
    problems = []
    width, inner = no_horizontal_scroll(page)
    if width > inner:
        problems.append(f"{kind} {name}: scrolls sideways ({width}px in a {inner}px window)")
    covered = page.evaluate(EXIT_COVERS_HEADING)
    if covered:
        problems.append(f"{kind} {name}: {covered}")
    problems += [f"{kind} {name}: small target {t}" for t in page.evaluate(SMALL_TARGETS)]
    return problems


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_screens(browsing, person, kind):  # noqa: ANN001
    case = create_case(person, label="Upstairs neighbour", relationship="ex_partner", suspect_name="J. Bloggs")
    save_crime_reference(case, person, None, reference="AB/12345/25", force="Metropolitan Police")
    make_incident(case, person, days_ago=9, description="Waited outside the gym after my class", behaviours=["SURV.LOITER"], location_kind="public")
    make_incident(
        case, person, days_ago=6, description="Twelve silent calls from a withheld number", behaviours=["CONT.CALL"], channel="phone_call", how_many=12
    )
    make_incident(
        case,
        person,
        days_ago=2,
        description="Followed me from the station to my door, then stood across the road for an hour looking at my window",
        behaviours=["SURV.FOLLOW", "SURV.LOITER"],
        channel="in_person",
        felt_in_danger=True,
        reported=True,
        witnesses=[{"name": "Priya", "contact": "07700 900123", "saw": "Saw him at the station"}],
        feelings="Frightened and shaking",
        impact="Took a taxi to work the next day",
    )
    quick = make_incident(case, person, days_ago=1, description="Flowers left on the doorstep")
    services.retract_incident(make_incident(case, person, days_ago=3, description="Entered twice"), person, "Entered twice by mistake")
    del quick

    page = browsing.page(kind, user=person)
    screens = [
        ("home", "/"),
        ("case", f"/cases/{case.pk}/"),
        ("quick-capture", f"/cases/{case.pk}/quick/"),
        ("full-form", f"/cases/{case.pk}/incidents/new/"),
        ("timeline", f"/cases/{case.pk}/timeline/"),
        ("incident", f"/cases/{case.pk}/incidents/3/"),
    ]
    problems: list[str] = []
    for name, url in screens:
        page.goto(url)
        screenshot(page, f"{kind}-{name}")
        problems += layout_problems(page, kind, name)
    # The Exit button stays on screen while scrolling. Scroll the next field up under it, then Tab to it: the page
    # must scroll it clear (WCAG 2.2 "Focus not obscured"; the CSS gives the page a scroll-padding for this).
    page.goto(f"/cases/{case.pk}/incidents/new/")
    page.get_by_label("What they saw or heard").last.focus()
    page.evaluate("() => window.scrollBy(0, document.getElementById('id_feelings').getBoundingClientRect().top - 20)")
    page.keyboard.press("Tab")  # to "How it made you feel"
    page.screenshot(path=str(ARTIFACTS / f"{kind}-focus-under-exit.png"))
    covered = page.evaluate(
        """() => {
            const exit = document.getElementById('exit-this-page').getBoundingClientRect();
            const el = document.activeElement, field = el.getBoundingClientRect();
            const hit = (a, b) => !(a.right <= b.left || a.left >= b.right || a.bottom <= b.top || a.top >= b.bottom);
            return el.id + (hit(exit, field) ? ' is covered by the Exit button' : '');
        }"""
    )
    if covered != "id_feelings":
        problems.append(f"{kind}: after Tab, {covered}")
    assert not problems, "\n".join(problems)
