"""Organisations and the staff gate: route x role, MFA always, idle timeout, invitations, settings, agreements,
another organisation's staff and a diary user refused with a page that looks like a missing one."""

from __future__ import annotations

import re
import time

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.testing import audit as page_audit
from audit.models import AuditEvent
from kernel import crypto
from organisations.keys import token_hash
from organisations.models import ApiCredential, DataSharingAgreement, Invitation, Membership, Organisation, Role
from organisations.services import api_credential_for, api_credential_issue
from organisations.testing import make_org, make_staff, signed_in

pytestmark = pytest.mark.django_db

ROLES = list(Role.values)


@pytest.fixture
def world(owner):
    org = make_org("Kent Victim Hub", "ENG", "kent")
    other = make_org("Fife Support", "SCT", "fife")
    staff = {role: make_staff(org, role, f"Kent {role}") for role in ROLES}
    outsider = make_staff(other, Role.ORG_ADMIN, "Fife Admin")
    agreement = DataSharingAgreement.objects.create(
        organisation=org, name="Kent Police DSA", partner="Kent Police", lawful_basis="public_task", starts_on="2026-01-01"
    )
    invitation = Invitation.objects.create(
        organisation=org, email="new@example.org", role=Role.CASEWORKER, display_name="New", token_hash=token_hash("t"), expires_at="2099-01-01T00:00Z"
    )
    credential, _ = api_credential_issue(organisation=org, agreement=agreement, sender="Kent Police VCU", force="Kent Police")
    return {
        "org": org,
        "other": other,
        "staff": staff,
        "outsider": outsider,
        "diary_user": owner,
        "agreement": agreement,
        "invitation": invitation,
        "credential": credential,
    }


def routes(w) -> list[tuple[str, set[str]]]:
    """(address, roles that may use it). Everyone else gets the missing page."""
    admin = {Role.ORG_ADMIN}
    victim = w["staff"][Role.CASEWORKER]
    return [
        ("/staff/kent/", set(ROLES)),
        ("/staff/kent/me/connections/", set(ROLES)),
        ("/staff/kent/people/", admin),
        (f"/staff/kent/people/{victim.pk}/remove/", admin),
        (f"/staff/kent/people/{victim.pk}/role/", admin),
        (f"/staff/kent/invitations/{w['invitation'].pk}/revoke/", admin),
        ("/staff/kent/settings/", admin),
        ("/staff/kent/agreements/", admin),
        (f"/staff/kent/agreements/{w['agreement'].pk}/end/", admin),
        ("/staff/kent/api-credentials/", admin),
        (f"/staff/kent/api-credentials/{w['credential'].pk}/rotate/", admin),
        (f"/staff/kent/api-credentials/{w['credential'].pk}/revoke/", admin),
    ]


POST_ONLY = ("/remove/", "/revoke/", "/end/", "/role/", "/rotate/")


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_route_by_role(world):
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    for url, allowed in routes(world):
        for role in ROLES:
            client = signed_in(world["staff"][role].user)
            response = client.get(url)
            if url.endswith(POST_ONLY):
                expected = 405 if role in allowed else 404
            else:
                expected = 200 if role in allowed else 404
            assert response.status_code == expected, (url, role, response.status_code)
            if expected == 404:
                assert strip(response.content) == missing, (url, role)
        for who in (world["outsider"].user, world["diary_user"]):
            client = signed_in(who)
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"name": "x"}).status_code == 404, url
            assert strip(client.get(url).content) == missing
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url
    # Nothing was changed by the refused posts.
    assert world["invitation"].__class__.objects.get(pk=world["invitation"].pk).state == "open"
    assert DataSharingAgreement.objects.get(pk=world["agreement"].pk).active
    assert ApiCredential.objects.get(pk=world["credential"].pk).token_hash == world["credential"].token_hash
    assert Membership.objects.filter(active=True, organisation=world["org"]).count() == len(ROLES)


