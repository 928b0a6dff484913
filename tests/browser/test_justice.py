"""The justice pages in a real browser (Chromium), on a phone (360x740) and a desktop: a risk review after the
suspect's release on bail, a MARAC referral with its actions, and axe-core on every justice page (no violations,
no inline script, no CSP problem, no sideways scrolling on the phone)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from justice.models import Assessment, MeetingAction, Onward, StatusChange, Task, TaskKind
from justice.rules import today
from justice.testing import justice_world
from organisations.models import Role
from organisations.testing import signed_in
from tests.browser.conftest import Browsing, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
SIZES = {"phone": {"viewport": {"width": 360, "height": 740}}, "desktop": {}}


def staff_page(browsing: Browsing, kind: str, user):  # noqa: ANN001, ANN201
    ctx, _guard = browsing.context(kind, axe=True, **SIZES[kind])
    cookie = signed_in(user).cookies[settings.SESSION_COOKIE_NAME]
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": browsing.origin, "httpOnly": True, "sameSite": "Lax"}])
    return ctx.new_page()


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_risk_review_after_release_on_bail(browsing: Browsing, server, kind):  # noqa: ANN001
    w = justice_world()
    held = w["held"]
    page = staff_page(browsing, kind, w["staff"][Role.CASEWORKER].user)
    phone = kind == "phone"
    problems: list[str] = []
    page.goto(f"/staff/kent/clients/{held.pk}/justice/")
    page.get_by_role("link", name="Record a change").click()
    problems += page_problems(page, "status form", phone)
    page.get_by_label("On bail to a date, with conditions").check()
    page.get_by_label("Date of the change").fill(today().isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(1)  # bail needs its end date
    problems += page_problems(page, "status form with errors", phone)
    page.get_by_label("Bail or licence runs to (if any)").fill((today() + dt.timedelta(days=28)).isoformat())
    page.get_by_label("Conditions (bail or licence)").fill("Not to contact her or enter Anytown")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A risk review is on the due list for today")).to_be_visible()
    change = StatusChange.objects.filter(client=held).latest("at")
    assert change.until == today() + dt.timedelta(days=28) and change.conditions == "Not to contact her or enter Anytown"
    page.get_by_role("link", name="Due list").click()
    problems += page_problems(page, "due list", phone)
    expect(page.get_by_text("Review risk after a change in the suspect's status").first).to_be_visible()
    page.get_by_role("link", name=held.reference).first.click()
    page.get_by_role("link", name="Assess with the S-DASH").click()
    problems += page_problems(page, "S-DASH form", phone)
    page.locator("#id_q_SDASH-01_0").check()
    page.locator("#id_q_SDASH-04_0").check()
    page.get_by_label("High", exact=True).check()
    page.get_by_label("Your professional judgement and its reason").fill("Released on bail today; release is a dangerous day. Keeping high.")
    page.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text("Assessment saved.")).to_be_visible()
    latest = Assessment.objects.filter(client=held).latest("at")
    assert latest.level == "high" and latest.answers["SDASH-01"] == "yes" and latest.answers["SDASH-02"] == "unknown"
    task = Task.objects.get(client=held, kind=TaskKind.RISK_REVIEW, about=f"status/{change.uuid}")
    page.goto("/staff/kent/due/")
    open_reviews = Task.objects.filter(client=held, kind=TaskKind.RISK_REVIEW, done_at__isnull=True).count()
    page.get_by_role("button", name=re.compile("Done.*Review risk after a change")).first.click()
    expect(page.get_by_text("Marked done.")).to_be_visible()
    assert Task.objects.filter(client=held, kind=TaskKind.RISK_REVIEW, done_at__isnull=True).count() == open_reviews - 1
    assert Task.objects.filter(pk=task.pk).exists()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_marac_referral_with_its_actions(browsing: Browsing, server, kind):  # noqa: ANN001
    w = justice_world()
    held = w["held"]
    page = staff_page(browsing, kind, w["staff"][Role.CASEWORKER].user)
    phone = kind == "phone"
    problems: list[str] = []
    page.goto(f"/staff/kent/clients/{held.pk}/justice/")
    page.get_by_role("link", name="Make a referral").click()
    problems += page_problems(page, "onward form", phone)
    page.get_by_label("MARAC (a meeting, for domestic abuse)").check()
    page.get_by_label("Purpose of the referral").fill("High-risk domestic abuse: safety planning with agencies")
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator(".govuk-error-summary")).to_have_count(1)  # no basis: nothing is sent
    problems += page_problems(page, "onward form with errors", phone)
    page.get_by_label("A protocol (for example the MARAC information-sharing protocol)").check()
    page.get_by_label("Who decided to share without consent (for a protocol or safeguarding)").fill("Lee Lead, team lead")
    page.get_by_label("Was the person told? (for a protocol or safeguarding)").select_option("yes")
    page.get_by_label("Rationale for sharing without consent, and why the person was not told (if not)").fill("Visible high risk; MARAC protocol.")
    page.get_by_label("Visible high risk (14 or more DASH ticks)").check()
    page.get_by_label("MARAC or panel: Perpetrator's name").fill("Sam Suspect")
    page.get_by_label("MARAC or panel: What the person wants from the meeting, in their words").fill("To feel safe walking to work.")
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_text("Referral sent.")).to_be_visible()
    problems += page_problems(page, "onward referral", phone)
    ref = Onward.objects.filter(client=held, kind="marac").latest("at")
    assert ref.detail["perpetrator_name"] == "Sam Suspect" and ref.basis == "protocol"
    page.get_by_label("Meeting date").fill(today().isoformat())
    page.get_by_role("button", name="Save meeting date").click()
    expect(page.get_by_text("Feedback to the person is on the due list.")).to_be_visible()
    page.get_by_label("This service's action").fill("Refer to the sanctuary scheme for a door alarm")
    page.get_by_label("Owner").select_option(label=w["staff"][Role.CASEWORKER].display_name)
    page.get_by_label("Due on").fill((today() + dt.timedelta(days=5)).isoformat())
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Action added.")).to_be_visible()
    expect(page.get_by_role("cell", name="Refer to the sanctuary scheme for a door alarm")).to_be_visible()
    assert MeetingAction.objects.filter(onward=ref).count() == 1
    problems += page_problems(page, "onward referral with an action", phone)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the referral form (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_every_justice_page_passes_axe(browsing: Browsing, server, kind):  # noqa: ANN001
    w = justice_world()
    h = w["held"].pk
    c = f"/staff/kent/clients/{h}/justice/"
    pages = {
        w["staff"][Role.CASEWORKER]: [
            c,
            c + "risk/sdash-2009/",
            c + "risk/dash-2009/",
            c + "status/",
            c + "orders/new/",
            c + f"orders/{w['order'].pk}/",
            c + "court/",
            c + "vps/",
            c + "onward/new/",
            c + f"onward/{w['marac'].pk}/",
            c + f"onward/{w['to_fife'].pk}/",
            c + f"onward/{w['to_fife'].pk}/withdraw/",
            "/staff/kent/due/",
        ],
        w["staff"][Role.TEAM_LEAD]: [c + f"reviews/{w['lowered'].pk}/", "/staff/kent/referrals-in/", f"/staff/kent/referrals-in/{w['from_fife'].pk}/"],
        w["staff"][Role.ORG_ADMIN]: ["/staff/kent/marac-protocol/"],
    }
    phone = kind == "phone"
    problems: list[str] = []
    for member, urls in pages.items():
        page = staff_page(browsing, kind, member.user)
        for url in urls:
            response = page.goto(url)
            assert response is not None and response.status == 200, url
            problems += page_problems(page, url, phone)
    page = staff_page(browsing, kind, w["staff"][Role.CASEWORKER].user)
    page.goto(c + f"onward/{w['to_fife'].pk}/withdraw/")
    page.get_by_label("Why the referral is withdrawn").fill("The person withdrew consent.")
    page.get_by_role("button", name="Withdraw").click()
    expect(page.get_by_text("Tell the person what cannot be recalled")).to_be_visible()
    problems += page_problems(page, "withdrawn", phone)
    assert not problems, "\n".join(problems)
