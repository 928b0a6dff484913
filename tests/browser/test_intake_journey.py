"""The intake side in a real browser, on a phone (360x740) and a desktop: a self-referral through the public form,
then triage, allocation and a first contact with an override of a safe-contact rule and an identity check; the daily
file, the partner form and the safe-contact page. axe-core on every new page, no inline script, no CSP violation,
no sideways scrolling on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from casework import selfreferral
from casework.models import ContactAttempt, Referral, Source
from organisations.models import DataSharingAgreement, OrganisationSettings, Role
from organisations.services import api_credential_issue
from organisations.testing import make_org, make_staff
from tests.browser.conftest import Browsing, page_problems
from tests.browser.test_staff_a11y import staff_page

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", ["phone", "desktop"])
def test_self_referral_to_first_contact(browsing: Browsing, transactional_db, kind, monkeypatch, tmp_path):  # noqa: ANN001
    monkeypatch.setattr(selfreferral, "MIN_SECONDS", 0)
    org = make_org("Kent Victim Hub", "ENG", "kent")
    OrganisationSettings.objects.filter(organisation=org).update(self_referral_open=True)
    lead = make_staff(org, Role.TEAM_LEAD, "Lee Lead")
    worker = make_staff(org, Role.CASEWORKER, "Cas Worker")
    intake = make_staff(org, Role.INTAKE, "Ina Intake")
    agreement = DataSharingAgreement.objects.create(
        organisation=org, name="GP protocol", partner="Kent GPs", lawful_basis="public_task", starts_on="2026-01-01"
    )
    partner = make_staff(org, Role.PARTNER, "Dr Partner", agreement=agreement)
    cred, _ = api_credential_issue(organisation=org, agreement=agreement, sender="Kent Police VCU", force="Kent Police")
    phone = kind == "phone"
    problems: list[str] = []

    # 1. The person refers themselves: 999 and 55 first, safe contact first, the same thanks for everyone.
    page = browsing.page(kind, axe=True)
    page.goto("/refer/kent/")
    problems += page_problems(page, "self-referral", phone)
    page.get_by_label("I am the person who needs support").check()
    page.get_by_label("A phone number that is safe to call").fill("07700 900123")
    page.get_by_label("A code word we can ask for", exact=False).fill("kestrel")
    page.get_by_label("Name of the person who needs support").fill("Sara Selfref")
    page.get_by_label("What is happening, in a few words", exact=False).fill("A man follows me from the station.")
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/refer/kent/sent/")
    assert "Thank you" in page.content()
    problems += page_problems(page, "self-referral sent", phone)
    referral = Referral.objects.get(source=Source.SELF)

    # 2. Triage: the queue, the referral, screening and acceptance.
    page = staff_page(browsing, kind, lead.user)
    page.goto("/staff/kent/queue/")
    problems += page_problems(page, "queue", phone)
    expect(page.get_by_role("link", name=referral.reference)).to_have_count(1)
    page.goto(f"/staff/kent/referrals/{referral.pk}/")
    problems += page_problems(page, "referral", phone)
    page.locator("#id_risk_0").check()  # high
    page.get_by_role("button", name="Save screening").click()
    page.wait_for_url(f"**/staff/kent/referrals/{referral.pk}/")
    page.get_by_label("Accept", exact=True).check()
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(f"**/staff/kent/referrals/{referral.pk}/")
    assert Referral.objects.get(pk=referral.pk).status == "accepted"

    # 3. Allocation.
    page.goto(f"/staff/kent/clients/{referral.client.pk}/allocate/")
    problems += page_problems(page, "allocate", phone)
    page.get_by_label("Allocate to").select_option(label=str(worker))
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_url(f"**/staff/kent/clients/{referral.client.pk}/")
    problems += page_problems(page, "client", phone)

    # 4. First contact: a text breaks a rule (texts not safe) and needs an override; then a call with the code word.
    page.goto(f"/staff/kent/referrals/{referral.pk}/")
    page.get_by_label("How", exact=True).select_option("text")
    page.get_by_label("No answer").check()
    page.get_by_role("button", name="Record attempt").click()
    page.wait_for_url("**/attempts/")
    assert page.locator(".govuk-error-summary").count() == 1 and ContactAttempt.objects.count() == 0
    problems += page_problems(page, "attempt refused", phone)
    page.get_by_label("If this breaks a safe-contact rule: why", exact=False).fill("She asked by phone for a text with the address")
    page.get_by_role("button", name="Record attempt").click()
    page.wait_for_url(f"**/staff/kent/referrals/{referral.pk}/")
    assert ContactAttempt.objects.filter(override_reason_enc__gt="").count() == 1
    page.get_by_label("How", exact=True).select_option("phone")
    page.get_by_label("Spoke to the person", exact=False).check()
    page.get_by_label("If you spoke to someone", exact=False).select_option("code_word")
    page.get_by_label("The code word they gave", exact=False).fill("Kestrel")
    page.get_by_label("I gave the privacy notice").check()
    page.get_by_role("button", name="Record attempt").click()
    page.wait_for_url(f"**/staff/kent/referrals/{referral.pk}/")
    referral.refresh_from_db()
    assert referral.first_contact_at is not None and referral.privacy_notice_at is not None
    page.goto(f"/staff/kent/clients/{referral.client.pk}/safe-contact/")
    problems += page_problems(page, "safe-contact", phone)

    # 5. The daily file and the partner form.
    page = staff_page(browsing, kind, intake.user)
    page.goto("/staff/kent/feeds/")
    problems += page_problems(page, "feeds", phone)
    data = tmp_path / "feed.jsonl"
    data.write_text('{"crime_reference": "KP/1/1", "consent": "explicit", "full_name": "Fay Filed"}\n{"full_name": "<b>"}\n')
    page.get_by_label("Which police sender", exact=False).select_option(label=str(cred))
    page.get_by_label("JSON Lines").check()
    page.locator("#id_file").set_input_files(str(data))
    page.get_by_role("button", name="Take in the file").click()
    page.wait_for_url("**/staff/kent/feeds/*/")
    assert "Rows rejected" in page.content()
    problems += page_problems(page, "feed", phone)
    page = staff_page(browsing, kind, partner.user)
    page.goto("/staff/kent/refer/")
    problems += page_problems(page, "partner form", phone)
    assert not problems, "\n".join(problems)