def test_pages_are_accessible_and_csp_clean(world):
    client = signed_in(world["staff"][Role.ORG_ADMIN].user)
    for url, allowed in routes(world):
        if Role.ORG_ADMIN in allowed and not url.endswith(POST_ONLY):
            html = client.get(url).content.decode()
            assert page_audit(html) == [], url
            assert "Staff area" in html and "My cases" not in html, url


def test_staff_without_mfa_are_stopped(world):
    org = world["org"]
    no_mfa = make_staff(org, Role.TEAM_LEAD, "No Mfa", mfa=False)
    response = signed_in(no_mfa.user).get("/staff/kent/")
    assert response.status_code == 403 and "Set up two-step verification" in response.content.decode()
    # MFA is on for the account, but this session did not use it.
    response = signed_in(world["staff"][Role.TEAM_LEAD].user, mfa=False).get("/staff/kent/")
    assert response.status_code == 403 and "sign in again" in response.content.decode()


def test_real_sign_in_with_totp_opens_the_staff_area(world):
    from allauth.account.models import EmailAddress

    from accounts.testing import activate_totp, confirm_passphrase, sign_in, totp_code

    member = make_staff(world["org"], Role.INTAKE, "Real Signin", mfa=False)
    EmailAddress.objects.create(user=member.user, email=member.user.email, verified=True, primary=True)
    setup = Client()
    sign_in(setup, member.user.email)
    confirm_passphrase(setup)
    secret = activate_totp(setup)
    client = Client()
    assert sign_in(client, member.user.email)["Location"] == "/account/2fa/authenticate/"
    assert client.post("/account/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    assert client.get("/staff/kent/").status_code == 200


def test_idle_timeout_is_the_organisation_setting(world):
    member = world["staff"][Role.TEAM_LEAD]
    client = signed_in(member.user)
    assert client.get("/staff/kent/").status_code == 200
    session = client.session
    session[f"staff_seen:{world['org'].pk}"] = time.time() - 16 * 60  # default: 15 minutes
    session.save()
    response = client.get("/staff/kent/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert "_auth_user_id" not in client.session
    # A longer timeout keeps the same gap inside it.
    world["org"].settings.idle_timeout_minutes = 30
    world["org"].settings.save()
    client = signed_in(member.user)
    client.get("/staff/kent/")
    session = client.session
    session[f"staff_seen:{world['org'].pk}"] = time.time() - 16 * 60
    session.save()
    assert client.get("/staff/kent/").status_code == 200


def test_invitation_token_is_stored_hashed_and_works_once(world):
    admin = signed_in(world["staff"][Role.ORG_ADMIN].user)
    response = admin.post("/staff/kent/people/", {"display_name": "Sam Newcomer", "email": "Sam@Example.org", "role": Role.CASEWORKER})
    link = re.search(r'<code id="invitation-link">[^<]*/staff/join/([^/<]+)/</code>', response.content.decode())
    token = link.group(1)
    invitation = Invitation.objects.get(email="sam@example.org")
    assert invitation.token_hash == token_hash(token) and token not in invitation.token_hash
    from django.contrib.auth import get_user_model

    sam = get_user_model().objects.create_user(username="sam", email="sam@example.org", password="correct horse battery staple")
    wrong = get_user_model().objects.create_user(username="wrong", email="wrong@example.org", password="correct horse battery staple")
    assert signed_in(wrong).get(f"/staff/join/{token}/").status_code == 404
    sam_client = signed_in(sam)
    assert sam_client.get(f"/staff/join/{token}/").status_code == 200
    assert sam_client.post(f"/staff/join/{token}/").status_code == 302
    assert Membership.objects.get(user=sam).role == Role.CASEWORKER
    assert sam_client.get(f"/staff/join/{token}/").status_code == 404  # used
    assert AuditEvent.objects.filter(organisation=world["org"], action="staff.joined").exists()


def test_revoked_or_expired_invitation_does_not_work(world):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="n", email="new@example.org", password="correct horse battery staple")
    admin = signed_in(world["staff"][Role.ORG_ADMIN].user)
    assert admin.post(f"/staff/kent/invitations/{world['invitation'].pk}/revoke/").status_code == 302
    assert signed_in(user).get("/staff/join/t/").status_code == 404
    Invitation.objects.filter(pk=world["invitation"].pk).update(revoked_at=None, expires_at="2020-01-01T00:00Z")
    assert signed_in(user).get("/staff/join/t/").status_code == 404


def test_admin_removes_someone_who_then_has_no_access(world):
    admin = signed_in(world["staff"][Role.ORG_ADMIN].user)
    leaver = world["staff"][Role.CASEWORKER]
    assert admin.post(f"/staff/kent/people/{leaver.pk}/remove/").status_code == 302
    assert signed_in(leaver.user).get("/staff/kent/").status_code == 404
    assert AuditEvent.objects.filter(action="staff.removed", actor=world["staff"][Role.ORG_ADMIN].user).exists()


def test_settings_refuse_bad_values_and_keep_the_old_ones(world):
    admin = signed_in(world["staff"][Role.ORG_ADMIN].user)
    bad = {
        "idle_timeout_minutes": "0",
        "first_contact_days_high": "-1",
        "first_contact_days_medium": "abc",
        "first_contact_days_standard": "5",
        "first_contact_days_unknown": "2",
        "caseload_ceiling": "30",
        "failed_attempts_limit": "3",
        "next_step_after_failed": "lead_review",
        "check_in_grace_minutes": "2",
        "cover_max_days": "400",
        "service_hours": "Monday to Friday, 9am to 5pm",
        "helpline": "National Stalking Helpline: 0808 802 0300",
    }
    response = admin.post("/staff/kent/settings/", bad)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "Choose between 5 and 120 minutes." in page and "Choose between 1 and 366 days." in page
    world["org"].settings.refresh_from_db()
    assert world["org"].settings.idle_timeout_minutes == 15
    good = dict(bad, idle_timeout_minutes="20", first_contact_days_high="1", first_contact_days_medium="3", check_in_grace_minutes="30", cover_max_days="92")
    assert admin.post("/staff/kent/settings/", good).status_code == 302
    world["org"].settings.refresh_from_db()
    assert world["org"].settings.idle_timeout_minutes == 20 and world["org"].settings.first_contact_days_medium == 3


def test_agreement_dates_checked(world):
    admin = signed_in(world["staff"][Role.ORG_ADMIN].user)
    data = {"name": "Essex DSA", "partner": "Essex Police", "lawful_basis": "public_task", "starts_on": "2026-05-01", "ends_on": "2026-01-01"}
    response = admin.post("/staff/kent/agreements/", data)
    assert response.status_code == 200 and "must be after" in response.content.decode()
    assert not DataSharingAgreement.objects.filter(name="Essex DSA").exists()
    assert admin.post("/staff/kent/agreements/", dict(data, ends_on="")).status_code == 302


def test_connection_kept_only_as_a_keyed_hash(world):
    member = world["staff"][Role.CASEWORKER]
    assert signed_in(member.user).post("/staff/kent/me/connections/", {"name": "Jane Relative"}).status_code == 302
    token = member.connections.get().name_token
    assert "jane" not in token.lower() and len(token) == 32
    # The same name in another organisation gives another token.
    assert world["other"].blind_token("name", "jane relative") != token


def test_create_organisation_command(owner, capsys):
    call_command("create_organisation", "--name", "Gwent Support", "--nation", "WLS", "--admin-email", "owner@example.com")
    org = Organisation.objects.get(slug="gwent-support")
    assert org.nation == "WLS" and org.settings.idle_timeout_minutes == 15
    assert Membership.objects.get(organisation=org).role == Role.ORG_ADMIN
    assert "/staff/gwent-support/" in capsys.readouterr().out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="already exists"):
        call_command("create_organisation", "--name", "Gwent Support", "--nation", "WLS", "--admin-email", "owner@example.com")
    with pytest.raises(CommandError, match="No account"):
        call_command("create_organisation", "--name", "X", "--nation", "ENG", "--admin-email", "nobody@example.com")


