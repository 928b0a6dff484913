"""Two-step verification end to end with the test client: turning on an authenticator app, signing in with
its code, recovery codes (shown, downloaded, each usable once), and passkeys (added, then used to sign in)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import Client

from accounts.testing import (
    TEST_PASSPHRASE,
    activate_totp,
    add_passkey,
    audit,
    confirm_passphrase,
    external_scripts,
    json_script_data,
    sign_in,
    totp_code,
)


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def person(owner):  # noqa: ANN001, ANN201
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    return owner


@pytest.fixture
def account_client(person) -> Client:  # noqa: ANN001
    client = Client()
    assert sign_in(client, person.email).status_code == 302
    confirm_passphrase(client)
    return client


@pytest.fixture
def totp_secret(account_client) -> str:  # noqa: ANN001
    return activate_totp(account_client)


def recovery_codes(client: Client) -> list[str]:
    html = client.get("/account/2fa/recovery-codes/").content.decode()
    return re.findall(r"<li><code>(\w+)</code></li>", html)


def start_sign_in(person) -> Client:  # noqa: ANN001
    """Email address and passphrase accepted; two-step verification still to do."""
    client = Client()
    response = sign_in(client, person.email)
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/authenticate/"
    assert not is_signed_in(client)
    return client


def test_turning_on_the_authenticator_app(account_client, person):  # noqa: ANN001
    html = account_client.get("/account/2fa/totp/activate/").content.decode()
    secret = re.search(r'<code id="authenticator-secret"[^>]*>([A-Z2-7]+)</code>', html).group(1)
    # A wrong code is refused kindly, and nothing is turned on.
    response = account_client.post("/account/2fa/totp/activate/", {"code": "123456" if totp_code(secret) != "123456" else "654321"})
    assert "That code is not right" in response.content.decode()
    assert not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    # The right code turns it on and goes straight to the new recovery codes.
    response = account_client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    page = account_client.get(response["Location"])
    html = page.content.decode()
    assert not audit(html)
    assert "Your recovery codes" in html
    assert len(recovery_codes(account_client)) == 10


def test_turning_on_needs_the_passphrase_again(person):  # noqa: ANN001
    client = Client()
    sign_in(client, person.email)
    response = client.get("/account/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/reauthenticate/")


def test_sign_in_with_an_authenticator_code(person, totp_secret):  # noqa: ANN001
    client = start_sign_in(person)
    page = client.get("/account/2fa/authenticate/")
    html = page.content.decode()
    assert not audit(html)
    assert "Enter your code" in html
    assert 'autocomplete="one-time-code"' in html
    assert "Cancel and sign out" in html
    # Not signed in yet: the diary stays closed.
    assert client.get("/account/settings/").status_code == 302
    wrong = client.post("/account/2fa/authenticate/", {"code": "000000" if totp_code(totp_secret) != "000000" else "111111"})
    html = wrong.content.decode()
    assert '<a href="#id_code">That code is not right' in html
    assert not audit(html)
    assert not is_signed_in(client)
    response = client.post("/account/2fa/authenticate/", {"code": totp_code(totp_secret)})
    # The page asked for while signed out is remembered in the session (never in the address) and opened now.
    assert response.status_code == 302 and response["Location"] == "/account/settings/"
    assert is_signed_in(client)
    assert client.get("/account/settings/").status_code == 200


def test_an_authenticator_code_works_only_once(person, totp_secret):  # noqa: ANN001
    code = totp_code(totp_secret)
    first = start_sign_in(person)
    first.post("/account/2fa/authenticate/", {"code": code})
    assert is_signed_in(first)
    second = start_sign_in(person)
    second.post("/account/2fa/authenticate/", {"code": code})
    assert not is_signed_in(second)


def test_recovery_codes_are_shown_downloaded_and_usable_once(account_client, person, totp_secret):  # noqa: ANN001
    codes = recovery_codes(account_client)
    assert len(codes) == 10 and all(re.fullmatch(r"\d{8}", c) for c in codes)
    download = account_client.get("/account/2fa/recovery-codes/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/plain")
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert download.content.decode().split() == codes
    assert "no-store" in download["Cache-Control"]

    client = start_sign_in(person)
    client.post("/account/2fa/authenticate/", {"code": codes[0]})
    assert is_signed_in(client)
    assert len(recovery_codes(account_client)) == 9

    again = start_sign_in(person)
    response = again.post("/account/2fa/authenticate/", {"code": codes[0]})
    assert not is_signed_in(again)
    assert "That code is not right" in response.content.decode()
    # Another unused code still works.
    again.post("/account/2fa/authenticate/", {"code": codes[1]})
    assert is_signed_in(again)


def test_making_new_recovery_codes_replaces_the_old_ones(account_client, totp_secret):  # noqa: ANN001
    old = recovery_codes(account_client)
    response = account_client.post("/account/2fa/recovery-codes/generate/")
    assert response.status_code == 302
    new = recovery_codes(account_client)
    assert len(new) == 10 and set(new).isdisjoint(old)


def test_turning_off_the_authenticator_app(account_client, person, totp_secret):  # noqa: ANN001
    response = account_client.post("/account/2fa/totp/deactivate/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    # Sign-in is back to one step.
    client = Client()
    assert sign_in(client, person.email)["Location"] == "/"


def test_two_step_index_shows_what_is_on(account_client, totp_secret):  # noqa: ANN001
    html = account_client.get("/account/2fa/").content.decode()
    assert not audit(html)
    assert "Turn off the authenticator app" in html
    assert "You have 10 of 10 recovery codes left" in html


# Passkeys


@pytest.fixture
def passkey(account_client, settings):  # noqa: ANN001, ANN201
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the test client's origin is http://testserver
    return add_passkey(account_client, passwordless=True)


def test_adding_a_passkey(account_client, person, passkey):  # noqa: ANN001
    key = Authenticator.objects.get(user=person, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "My phone"
    assert key.wrap().is_passwordless is True
    # The first key also brings recovery codes.
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.RECOVERY_CODES).exists()


BAD_ANSWERS = ['{"id": "nonsense"}', "{}", "[]", '"x"', "not json", '{"response": {}}', ""]


@pytest.mark.parametrize("answer", BAD_ANSWERS)
def test_a_bad_passkey_answer_is_refused_when_adding(account_client, person, settings, answer):  # noqa: ANN001
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    account_client.get("/account/2fa/webauthn/add/")
    response = account_client.post("/account/2fa/webauthn/add/", {"name": "x", "credential": answer})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=person, type=Authenticator.Type.WEBAUTHN).exists()
    html = response.content.decode()
    assert not audit(html)
    assert "govuk-error-summary" in html
    assert "The passkey did not work" in html or "needs JavaScript" in html


@pytest.mark.parametrize("answer", BAD_ANSWERS)
def test_a_bad_passkey_answer_is_refused_at_sign_in(person, passkey, answer):  # noqa: ANN001
    client = Client()
    client.get("/account/2fa/webauthn/login/", HTTP_ACCEPT="application/json")
    response = client.post("/account/2fa/webauthn/login/", {"credential": answer}, follow=True)
    assert response.status_code == 200
    assert not is_signed_in(client)
    # At the second step too.
    client = start_sign_in(person)
    client.get("/account/2fa/authenticate/")
    response = client.post("/account/2fa/authenticate/", {"credential": answer})
    assert response.status_code == 200
    assert not is_signed_in(client)


def test_sign_in_with_a_passkey_alone(person, passkey):  # noqa: ANN001
    client = Client()
    page = client.get("/account/login/").content.decode()
    assert "/static/accounts/passkeys.js" in external_scripts(page)
    # What passkeys.js does: ask the form's action for a challenge, then post the passkey's answer.
    challenge = client.get("/account/2fa/webauthn/login/", HTTP_ACCEPT="application/json")
    assert challenge.status_code == 200
    options = challenge.json()["request_options"]
    response = client.post("/account/2fa/webauthn/login/", {"credential": passkey.get(options)})
    assert response.status_code == 302
    assert is_signed_in(client)
    assert client.get("/account/settings/").status_code == 200


def test_a_passkey_answer_for_another_challenge_is_refused(person, passkey):  # noqa: ANN001
    client = Client()
    options = client.get("/account/2fa/webauthn/login/", HTTP_ACCEPT="application/json").json()["request_options"]
    options["publicKey"]["challenge"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
    client.post("/account/2fa/webauthn/login/", {"credential": passkey.get(options)})
    assert not is_signed_in(client)


def test_passkey_as_the_second_step(person, passkey):  # noqa: ANN001
    client = start_sign_in(person)
    html = client.get("/account/2fa/authenticate/").content.decode()
    assert not audit(html)
    assert 'data-passkey-form="authenticate"' in html
    assert "/static/accounts/passkeys.js" in external_scripts(html)
    options = json_script_data(html, "passkey-data")["request_options"]
    assert options["publicKey"]["allowCredentials"]
    client.post("/account/2fa/authenticate/", {"credential": passkey.get(options)})
    assert is_signed_in(client)


def test_confirming_it_is_you_with_a_passkey(account_client, passkey):  # noqa: ANN001
    html = account_client.get("/account/2fa/webauthn/reauthenticate/").content.decode()
    options = json_script_data(html, "passkey-data")["request_options"]
    response = account_client.post("/account/2fa/webauthn/reauthenticate/", {"credential": passkey.get(options)})
    assert response.status_code == 302


def test_passphrase_still_works_alongside_a_passkey(person, passkey):  # noqa: ANN001
    client = Client()
    response = sign_in(client, person.email, TEST_PASSPHRASE)
    assert response["Location"] == "/account/2fa/authenticate/"
