"""The police referral API by hand (design 8): credentials, create, natural-key and Idempotency-Key idempotence,
updates in order, late opt-out purge, outcomes, limits, audit, and every bad input class of issue 14."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.test import Client as HttpClient
from django.test import override_settings
from django.utils import timezone

from audit.models import AuditEvent
from casework import police, services
from casework.models import Alert, Client, ContactOutcome, PurgedReferral, Referral, ReferralUpdate
from casework.testing import make_referral, staff_of
from organisations.models import DataSharingAgreement, LawfulBasis, Role
from organisations.services import api_credential_issue, api_credential_revoke, api_credential_rotate
from organisations.testing import make_org, make_staff

pytestmark = pytest.mark.django_db


def agreement_for(org, name="Kent Police referral protocol") -> DataSharingAgreement:
    return DataSharingAgreement.objects.create(
        organisation=org, name=name, partner="Kent Police", lawful_basis=LawfulBasis.PUBLIC_TASK, starts_on=dt.date(2024, 1, 1)
    )


@pytest.fixture
def world(db):
    org = make_org("Kent Victim Hub", "ENG", "kent")
    other = make_org("Fife Support", "SCT", "fife")
    cred, token = api_credential_issue(organisation=org, agreement=agreement_for(org), sender="Kent Police VCU", force="Kent Police")
    other_agreement = agreement_for(other, "Fife protocol")
    other_cred, other_token = api_credential_issue(organisation=other, agreement=other_agreement, sender="Police Scotland", force="Kent Police")
    return {"org": org, "other": other, "cred": cred, "token": token, "other_cred": other_cred, "other_token": other_token}


def referral_body(**kw) -> dict:
    body = {
        "crime_reference": "KP/24/001234",
        "consent": "opt_out_notice",
        "full_name": "Alice Example",
        "date_of_birth": "1990-04-01",
        "phones": ["07700 900001"],
        "safe_numbers": "07700 900001",
        "voicemail_ok": False,
        "offences": ["stalking"],
        "police_risk": "medium",
        "suspect_name": "Sam Suspect",
        "suspect_relationship": "stranger",
        "officer": "PC 123 Jones",
        "account": "Followed home from work on four occasions.",
    }
    body.update(kw)
    return {k: v for k, v in body.items() if v is not None}


def call(token, method, path, body=None, **headers):
    client = HttpClient()
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    if method == "GET":
        return client.get(path, **extra)
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(path, data=data, content_type=headers.pop("content_type", "application/json"), **extra)


def error(response) -> dict:
    payload = response.json()
    assert set(payload) == {"error"} and set(payload["error"]) == {"code", "message", "fields"}
    return payload["error"]


def test_create_stores_sealed_referral_and_repeat_returns_the_same(world):
    r = call(world["token"], "POST", "/api/v1/referrals", referral_body())
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["created"] is True and data["outcome"] == "received"
    referral = Referral.objects.get(uuid=data["id"])
    assert referral.organisation == world["org"] and referral.force == "Kent Police" and referral.credential == world["cred"]
    assert referral.agreement == world["cred"].agreement and referral.lawful_basis == LawfulBasis.PUBLIC_TASK
    assert referral.crime_reference == "KP/24/001234" and referral.client.full_name == "Alice Example"
    assert "Alice" not in referral.client.full_name_enc
    # Same force, crime reference and person (spelt differently): the same referral, not a second one.
    again = call(world["token"], "POST", "/api/v1/referrals", referral_body(crime_reference="kp-24-001234", full_name="  alice   EXAMPLE "))
    assert again.status_code == 200 and again.json() == {**data, "created": False}
    assert Referral.objects.count() == 1
    # Another person on the same crime reference is another referral.
    assert call(world["token"], "POST", "/api/v1/referrals", referral_body(full_name="Bob Example")).status_code == 201


def test_idempotency_key_replays_and_refuses_reuse(world):
    r1 = call(world["token"], "POST", "/api/v1/referrals", referral_body(), **{"Idempotency-Key": "abc-1"})
    r2 = call(world["token"], "POST", "/api/v1/referrals", referral_body(), **{"Idempotency-Key": "abc-1"})
    assert r1.status_code == r2.status_code == 201 and r1.json() == r2.json()
    r3 = call(world["token"], "POST", "/api/v1/referrals", referral_body(full_name="Other Person"), **{"Idempotency-Key": "abc-1"})
    assert r3.status_code == 422 and error(r3)["code"] == "idempotency_key_reused"
    assert Referral.objects.count() == 1
    bad = call(world["token"], "POST", "/api/v1/referrals", referral_body(), **{"Idempotency-Key": "<script>"})
    assert bad.status_code == 400 and error(bad)["code"] == "invalid_idempotency_key"
    for key in ("", "abc\n", "k" * 101):
        r = call(world["token"], "POST", "/api/v1/referrals", referral_body(), **{"Idempotency-Key": key})
        assert r.status_code == 400 and error(r)["code"] == "invalid_idempotency_key", repr(key)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"consent": "opted_out"}, "opted out"),
        ({"suspect_relationship": "ex_partner"}, "domestic abuse"),
        ({"domestic_abuse": True}, "domestic abuse"),
        ({"offences": ["sexual"]}, "sexual offence"),
        ({"sexual_offence": True}, "sexual offence"),
    ],
)
def test_refused_referrals_are_never_stored(world, changes, words):
    r = call(world["token"], "POST", "/api/v1/referrals", referral_body(**changes))
    assert r.status_code == 422
    err = error(r)
    assert err["code"] == "refused" and words in err["message"]
    assert not Referral.objects.exists() and not Client.objects.exists()
    assert AuditEvent.objects.filter(action="referral.refused").count() == 1


def test_domestic_abuse_with_explicit_consent_is_taken(world):
    r = call(world["token"], "POST", "/api/v1/referrals", referral_body(consent="explicit", suspect_relationship="ex_partner"))
    assert r.status_code == 201
    assert Referral.objects.get().domestic_abuse is True


BAD_FIELDS = [
    ({"full_name": ""}, "full_name"),
    ({"full_name": "   "}, "full_name"),
    ({"crime_reference": None}, "crime_reference"),
    ({"full_name": "x" * 201}, "full_name"),
    ({"account": "y" * 4001}, "account"),
    ({"full_name": 42}, "full_name"),
    ({"voicemail_ok": "yes"}, "voicemail_ok"),
    ({"phones": "07700 900001"}, "phones"),
    ({"offences": ["stalking", 3]}, "offences"),
    ({"full_name": "<script>alert(1)</script>"}, "full_name"),
    ({"crime_reference": "<b>KP</b>"}, "crime_reference"),
    ({"full_name": "Alice \u202eelpmaxE"}, "full_name"),
    ({"date_of_birth": "2023-02-30"}, "date_of_birth"),
    ({"date_of_birth": "01/04/1990"}, "date_of_birth"),
    ({"date_of_birth": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}, "date_of_birth"),
    ({"date_reported": "2999-01-01"}, "date_reported"),
    ({"police_risk": "extreme"}, "police_risk"),
    ({"offences": ["jaywalking"]}, "offences"),
    ({"suspect_relationship": "nemesis"}, "suspect_relationship"),
    ({"consent": "self"}, "consent"),
    ({"favourite_colour": "blue"}, "favourite_colour"),
    ({"phones": ["not a number"]}, "phones"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_FIELDS)
def test_bad_fields_get_field_errors_and_nothing_is_stored(world, changes, field):
    body = referral_body(**{k: v for k, v in changes.items() if v is not None})
    for k, v in changes.items():
        if v is None:
            body.pop(k)
    r = call(world["token"], "POST", "/api/v1/referrals", body)
    assert r.status_code == 422, r.content
    err = error(r)
    assert err["code"] == "invalid" and field in err["fields"] and err["fields"][field]
    assert not Referral.objects.exists() and not Client.objects.exists()


def test_right_to_left_and_other_scripts_are_kept_as_given(world):
    r = call(world["token"], "POST", "/api/v1/referrals", referral_body(full_name="ليلى أحمد", suspect_name="דוד כהן", account="מעקב ליד הבית"))
    assert r.status_code == 201
    referral = Referral.objects.get()
    assert referral.client.full_name == "ليلى أحمد" and referral.suspect_name == "דוד כהן"


@pytest.mark.parametrize(
    ("body", "content_type", "status", "code"),
    [
        ("not json", "application/json", 400, "invalid_json"),
        ("[1, 2]", "application/json", 400, "invalid_json"),
        ("", "application/json", 400, "invalid_json"),
        (b"\xff\xfe", "application/json", 400, "invalid_json"),
        ("{}", "text/plain", 415, "unsupported_media_type"),
        (json.dumps({"account": "z" * 70000}), "application/json", 413, "too_large"),
    ],
)
def test_malformed_bodies(world, body, content_type, status, code):
    r = call(world["token"], "POST", "/api/v1/referrals", body, content_type=content_type)
    assert r.status_code == status and error(r)["code"] == code
    assert not Referral.objects.exists()


def test_credentials_required_and_scoped(world):
    assert error(call("", "POST", "/api/v1/referrals", referral_body()))["code"] == "unauthorised"
    assert call("dbk_nope_nope", "POST", "/api/v1/referrals", referral_body()).status_code == 401
    assert call(world["token"] + "x", "POST", "/api/v1/referrals", referral_body()).status_code == 401
    # No session authentication: a signed-in staff member without a token is refused.
    lead = make_staff(world["org"], Role.ORG_ADMIN, "Admin")
    browser = HttpClient(enforce_csrf_checks=True)
    browser.force_login(lead.user)
    assert browser.post("/api/v1/referrals", data=json.dumps(referral_body()), content_type="application/json").status_code == 401
    # Another organisation's credential never sees or updates this organisation's referral.
    mine = call(world["token"], "POST", "/api/v1/referrals", referral_body()).json()
    theirs = call(world["other_token"], "GET", f"/api/v1/referrals/{mine['id']}")
    assert theirs.status_code == 404 and error(theirs)["code"] == "not_found"
    upd = {"crime_reference": "KP/24/001234", "full_name": "Alice Example", "kind": "charged", "sent_at": timezone.now().isoformat()}
    assert call(world["other_token"], "POST", "/api/v1/updates", upd).status_code == 404
    wd = {"crime_reference": "KP/24/001234", "full_name": "Alice Example", "reason": "late_opt_out"}
    assert call(world["other_token"], "POST", "/api/v1/withdrawals", wd).status_code == 404
    assert Referral.objects.filter(uuid=mine["id"]).exists()
    # A staff-recorded referral's id is not the sender's.
    staff_ref = make_referral(make_staff(world["org"], Role.TEAM_LEAD, "Lead"))
    assert call(world["token"], "GET", f"/api/v1/referrals/{staff_ref.uuid}").status_code == 404
    assert call(world["token"], "GET", f"/api/v1/referrals/{uuid.uuid4()}").status_code == 404
    assert call(world["token"], "GET", "/api/v1/referrals/12").status_code == 404


def test_rotation_and_revocation(world):
    old = world["token"]
    new = api_credential_rotate(credential=world["cred"])
    assert call(old, "GET", "/api/v1/referrals").status_code == 401
    assert call(new, "GET", "/api/v1/referrals").status_code == 200
    world["cred"].refresh_from_db()
    assert new not in world["cred"].token_hash and len(world["cred"].token_hash) == 64
    api_credential_revoke(credential=world["cred"])
    assert call(new, "GET", "/api/v1/referrals").status_code == 401


def test_updates_in_order_replay_and_unknown(world):
    created = call(world["token"], "POST", "/api/v1/referrals", referral_body()).json()
    t1 = timezone.now() - dt.timedelta(hours=2)
    upd = {"crime_reference": "KP/24/001234", "full_name": "Alice Example", "kind": "new_officer", "officer": "DC 9 Patel", "sent_at": t1.isoformat()}
    r = call(world["token"], "POST", "/api/v1/updates", upd)
    assert r.status_code == 200 and r.json()["applied"] is True and r.json()["id"] == created["id"]
    assert Referral.objects.get().officer == "DC 9 Patel"
    replay = call(world["token"], "POST", "/api/v1/updates", upd)
    assert replay.status_code == 200 and replay.json()["applied"] is False
    later = {**upd, "kind": "charged", "detail": "Charged under s.2A", "sent_at": (t1 + dt.timedelta(hours=1)).isoformat()}
    assert call(world["token"], "POST", "/api/v1/updates", later).status_code == 200
    older = {**upd, "kind": "no_further_action", "sent_at": (t1 - dt.timedelta(hours=1)).isoformat()}
    r = call(world["token"], "POST", "/api/v1/updates", older)
    assert r.status_code == 409 and error(r)["code"] == "out_of_order"
    assert list(ReferralUpdate.objects.values_list("kind", flat=True)) == ["new_officer", "charged"]
    unknown = call(world["token"], "POST", "/api/v1/updates", {**upd, "crime_reference": "KP/99/9"})
    assert unknown.status_code == 404 and error(unknown)["code"] == "unknown_referral"
    no_officer = call(world["token"], "POST", "/api/v1/updates", {**upd, "officer": "", "sent_at": timezone.now().isoformat()})
    assert no_officer.status_code == 422 and "officer" in error(no_officer)["fields"]
    future = call(world["token"], "POST", "/api/v1/updates", {**upd, "sent_at": "2999-01-01T00:00:00+00:00"})
    assert future.status_code == 422 and "sent_at" in error(future)["fields"]
    naive = call(world["token"], "POST", "/api/v1/updates", {**upd, "sent_at": "2024-01-01T10:00:00"})
    assert naive.status_code == 422


def test_late_opt_out_purges_content_and_leaves_a_record(world):
    created = call(world["token"], "POST", "/api/v1/referrals", referral_body(suspect_name="Harry Holder")).json()
    referral = Referral.objects.get(uuid=created["id"])
    client_pk = referral.client_id
    r = call(world["token"], "POST", "/api/v1/withdrawals", {"crime_reference": "KP/24/001234", "full_name": "Alice Example", "reason": "late_opt_out"})
    assert r.status_code == 200 and r.json()["outcome"] == "withdrawn"
    assert not Referral.objects.exists() and not Client.objects.filter(pk=client_pk).exists()
    purged = PurgedReferral.objects.get()
    assert str(purged.uuid) == created["id"]
    assert {f.name for f in PurgedReferral._meta.get_fields()} == {"id", "organisation", "uuid", "source", "credential", "received_at", "purged_at"}
    assert call(world["token"], "GET", f"/api/v1/referrals/{created['id']}").json()["outcome"] == "withdrawn"
    assert AuditEvent.objects.filter(action="referral.purged").count() == 1
    # Sent again after the opt-out with "opted_out": refused and not stored.
    assert call(world["token"], "POST", "/api/v1/referrals", referral_body(consent="opted_out")).status_code == 422
    assert not Referral.objects.exists()


def test_outcomes_read_back(world):
    lead = make_staff(world["org"], Role.TEAM_LEAD, "Lead")
    ids = [call(world["token"], "POST", "/api/v1/referrals", referral_body(full_name=n)).json()["id"] for n in ("Ann One", "Ben Two", "Cat Three")]
    one, two, three = (Referral.objects.get(uuid=i) for i in ids)
    now = timezone.now()
    services.contact_attempt_record(
        staff=staff_of(lead), referral=one, at=now, channel="phone", outcome=ContactOutcome.SPOKE, identity="call_back", privacy_notice=True
    )
    services.referral_decline(staff=staff_of(lead), referral=two, reason="Person declined support")
    for _ in range(police.UNREACHABLE_AFTER):
        services.contact_attempt_record(staff=staff_of(lead), referral=three, at=now, channel="phone", outcome=ContactOutcome.NO_ANSWER)
    outcomes = {i: call(world["token"], "GET", f"/api/v1/referrals/{i}").json()["outcome"] for i in ids}
    assert outcomes == {ids[0]: "contacted", ids[1]: "declined", ids[2]: "could_not_be_reached"}
    page = call(world["token"], "GET", "/api/v1/referrals?limit=2").json()
    assert [r["id"] for r in page["referrals"]] == ids[:2] and page["next_offset"] == 2
    assert call(world["token"], "GET", "/api/v1/referrals?limit=2&offset=2").json()["next_offset"] is None
    assert call(world["token"], "GET", "/api/v1/referrals?limit=0").status_code == 422
    assert call(world["token"], "GET", "/api/v1/referrals?limit=x").status_code == 422
    assert call(world["other_token"], "GET", "/api/v1/referrals").json()["referrals"] == []


def test_counter_referral_alert_from_the_api(world):
    lead = make_staff(world["org"], Role.TEAM_LEAD, "Lead")
    held = make_referral(lead, full_name="Sam Suspect")
    services.referral_accept(staff=staff_of(lead), referral=held)
    call(world["token"], "POST", "/api/v1/referrals", referral_body())
    assert Alert.objects.filter(kind="client_suspect").count() == 1


@override_settings(DAYBOOK_API_RATE_PER_MINUTE=3)
def test_rate_limit_and_every_call_audited(world):
    from django.core.cache import cache

    cache.clear()
    statuses = [call(world["token"], "GET", "/api/v1/referrals").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    r = call(world["token"], "GET", "/api/v1/referrals")
    assert error(r)["code"] == "rate_limited" and int(r["Retry-After"]) > 0
    call("", "GET", "/api/v1/referrals")
    rows = AuditEvent.objects.filter(action="api.called")
    assert rows.count() == 6
    assert rows.filter(organisation=world["org"]).count() == 5 and rows.filter(organisation__isnull=True).count() == 1
    assert all("Alice" not in t for t in rows.values_list("target", flat=True))


def test_wrong_method_and_openapi_served(world):
    r = call(world["token"], "GET", "/api/v1/updates")
    assert r.status_code == 405 and error(r)["code"] == "method_not_allowed"
    doc = HttpClient().get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.") and set(doc["paths"]) == {"/referrals", "/referrals/{id}", "/updates", "/withdrawals"}
    assert set(doc["components"]["schemas"]["Referral"]["properties"]) == {f.name for f in police.REFERRAL_FIELDS}