def test_rotate_master_key_rewraps_organisation_keys(settings, world):
    import base64
    import secrets

    org = world["org"]
    before = org.data_key()
    old = settings.DAYBOOK_MASTER_KEY
    settings.DAYBOOK_MASTER_KEY = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.DAYBOOK_OLD_MASTER_KEYS = [old]
    call_command("rotate_master_key")
    fresh = Organisation.objects.get(pk=org.pk)
    assert fresh.key_id == crypto.master_key_id()
    settings.DAYBOOK_OLD_MASTER_KEYS = []
    assert fresh.data_key() == before


def test_admin_changes_a_role_and_the_intake_scope(world):
    admin = world["staff"][Role.ORG_ADMIN]
    worker = world["staff"][Role.CASEWORKER]
    client = signed_in(admin.user)
    assert signed_in(worker.user).get("/staff/kent/queue/").status_code == 404
    assert client.post(f"/staff/kent/people/{worker.pk}/role/", {"role": Role.CASEWORKER, "intake_allowed": "on"}).status_code == 302
    assert signed_in(worker.user).get("/staff/kent/queue/").status_code == 200
    assert client.post(f"/staff/kent/people/{worker.pk}/role/", {"role": Role.AUDITOR, "intake_allowed": "on"}).status_code == 302
    worker.refresh_from_db()
    assert (worker.role, worker.intake_allowed) == (Role.AUDITOR, False)  # the scope is for caseworkers only
    assert AuditEvent.objects.filter(action="staff.role_changed", target__contains="caseworker + intake -> auditor").exists()
    assert client.post(f"/staff/kent/people/{worker.pk}/role/", {"role": "superuser"}).status_code == 302
    worker.refresh_from_db()
    assert worker.role == Role.AUDITOR
    # Not one's own role; not another organisation's member.
    client.post(f"/staff/kent/people/{admin.pk}/role/", {"role": Role.TEAM_LEAD})
    admin.refresh_from_db()
    assert admin.role == Role.ORG_ADMIN
    assert client.post(f"/staff/kent/people/{world['outsider'].pk}/role/", {"role": Role.TEAM_LEAD}).status_code == 404


