"""Rate limits and lockout: after 5 failed sign-ins for one account, even the right passphrase is refused for
15 minutes, with a clear message. The counts live in Django's DatabaseCache, shared by every server process."""

from __future__ import annotations

import re
import time

import pytest
from allauth.core.internal import ratelimit
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client

from accounts.testing import audit

PASSPHRASE = "correct horse battery staple"
LOCKED = "Too many attempts. Try again in 15 minutes"


def attempt(email: str, passphrase: str, client: Client | None = None):  # noqa: ANN201
    return (client or Client()).post("/account/login/", {"login": email, "password": passphrase})


def is_signed_in(response) -> bool:  # noqa: ANN001
    return response.status_code == 302 and "_auth_user_id" in response.client.session


@pytest.mark.django_db
def test_the_test_database_has_the_cache_table():
    """Django's create_test_db runs createcachetable, so pytest-django's database has the DatabaseCache table."""
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
    assert settings.CACHES["default"]["LOCATION"] in connection.introspection.table_names()
    cache.set("daybook-test", [1, 2, 3], 60)
    assert cache.get("daybook-test") == [1, 2, 3]


def test_five_failures_lock_the_account_even_for_the_right_passphrase(owner):  # noqa: ANN001
    for _ in range(5):
        response = attempt(owner.email, "not the right passphrase")
        assert response.status_code == 200
        assert "The email address or passphrase is not right" in response.content.decode()
    response = attempt(owner.email, PASSPHRASE)
    assert not is_signed_in(response)
    html = response.content.decode()
    assert LOCKED in html
    assert f'<a href="#id_login">{LOCKED}' in html, "the message is in the error summary, linked to the form"
    assert not audit(html)


def test_four_failures_then_the_right_passphrase_signs_in(owner):  # noqa: ANN001
    for _ in range(4):
        attempt(owner.email, "not the right passphrase")
    assert is_signed_in(attempt(owner.email, PASSPHRASE))


def test_lockout_holds_across_clients_and_only_for_that_account(owner, stranger):  # noqa: ANN001
    for _ in range(5):
        attempt(owner.email, "not the right passphrase", Client())
    assert LOCKED in attempt(owner.email, PASSPHRASE, Client()).content.decode()
    # Another person's account is not affected.
    assert is_signed_in(attempt(stranger.email, "another long passphrase here"))


def test_the_count_is_per_account_whatever_host_name_is_used(owner):  # noqa: ANN001
    """Failures counted under one host name (or on one web node: its Host has its own port) hold under another."""
    for host in ["127.0.0.1", "localhost", "127.0.0.1", "localhost", "127.0.0.1"]:
        attempt(owner.email, "not the right passphrase", Client(HTTP_HOST=host))
    response = attempt(owner.email.upper(), PASSPHRASE, Client(HTTP_HOST="localhost"))
    assert not is_signed_in(response)
    assert LOCKED in response.content.decode()


def test_unknown_addresses_lock_the_same_way(db):  # noqa: ANN001
    """So that the lockout itself cannot tell anyone whether an account exists."""
    for _ in range(5):
        attempt("nobody@example.com", "not the right passphrase")
    assert LOCKED in attempt("nobody@example.com", "not the right passphrase").content.decode()


def test_lockout_ends_after_fifteen_minutes(owner, monkeypatch):  # noqa: ANN001
    for _ in range(5):
        attempt(owner.email, "not the right passphrase")
    assert not is_signed_in(attempt(owner.email, PASSPHRASE))
    real = time.time
    monkeypatch.setattr(ratelimit.time, "time", lambda: real() + 15 * 60 + 1)
    assert is_signed_in(attempt(owner.email, PASSPHRASE))


def test_resetting_the_passphrase_lifts_the_lockout(owner):  # noqa: ANN001
    for _ in range(5):
        attempt(owner.email, "not the right passphrase")
    client = Client()
    client.post("/account/password/reset/", {"email": owner.email})
    link = re.search(r"http://testserver(/account/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    new = "saucepan glacier pocket thistle"
    client.post(page.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert is_signed_in(attempt(owner.email, new))


def test_ip_limit_is_configured_too():
    rates = ratelimit.parse_rates(settings.ACCOUNT_RATE_LIMITS["login_failed"])
    assert {(r.amount, r.duration, r.per) for r in rates} == {(10, 60, "ip"), (5, 15 * 60, "key")}
