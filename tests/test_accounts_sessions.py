"""Sessions: signed out after 20 minutes idle (renewed by activity, gone when the browser closes), and the list
of signed-in devices with "sign out everywhere else"."""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from accounts.testing import audit

PASSPHRASE = "correct horse battery staple"
FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
SAFARI_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"


def signed_in_client(email: str = "owner@example.com", user_agent: str = FIREFOX_ANDROID) -> Client:
    client = Client(HTTP_USER_AGENT=user_agent)
    response = client.post("/account/login/", {"login": email, "password": PASSPHRASE})
    assert response.status_code == 302 and response["Location"] == "/"
    return client


def session_row(client: Client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def test_idle_timeout_is_twenty_minutes_renewed_on_every_request():
    assert settings.SESSION_COOKIE_AGE == 20 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_a_session_idle_past_the_timeout_is_signed_out(owner):  # noqa: ANN001
    client = signed_in_client()
    assert client.get("/account/settings/").status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/account/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"  # where they were going stays in the session, not the address
    # Signed out for good: the next request is anonymous too.
    assert client.get("/account/settings/").status_code == 302


def test_activity_renews_the_session(owner):  # noqa: ANN001
    client = signed_in_client()
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=timezone.now() + dt.timedelta(minutes=1))
    before = timezone.now()
    assert client.get("/account/settings/").status_code == 200
    expiry = session_row(client).expire_date
    assert before + dt.timedelta(minutes=19) < expiry <= timezone.now() + dt.timedelta(minutes=20, seconds=1)


def test_the_session_cookie_goes_when_the_browser_closes(owner):  # noqa: ANN001
    client = Client()
    response = client.post("/account/login/", {"login": owner.email, "password": PASSPHRASE})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_the_account_page_states_the_timeout(owner):  # noqa: ANN001
    client = signed_in_client()
    assert "signed out after 20 minutes without activity" in client.get("/account/settings/").content.decode()


def test_sessions_list_shows_both_devices(owner):  # noqa: ANN001
    phone = signed_in_client(user_agent=FIREFOX_ANDROID)
    laptop = signed_in_client(user_agent=SAFARI_MAC)
    assert UserSession.objects.filter(user=owner).count() == 2
    html = phone.get("/account/sessions/").content.decode()
    assert not audit(html)
    assert html.count('class="govuk-summary-card"') == 2
    assert "This device: Firefox on Android" in html
    assert "Another device: Safari on Mac" in html
    assert "Sign out everywhere else" in html
    assert laptop.get("/account/sessions/").content.decode().count("This device") == 1


def test_sign_out_everywhere_else_ends_the_other_session_only(owner):  # noqa: ANN001
    phone = signed_in_client(user_agent=FIREFOX_ANDROID)
    laptop = signed_in_client(user_agent=SAFARI_MAC)
    response = phone.post("/account/sessions/")
    assert response.status_code == 302
    # The other device is signed out and sent to sign in.
    response = laptop.get("/account/settings/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    # This one carries on.
    page = phone.get("/account/sessions/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="govuk-summary-card"') == 1
    assert "You have been signed out everywhere else" in html
    assert "You are not signed in anywhere else." in html
    assert UserSession.objects.filter(user=owner).count() == 1


def test_other_peoples_sessions_are_never_listed(owner, stranger):  # noqa: ANN001
    phone = signed_in_client()
    other = Client(HTTP_USER_AGENT=SAFARI_MAC)
    other.post("/account/login/", {"login": stranger.email, "password": "another long passphrase here"})
    html = phone.get("/account/sessions/").content.decode()
    assert html.count('class="govuk-summary-card"') == 1
    assert "Safari" not in html


@pytest.mark.parametrize(
    ("agent", "summary"),
    [
        (FIREFOX_ANDROID, "Firefox on Android"),
        (SAFARI_MAC, "Safari on Mac"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0", "Edge on Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36", "Chrome on Android"),
        ("", "Unknown browser"),
    ],
)
def test_device_summary(agent, summary):  # noqa: ANN001
    from accounts.templatetags.daybook_accounts import device_summary

    assert device_summary(agent) == summary