def test_admin_issues_rotates_and_revokes_api_credentials(world):
    admin = signed_in(world["staff"][Role.ORG_ADMIN].user)
    response = admin.post("/staff/kent/api-credentials/", {"agreement": world["agreement"].pk, "sender": "Kent Police MASH", "force": "Kent Police"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    token = re.search(r'value="(dbk_[^"]+)"', response.content.decode()).group(1)
    credential = api_credential_for(token)
    assert credential is not None and credential.sender == "Kent Police MASH" and credential.organisation == world["org"]
    assert token not in credential.token_hash and ApiCredential.objects.filter(token_hash__contains=token).count() == 0
    # Shown once: the list page never shows it again.
    assert token not in admin.get("/staff/kent/api-credentials/").content.decode()
    rotated = admin.post(f"/staff/kent/api-credentials/{credential.pk}/rotate/")
    new = re.search(r'value="(dbk_[^"]+)"', rotated.content.decode()).group(1)
    assert api_credential_for(token) is None and api_credential_for(new).pk == credential.pk
    admin.post(f"/staff/kent/api-credentials/{credential.pk}/revoke/")
    assert api_credential_for(new) is None
    assert admin.post(f"/staff/kent/api-credentials/{credential.pk}/rotate/").status_code == 404
    actions = list(AuditEvent.objects.filter(action__startswith="api_credential.").values_list("action", flat=True))
    assert actions.count("api_credential.rotated") == 1 and actions.count("api_credential.revoked") == 1
    # An agreement of another organisation cannot be chosen.
    other_agreement = DataSharingAgreement.objects.create(
        organisation=world["other"], name="Fife DSA", partner="Police Scotland", lawful_basis="public_task", starts_on="2026-01-01"
    )
    bad = admin.post("/staff/kent/api-credentials/", {"agreement": other_agreement.pk, "sender": "X", "force": "Y"})
    assert bad.status_code == 200 and "Copy this token now" not in bad.content.decode()
    assert not ApiCredential.objects.filter(organisation=world["org"], sender="X").exists()
