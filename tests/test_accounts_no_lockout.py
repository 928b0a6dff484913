"""No lock-out switch for a stalker (issue 11, item 2): failures from anywhere never refuse the owner's right
passphrase and second step; guessing is still refused; the owner is told, neutrally, of failed attempts."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import SignInRecord
from accounts.signin import notice_text
from accounts.testing import TEST_PASSPHRASE, activate_totp, confirm_passphrase, sign_in, totp_code

LOCKED = "Too many attempts."


@pytest.fixture(autouse=True)
def reachable_from_a_network(settings):  # noqa: ANN001
    """Attempts come from several addresses: the network setup (mandatory e-mail verification)."""
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    settings.DAYBOOK_LOCAL_ONLY = False


@pytest.fixture
def person(owner):  # noqa: ANN001, ANN201
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    return owner


@pytest.fixture
def totp_secret(person) -> str:  # noqa: ANN001
    client = Client()
    sign_in(client, person.email)
    confirm_passphrase(client)
    return activate_totp(client)


def attempt(email: str, passphrase: str, ip: str = "203.0.113.9") -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=ip)
    return client, client.post("/account/login/", {"login": email, "password": passphrase})


@pytest.mark.parametrize("ips", [["198.51.100.7"], [f"198.51.100.{i}" for i in range(20)]], ids=["one address", "many addresses"])
def test_failures_from_anywhere_never_refuse_the_passphrase_and_second_step(person, totp_secret, ips):  # noqa: ANN001
    for i in range(20):
        _, response = attempt(person.email, "not the right passphrase", ips[i % len(ips)])
    assert LOCKED in response.content.decode(), "guessing is still refused"
    # The owner, from the stalker's own address even, with the right passphrase and code, gets in.
    client, response = attempt(person.email, TEST_PASSPHRASE, ips[0])
    assert response.status_code == 302 and response["Location"] == "/account/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    done = client.post("/account/2fa/authenticate/", {"code": totp_code(totp_secret)})
    assert done.status_code == 302, re.search(r"govuk-error-summary.*?</ul>", done.content.decode(), re.S).group(0)
    assert "_auth_user_id" in client.session


def test_over_the_limit_a_passphrase_alone_gets_no_further_than_the_second_step(person, totp_secret):  # noqa: ANN001
    for _ in range(6):
        attempt(person.email, "not the right passphrase")
    client, response = attempt(person.email, TEST_PASSPHRASE)
    assert response["Location"] == "/account/2fa/authenticate/"
    wrong = "000000" if totp_code(totp_secret) != "000000" else "111111"
    assert client.post("/account/2fa/authenticate/", {"code": wrong}).status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_owner_is_told_of_failed_attempts_since_they_last_signed_in(person):  # noqa: ANN001
    for _ in range(3):
        attempt(person.email, "not the right passphrase")
    assert SignInRecord.objects.get(user=person).failed_since_last == 3
    client, response = attempt(person.email, TEST_PASSPHRASE)
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert notice_text(3) in page
    assert "3 unsuccessful attempts" in page
    # Told once: the count starts again.
    assert SignInRecord.objects.get(user=person).failed_since_last == 0
    assert "unsuccessful" not in client.get("/").content.decode()
    other, _ = attempt(person.email, TEST_PASSPHRASE)
    assert "unsuccessful" not in other.get("/").content.decode()


def test_unknown_addresses_leave_no_record(db):  # noqa: ANN001
    attempt("nobody@example.com", "not the right passphrase")
    assert not SignInRecord.objects.exists()
