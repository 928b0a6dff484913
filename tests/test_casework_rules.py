"""The rules a referral must pass, the counter-referral and duplicate checks, bad input on the call form, and
personal data sealed in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from casework import rules
from casework.index import duplicate_hints
from casework.models import Alert, AlertKind, Client, Consent, IndexEntry, Referral, Relationship, Source
from casework.services import ReferralRefused, referral_accept
from casework.testing import make_referral, staff_of
from organisations.models import DataSharingAgreement, Role
from organisations.testing import make_org, make_staff, signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def kent():
    org = make_org("Kent Victim Hub", "ENG", "kent")
    return {"org": org, "intake": make_staff(org, Role.INTAKE, "Ivy Intake"), "lead": make_staff(org, Role.TEAM_LEAD, "Lee Lead")}


REFUSED = [
    (Consent.OPTED_OUT, Relationship.STRANGER, False, [], "opted out"),
    (Consent.OPT_OUT_NOTICE, Relationship.EX_PARTNER, False, ["stalking"], "explicit consent"),  # derived from the relationship
    (Consent.OPT_OUT_NOTICE, Relationship.FAMILY, False, ["harassment"], "explicit consent"),
    (Consent.THIRD_PARTY_KNOWS, Relationship.STRANGER, True, ["stalking"], "explicit consent"),  # the flag alone
    (Consent.OPT_OUT_NOTICE, Relationship.STRANGER, False, ["sexual"], "a sexual offence"),
    (Consent.THIRD_PARTY_UNAWARE, Relationship.PARTNER, False, ["sexual"], "domestic abuse and a sexual offence"),
]
TAKEN = [
    (Consent.EXPLICIT, Relationship.EX_PARTNER, True, ["stalking"]),
    (Consent.SELF, Relationship.PARTNER, False, ["sexual"]),
    (Consent.OPT_OUT_NOTICE, Relationship.NEIGHBOUR, False, ["stalking", "criminal_damage"]),
    (Consent.THIRD_PARTY_KNOWS, Relationship.STRANGER, False, ["harassment"]),
]


@pytest.mark.parametrize(("consent", "relationship", "flag", "offences", "words"), REFUSED)
def test_refused_referrals_are_never_stored(kent, consent, relationship, flag, offences, words):
    with pytest.raises(ReferralRefused, match=words):
        make_referral(kent["intake"], full_name="Refused Person", consent=consent, suspect_relationship=relationship, domestic_abuse=flag, offences=offences)
    assert not Referral.objects.exists() and not Client.objects.exists() and not IndexEntry.objects.exists()
    row = AuditEvent.objects.get(action="referral.refused")
    assert "Refused" not in row.target and row.client is None


@pytest.mark.parametrize(("consent", "relationship", "flag", "offences"), TAKEN)
def test_taken_referrals(kent, consent, relationship, flag, offences):
    r = make_referral(kent["intake"], consent=consent, suspect_relationship=relationship, domestic_abuse=flag, offences=offences)
    assert r.domestic_abuse == rules.is_domestic_abuse(flag, relationship)


def test_the_call_form_refuses_with_a_clear_message_and_stores_nothing(kent):
    client = signed_in(kent["intake"].user)
    data = {
        "source": Source.PROFESSIONAL,
        "consent": Consent.THIRD_PARTY_KNOWS,
        "lawful_basis": "legitimate_interests",
        "full_name": "Dana Domestic",
        "suspect_relationship": Relationship.EX_PARTNER,
        "police_risk": "unknown",
        "offences": ["stalking"],
    }
    response = client.post("/staff/kent/referrals/new/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "This referral cannot be taken" in html and "explicit consent" in html
    assert not Referral.objects.exists() and not Client.objects.exists()
    response = client.post("/staff/kent/referrals/new/", dict(data, consent=Consent.EXPLICIT))
    assert response.status_code == 302
    r = Referral.objects.get()
    assert r.domestic_abuse and r.source == Source.PROFESSIONAL and r.recorded_by == kent["intake"]


def test_bad_input_on_the_call_form(kent):
    other = make_org("Other", "WLS", "other")
    theirs = DataSharingAgreement.objects.create(organisation=other, name="Theirs", partner="Gwent Police", lawful_basis="public_task", starts_on="2026-01-01")
    client = signed_in(kent["intake"].user)
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    bad = {
        "source": "police_api",  # not offered on the call form
        "consent": "maybe",
        "lawful_basis": "public_task",
        "full_name": "",
        "date_of_birth": future,
        "phones": "not a number\n07700 900123",
        "agreement": theirs.pk,
        "police_risk": "extreme",
        "suspect_relationship": "partner",
        "offences": ["stalking", "jaywalking"],
        "account": "x" * 6000,
    }
    response = client.post("/staff/kent/referrals/new/", bad)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    for field in ("source", "consent", "full_name", "agreement", "police_risk", "offences", "account"):
        assert f"id_{field}-error" in html or f'href="#id_{field}' in html, field
    assert not Referral.objects.exists()
    # The form passes; the service still refuses what is wrong (a future birth date, a number that is not one).
    good = dict(bad, source="staff_call", consent="self", full_name="Ok Name", agreement="", police_risk="unknown", offences=["stalking"], account="fine")
    html = client.post("/staff/kent/referrals/new/", good).content.decode()
    assert "Enter a real date of birth" in html and "not a number" in html
    assert not Referral.objects.exists()


def test_markup_and_right_to_left_text_are_kept_and_escaped(kent):
    name = "<script>alert(1)</script> \u0645\u0631\u064a\u0645 \u202eevil"
    r = make_referral(kent["intake"], full_name=name, account="<b>bold</b>")
    html = signed_in(kent["intake"].user).get(f"/staff/kent/referrals/{r.pk}/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<b>bold" not in html
    assert Client.objects.get(pk=r.client.pk).full_name == name


def test_a_referral_naming_a_current_client_as_suspect_alerts_a_team_lead_and_links_nothing(kent):
    intake, lead = kent["intake"], kent["lead"]
    jane = make_referral(intake, full_name="Jane Doe")
    referral_accept(staff=staff_of(lead), referral=jane)
    counter = make_referral(intake, full_name="Mark Roe", suspect_name="DOE, Jane")
    alert = Alert.objects.get(kind=AlertKind.CLIENT_NAMED_AS_SUSPECT)
    assert alert.referral == counter and jane.client.reference in alert.message and "Jane" not in alert.message
    assert counter.client_id != jane.client_id and jane.client.referrals.count() == 1
    html = signed_in(lead.user).get("/staff/kent/alerts/").content.decode()
    assert "current client" in html
    # The same name as a client who is not current (only referred) raises nothing.
    make_referral(intake, full_name="Zed Zee")
    make_referral(intake, full_name="Other Person", suspect_name="Zed Zee")
    assert Alert.objects.filter(kind=AlertKind.CLIENT_NAMED_AS_SUSPECT).count() == 1


def test_a_person_who_is_a_suspect_on_another_record_alerts_a_lead(kent):
    intake = kent["intake"]
    first = make_referral(intake, full_name="Vic Tim", suspect_name="Sam Stalker")
    second = make_referral(intake, full_name="sam  STALKER")  # they refer themselves, naming nobody
    alert = Alert.objects.get(kind=AlertKind.COUNTER_REFERRAL)
    assert alert.referral == second and first.reference in alert.message
    assert "Sam" not in alert.message and second.client_id != first.client_id
    page = signed_in(kent["lead"].user).get(f"/staff/kent/referrals/{second.pk}/").content.decode()
    assert "counter-allegation" in page


def test_duplicates_are_hinted_never_merged(kent):
    intake = kent["intake"]
    a = make_referral(intake, full_name="Ann Smith", date_of_birth=dt.date(1990, 5, 1), phones=["+44 7700 900123"])
    b = make_referral(intake, full_name="SMITH, Ann", date_of_birth=dt.date(1990, 5, 1))
    c = make_referral(intake, full_name="Someone Else", phones=["07700900123"])
    d = make_referral(intake, full_name="Ann Smith", date_of_birth=dt.date(1991, 5, 1))  # same name alone: no hint
    hints = {h.client.pk: h.reasons for h in duplicate_hints(a.client)}
    assert hints == {b.client.pk: ("name", "date of birth"), c.client.pk: ("phone number",)}
    assert d.client.pk not in hints
    assert Client.objects.count() == 4
    page = signed_in(intake.user).get(f"/staff/kent/referrals/{a.pk}/").content.decode()
    assert "Possible duplicates" in page and b.client.reference in page and "not merged" in page


def test_personal_data_is_sealed_in_the_database(kent):
    secrets = ["Priya Sealed", "1984-02-29", "07700 900555", "Maidstone", "Tom Suspect", "bluebird", "followed me home", "AB/12345/26"]
    make_referral(
        kent["intake"],
        full_name=secrets[0],
        date_of_birth=dt.date(1984, 2, 29),
        phones=[secrets[2]],
        address_area=secrets[3],
        suspect_name=secrets[4],
        account="He followed me home every night",
        crime_reference=secrets[7],
    )
    with connection.cursor() as cursor:
        dump = []
        for table in ("casework_client", "casework_referral", "casework_indexentry", "audit_auditevent", "casework_alert"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            dump.extend(str(v) for row in cursor.fetchall() for v in row)
    text = "\n".join(dump).lower()
    for secret in secrets:
        assert secret.lower() not in text, secret
    assert "+447700900555" not in text


def test_blind_index_tokens_differ_between_organisations(kent):
    other = make_org("Fife Support", "SCT", "fife")
    assert kent["org"].blind_token("name", "jane doe") != other.blind_token("name", "jane doe")
    assert kent["org"].blind_token("name", "jane doe") == kent["org"].blind_token("name", "jane doe")


def test_the_client_key_is_wrapped_by_the_organisation_key(kent):
    r = make_referral(kent["intake"], full_name="Key Check")
    client = Client.objects.get(pk=r.client.pk)
    other = make_org("Fife Support", "SCT", "fife")
    client.organisation = other  # moved to another organisation, its key cannot be unwrapped
    client.__dict__.pop("_cipher", None)
    client.__dict__.pop("_sealed_cache", None)
    from kernel.crypto import DecryptionError

    with pytest.raises(DecryptionError):
        _ = client.full_name


def test_an_agreement_no_longer_in_force_is_refused(kent):
    from django.core.exceptions import ValidationError

    org = kent["org"]
    ended = DataSharingAgreement.objects.create(
        organisation=org, name="Old DSA", partner="Kent Police", lawful_basis="public_task", starts_on="2020-01-01", ends_on="2021-01-01"
    )
    ended.refresh_from_db()
    with pytest.raises(ValidationError, match="agreements in force"):
        make_referral(kent["intake"], source=Source.POLICE_FILE, consent=Consent.OPT_OUT_NOTICE, lawful_basis="public_task", agreement=ended)
    with pytest.raises(ValidationError, match="data-sharing agreement"):
        make_referral(kent["intake"], source=Source.POLICE_FILE, consent=Consent.OPT_OUT_NOTICE, lawful_basis="public_task")
    assert not Referral.objects.exists()
