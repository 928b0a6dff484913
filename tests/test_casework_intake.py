"""The intake side's forms and rules: the public self-referral (abuse limits, the same answer whoever it is about,
no message sent), a partner's referral under its agreement, duplicates merged by a person and undone, the identity
check before a conversation or a safe-contact change, the privacy notice, the next step after failed attempts."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core import mail, signing
from django.test import Client as HttpClient
from django.utils import timezone

from audit.models import AuditEvent
from casework import identity, merge, selfreferral, services
from casework.models import Client, ClientMerge, Consent, ContactOutcome, Referral, Source
from casework.testing import make_referral, staff_of
from organisations.models import OrganisationSettings, Role
from organisations.testing import make_org, make_staff, signed_in
from tests.test_api import agreement_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(db):
    org = make_org("Kent Victim Hub", "ENG", "kent")
    OrganisationSettings.objects.filter(organisation=org).update(self_referral_open=True, service_hours="every day, 8am to 8pm")
    org.settings.refresh_from_db()
    return org


def stamp(seconds_ago: int = 30) -> str:
    return signing.dumps(int(time.time()) - seconds_ago, salt=selfreferral.SALT)


def form(**kw) -> dict:
    values = {
        "who": "self",
        "safe_numbers": "07700 900123",
        "safe_times": "weekday mornings",
        "code_word": "kestrel",
        "full_name": "Sara Selfref",
        "date_of_birth": "1991-05-06",
        "suspect_relationship": "stranger",
        "account": "A man follows me from the station.",
        "shown": stamp(),
        "website": "",
    }
    values.update(kw)
    return {k: v for k, v in values.items() if v is not None}


def public() -> HttpClient:
    return HttpClient(REMOTE_ADDR="127.0.0.1")


def body_text(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_self_referral_page_shows_emergency_first_and_stores_a_referral(org):
    page = public().get("/refer/kent/")
    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("999") < text.index("<form") and "55" in text and "every day, 8am to 8pm" in text and "0808 802 0300" in text
    response = public().post("/refer/kent/", form())
    assert response.status_code == 302 and response["Location"] == "/refer/kent/sent/"
    referral = Referral.objects.get()
    assert referral.source == Source.SELF and referral.consent == Consent.SELF and referral.client.full_name == "Sara Selfref"
    assert referral.client.safe_contact["code_word"] == "kestrel" and referral.client.phones == ["07700 900123"]
    assert mail.outbox == []


def test_the_answer_never_reveals_whether_the_person_is_known(org):
    lead = make_staff(org, Role.TEAM_LEAD, "Kent Lead")
    make_referral(lead, full_name="Sara Selfref", phones=["07700 900123"], date_of_birth=dt.date(1991, 5, 6))
    known = public().post("/refer/kent/", form(), follow=True)
    unknown = public().post("/refer/kent/", form(full_name="Una Unknown", safe_numbers="07700 900999", date_of_birth="1980-01-01"), follow=True)
    assert known.status_code == unknown.status_code == 200
    assert body_text(known) == body_text(unknown)
    assert Referral.objects.filter(source=Source.SELF).count() == 2  # duplicates are for triage, never for the answer


def test_someone_else_filling_it_in(org):
    response = public().post("/refer/kent/", form(who="someone_else"))
    assert response.status_code == 400 and "Say whether the person knows" in response.content.decode()
    assert public().post("/refer/kent/", form(who="someone_else", person_knows="no", referrer="Her sister")).status_code == 302
    referral = Referral.objects.get()
    assert referral.consent == Consent.THIRD_PARTY_UNAWARE and referral.referrer == "Her sister"
    # Domestic abuse needs the person's own consent: refused, nothing stored, the helpline offered.
    response = public().post("/refer/kent/", form(who="someone_else", person_knows="yes", referrer="A friend", suspect_relationship="ex_partner"))
    assert response.status_code == 400 and "explicit consent" in response.content.decode()
    assert Referral.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("full_name", "", "This field is required"),
        ("full_name", "x" * 201, "at most 200"),
        ("date_of_birth", "2999-01-01", "in the past"),
        ("date_of_birth", "1991-02-30", "valid date"),
        ("safe_numbers", "", "safe number"),
        ("safe_numbers", "not a phone", "do not look like phone numbers"),
        ("suspect_relationship", "cousin", "valid choice"),
        ("who", "robot", "valid choice"),
        ("full_name", "Sara \u202eferfles", "direction-control"),
        ("account", "y" * 4001, "at most 4000"),
    ],
)
def test_self_referral_bad_input_gets_a_message_and_stores_nothing(org, field, value, words):
    response = public().post("/refer/kent/", form(**{field: value}))
    assert response.status_code == 400 and words in response.content.decode(), response.content.decode()[:0]
    assert Referral.objects.count() == 0 and Client.objects.count() == 0


def test_markup_and_right_to_left_text_are_kept_as_text(org):
    assert public().post("/refer/kent/", form(full_name="<b>Bold</b> فاطمة", account="<script>alert(1)</script>")).status_code == 302
    referral = Referral.objects.get()
    lead = make_staff(org, Role.TEAM_LEAD, "Kent Lead")
    page = signed_in(lead.user).get(f"/staff/kent/referrals/{referral.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;b&gt;Bold&lt;/b&gt; فاطمة" in page


def test_abuse_limits_without_a_captcha(org, settings):
    # A robot fills in the field people never see: the same answer as anyone, nothing stored, an audit row.
    response = public().post("/refer/kent/", form(website="http://spam.example"))
    assert response.status_code == 302 and response["Location"] == "/refer/kent/sent/"
    assert Referral.objects.count() == 0 and AuditEvent.objects.filter(action="referral.self_trapped").count() == 1
    # Sent back within seconds of being shown, or with a forged or missing stamp: asked again, nothing stored.
    for shown in (stamp(0), "forged", ""):
        response = public().post("/refer/kent/", form(shown=shown))
        assert response.status_code == 400 and "send the form again" in response.content.decode()
    assert Referral.objects.count() == 0
    # Too large.
    response = public().post("/refer/kent/", form(account="z" * (selfreferral.MAX_BODY_BYTES + 10)))
    assert response.status_code == 413 and "999" in response.content.decode()
    # Too many from one address in an hour.
    settings.DAYBOOK_SELF_REFERRALS_PER_HOUR = 2
    other = HttpClient(REMOTE_ADDR="127.0.0.2")
    settings.DAYBOOK_LOCAL_ONLY = False
    codes = [other.post("/refer/kent/", form(full_name=f"Person {n}")).status_code for n in range(4)]
    assert codes == [302, 302, 429, 429]


def test_closed_or_unknown_organisation_is_a_missing_page(org):
    closed = make_org("Fife Support", "SCT", "fife")
    assert public().get(f"/refer/{closed.slug}/").status_code == 404
    assert public().get("/refer/nowhere/").status_code == 404
    assert public().post(f"/refer/{closed.slug}/", form()).status_code == 404


def test_partner_referral_under_its_agreement(org):
    agreement = agreement_for(org, "GP practices protocol")
    partner = make_staff(org, Role.PARTNER, "Dr Partner")
    web = signed_in(partner.user)
    page = web.get("/staff/kent/refer/")
    assert page.status_code == 200 and "not tied to a data-sharing agreement" in page.content.decode()
    assert (
        web.post(
            "/staff/kent/refer/",
            {"consent": "explicit", "referrer": "Dr P", "full_name": "Pat Patient", "safe_numbers": "07700 900321", "suspect_relationship": "neighbour"},
        ).status_code
        == 200
    )
    assert Referral.objects.count() == 0
    partner.agreement = agreement
    partner.save()
    data = {"consent": "explicit", "referrer": "Dr P, GP", "full_name": "Pat Patient", "safe_numbers": "07700 900321", "suspect_relationship": "neighbour"}
    assert web.post("/staff/kent/refer/", data).status_code == 302
    referral = Referral.objects.get()
    assert (referral.source, referral.agreement, referral.lawful_basis, referral.sender) == (
        Source.PROFESSIONAL,
        agreement,
        agreement.lawful_basis,
        agreement.partner,
    )
    listing = web.get("/staff/kent/refer/").content.decode()
    assert referral.reference in listing and "received" in listing
    # The partner sees no client content: the referral page, the client, the queue are all missing pages.
    for url in (f"/staff/kent/referrals/{referral.pk}/", f"/staff/kent/clients/{referral.client.pk}/", "/staff/kent/queue/", "/staff/kent/feeds/"):
        assert web.get(url).status_code == 404, url
    bad = dict(data, consent="opted_out", full_name="")
    response = web.post("/staff/kent/refer/", bad)
    assert response.status_code == 400 and Referral.objects.count() == 1


def test_duplicates_merged_by_a_person_and_undone(org):
    lead = make_staff(org, Role.TEAM_LEAD, "Kent Lead")
    first = make_referral(lead, full_name="Dee Double", phones=["07700 900555"])
    second = make_referral(lead, full_name="DOUBLE, Dee", phones=["+44 7700 900555"])
    web = signed_in(lead.user)
    page = web.get(f"/staff/kent/referrals/{second.pk}/").content.decode()
    assert first.client.reference in page and "Merge " in page
    assert Client.objects.get(pk=second.client.pk).merged_into is None  # nothing automatic
    response = web.post(f"/staff/kent/clients/{first.client.pk}/merge/", {"other": second.client.pk, "reason": "Same number and name"})
    assert response.status_code == 302
    merged = ClientMerge.objects.get()
    assert Client.objects.get(pk=second.client.pk).merged_into_id == first.client.pk
    kept_page = web.get(f"/staff/kent/clients/{first.client.pk}/").content.decode()
    assert second.reference in kept_page and "Undo the merge" in kept_page
    assert second.client.reference not in web.get("/staff/kent/clients/").content.decode()
    assert web.post(f"/staff/kent/merges/{merged.pk}/undo/").status_code == 302
    assert Client.objects.get(pk=second.client.pk).merged_into is None
    assert Client.objects.get(pk=second.client.pk).full_name == "DOUBLE, Dee"
    assert list(Referral.objects.filter(client=second.client)) == [second]
    assert AuditEvent.objects.filter(action__in=["client.merged", "client.unmerged"]).count() == 2
    with pytest.raises(Exception, match="already been undone"):
        merge.client_unmerge(staff=staff_of(lead), merge=merged)
    # Someone else's record, or itself: refused.
    other_org = make_org("Fife Support", "SCT", "fife")
    theirs = make_referral(make_staff(other_org, Role.TEAM_LEAD, "Fife Lead"), full_name="Dee Double")
    assert web.post(f"/staff/kent/clients/{first.client.pk}/merge/", {"other": theirs.client.pk, "reason": "Same person"}).status_code == 404
    web.post(f"/staff/kent/clients/{first.client.pk}/merge/", {"other": first.client.pk, "reason": "Same person"})
    assert ClientMerge.objects.filter(undone_at__isnull=True).count() == 0


def test_identity_before_a_conversation_and_a_rule_change(org):
    lead = make_staff(org, Role.TEAM_LEAD, "Kent Lead")
    referral = make_referral(lead, received_at=timezone.now() - dt.timedelta(hours=2))
    staff = staff_of(lead)
    at = timezone.now() - dt.timedelta(minutes=30)
    with pytest.raises(Exception, match="confirm it is the person"):
        services.contact_attempt_record(staff=staff, referral=referral, at=at, channel="phone", outcome=ContactOutcome.SPOKE)
    with pytest.raises(Exception, match="not the code word"):
        services.contact_attempt_record(staff=staff, referral=referral, at=at, channel="phone", outcome="spoke", identity="code_word", code_word_given="robin")
    with pytest.raises(Exception, match="privacy notice"):
        services.contact_attempt_record(
            staff=staff, referral=referral, at=at, channel="phone", outcome="spoke", identity="code_word", code_word_given="Bluebird"
        )
    # Safe-contact rules do not change before identity is confirmed.
    with pytest.raises(Exception, match="person's word"):
        identity.safe_contact_change(staff=staff, client=referral.client, rules={"safe_numbers": "07700 900777"})
    web = signed_in(lead.user)
    response = web.post(f"/staff/kent/clients/{referral.client.pk}/safe-contact/", {"safe_numbers": "07700 900777"})
    assert response.status_code == 400 and "Safe-contact rules change only on the person" in response.content.decode()
    services.contact_attempt_record(
        staff=staff, referral=referral, at=at, channel="phone", outcome="spoke", identity="code_word", code_word_given=" bluebird ", privacy_notice=True
    )
    referral.refresh_from_db()
    assert referral.privacy_notice_at == at and referral.first_contact_at == at
    page = web.get(f"/staff/kent/clients/{referral.client.pk}/safe-contact/")
    assert "neither confirm nor deny" in page.content.decode()
    assert web.post(f"/staff/kent/clients/{referral.client.pk}/safe-contact/", {"safe_numbers": "07700 900777", "text_ok": "on"}).status_code == 302
    client = Client.objects.get(pk=referral.client.pk)
    assert client.safe_contact["safe_numbers"] == "07700 900777" and client.safe_contact["text_ok"] is True
    assert AuditEvent.objects.filter(action="client.safe_contact_changed").count() == 1


def test_unsafe_answer_then_next_step_after_failed_attempts(org):
    lead = make_staff(org, Role.TEAM_LEAD, "Kent Lead")
    OrganisationSettings.objects.filter(organisation=org).update(failed_attempts_limit=2, next_step_after_failed="letter")
    referral = make_referral(lead, received_at=timezone.now() - dt.timedelta(hours=2))
    staff = staff_of(lead)
    at = timezone.now() - dt.timedelta(minutes=30)
    services.contact_attempt_record(staff=staff, referral=referral, at=at, channel="phone", outcome=ContactOutcome.NO_ANSWER)
    web = signed_in(lead.user)
    assert "next step" not in web.get(f"/staff/kent/referrals/{referral.pk}/").content.decode()
    services.contact_attempt_record(staff=staff, referral=referral, at=at, channel="phone", outcome=ContactOutcome.SUSPECT_ANSWERED, override_reason="")
    page = web.get(f"/staff/kent/referrals/{referral.pk}/").content.decode()
    assert "next step: Send a neutral letter" in page and "The number on record is unsafe" in page
    # Calling back on the now unsafe number does not confirm identity.
    with pytest.raises(Exception, match="no safe number"):
        identity.identity_check(Client.objects.get(pk=referral.client.pk), outcome="spoke", identity="call_back")
