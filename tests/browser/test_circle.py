"""The person's circle in a real browser: a person links to their advocate with a code, the advocate reads, the
person sees the access and ends it, the advocate's next page is refused; a trusted contact adds a sighting on a
phone (360x740); axe-core on every new page, at phone and desktop widths."""

from __future__ import annotations

import pytest
from django.conf import settings

from casework.testing import make_referral
from circle import shares
from circle.scope import Scope
from organisations.models import Role
from organisations.testing import make_org, make_staff, signed_in
from tests.browser.conftest import PASSPHRASE, Browsing, page_problems
from tests.factories import make_case, make_contact, make_exhibit, make_incident, make_report, make_sighting

pytestmark = pytest.mark.browser


def staff_page(browsing: Browsing, kind: str, user, axe: bool = True):  # noqa: ANN001, ANN201
    ctx, _guard = browsing.context(kind, axe=axe)
    cookie = signed_in(user).cookies[settings.SESSION_COOKIE_NAME]
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": browsing.origin, "httpOnly": True, "sameSite": "Lax"}])
    return ctx.new_page()


def _service():  # noqa: ANN202
    org = make_org("Kent Victim Hub", "ENG", "kent")
    lead = make_staff(org, Role.TEAM_LEAD, "Lee Lead")
    advocate = make_staff(org, Role.CASEWORKER, "Ava Advocate")
    client = make_referral(lead, full_name="Alice Example").client
    client.allocated_to = advocate
    client.save(update_fields=["allocated_to"])
    return advocate, client


def test_link_read_see_and_end(browsing: Browsing, person) -> None:  # noqa: ANN001
    case = make_case(person, label="My case")
    make_incident(case, person, description="He waited outside my work")
    advocate, client = _service()
    problems: list[str] = []
    staff = staff_page(browsing, "desktop", advocate.user)
    staff.goto(f"/staff/kent/clients/{client.pk}/diary/")
    problems += page_problems(staff, "staff panel", False)
    staff.get_by_role("button", name="Make a code").click()
    staff.wait_for_load_state("load")
    code = staff.locator("#link-code").inner_text().strip()
    problems += page_problems(staff, "staff code", False)

    me = browsing.page("desktop", user=person, axe=True)
    me.goto("/circle/code/")
    problems += page_problems(me, "enter code", False)
    me.get_by_label("The code your support service gave you").fill(code)
    me.get_by_role("button", name="Continue").click()
    me.wait_for_load_state("load")
    assert "Kent Victim Hub asks to see part of your diary" in me.content()
    problems += page_problems(me, "confirm code", False)
    me.get_by_role("button", name="Agree and share").click()
    me.wait_for_load_state("load")
    assert "Kent Victim Hub can now see what you chose" in me.content()

    staff.goto(f"/staff/kent/clients/{client.pk}/diary/")
    staff.get_by_role("link", name="Open").click()
    staff.wait_for_load_state("load")
    assert "He waited outside my work" in staff.content()
    problems += page_problems(staff, "shared timeline", False)
    timeline = staff.url

    me.goto("/circle/")
    assert "Your support service, Kent Victim Hub, looked at your diary on" in me.content()
    assert "Ava" not in me.content()
    problems += page_problems(me, "circle home", False)
    me.get_by_role("link", name="Change or end").click()
    problems += page_problems(me, "share page", False)
    me.locator("#id_end-passphrase").fill(PASSPHRASE)
    me.get_by_role("button", name="End sharing").click()
    me.wait_for_load_state("load")
    assert "Sharing with Kent Victim Hub has ended" in me.content()

    response = staff.goto(timeline)
    assert response is not None and response.status == 404
    guard = browsing.guard_of(staff)
    guard.bad_status = [s for s in guard.bad_status if timeline not in s]  # the refusal is the point
    assert not problems, "\n".join(problems)


def test_a_trusted_contact_adds_a_sighting_on_a_phone(browsing: Browsing, person) -> None:  # noqa: ANN001
    case = make_case(person, label="My case")
    make_incident(case, person, description="Secret diary text")
    _contact, token = make_contact(case, person, "Sam Neighbour")
    page = browsing.page("phone", axe=True, viewport={"width": 360, "height": 740})
    page.goto(f"/seen/?k={token}")
    assert "Secret diary text" not in page.content() and "My case" not in page.content()
    problems = page_problems(page, "contact form", True)
    page.get_by_label("Time (roughly is fine)").fill("00:01")
    from kernel.localtime import now_local

    page.get_by_label("Date you saw it").fill(now_local().date().isoformat())
    page.get_by_label("Where").fill("Corner of Mill Lane")
    page.get_by_label("What you saw").fill("The grey car again, parked with the engine running")
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Add the sighting").click()
    page.wait_for_load_state("load")
    assert "Thank you. Your sighting was added." in page.content()
    assert "The grey car again" in page.content()
    problems += page_problems(page, "contact after adding", True)
    assert case.sightings.count() == 1
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_every_new_page_passes_axe(browsing: Browsing, person, kind) -> None:  # noqa: ANN001
    from reports.services import generate

    case = make_case(person, label="My case")
    incident = make_incident(case, person, description="He followed me")
    make_exhibit(case, person)
    report = generate(make_report(case, person))
    advocate, client = _service()
    share = shares._new_share(person, case, client, "code", Scope(diary=True, evidence="files", reports=True, screening=True))
    contact, token = make_contact(case, person, "Sam Neighbour")
    sighting = make_sighting(contact)
    phone = kind == "phone"
    problems: list[str] = []
    me = browsing.page(kind, user=person, axe=True)
    for url in [
        "/circle/",
        "/circle/support/",
        "/circle/code/",
        f"/circle/shares/{share.uuid}/",
        "/circle/contacts/new/",
        f"/cases/{case.pk}/sightings/",
        f"/cases/{case.pk}/sightings/{sighting.number}/",
    ]:
        response = me.goto(url)
        assert response is not None and response.status == 200, url
        problems += page_problems(me, url, phone)
    me.goto("/circle/contacts/new/")
    me.get_by_label("Their name, as you want to see it").fill("Pat")
    me.get_by_role("button", name="Make the link").click()
    me.wait_for_load_state("load")
    problems += page_problems(me, "contact link shown once", phone)
    me.goto(f"/circle/shares/{share.uuid}/")
    me.get_by_role("button", name="End sharing").click()
    me.wait_for_load_state("load")
    assert me.locator(".govuk-error-summary").count() >= 1
    problems += page_problems(me, "share page with errors", phone)
    contact_page = browsing.page(kind, axe=True)
    contact_page.goto(f"/seen/?k={token}")
    contact_page.get_by_role("button", name="Add the sighting").click()
    contact_page.wait_for_load_state("load")
    problems += page_problems(contact_page, "contact form with errors", phone)
    staff = staff_page(browsing, kind, advocate.user)
    base = f"/staff/kent/clients/{client.pk}/diary/{share.uuid}/"
    for url in [
        f"/staff/kent/clients/{client.pk}/diary/",
        base,
        f"{base}incidents/{incident.number}/",
        f"{base}evidence/",
        f"{base}reports/",
        f"{base}pattern/",
        f"/staff/kent/clients/{client.pk}/",
    ]:
        response = staff.goto(url)
        assert response is not None and response.status == 200, url
        problems += page_problems(staff, url, phone)
    assert report.uuid
    assert not problems, "\n".join(problems)
