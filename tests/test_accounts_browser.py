"""Passkeys in a real browser, under Daybook's CSP (script-src 'self', no 'unsafe-inline'): Chromium with a
virtual authenticator adds a passkey, signs in with it alone, and uses it as the second step. Then axe-core on
the account pages, in their error states too.

Uses the browser fixtures of tests/browser/conftest.py, which also fail the test on any CSP violation,
JavaScript error or request to a third party."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import Page

from tests.browser.conftest import (  # noqa: F401  (fixtures)
    PASSPHRASE,
    Browsing,
    browser,
    browsing,
    inline_scripts,
    person,
    playwright_instance,
    run_axe,
    server,
)

pytestmark = pytest.mark.browser
SLOW_MACHINE_MS = 30_000  # each step is quick, but a busy test machine can stall a page load for seconds


def virtual_authenticator(page: Page) -> None:
    """A platform authenticator that can hold passkeys and always confirms the person (Chrome DevTools)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "ctap2Version": "ctap2_1",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def sign_in_with_passphrase(page: Page, email: str) -> None:
    page.goto("/account/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()


def confirm_passphrase(page: Page) -> None:
    assert "/account/reauthenticate/" in page.url, page.url
    page.get_by_label("Passphrase", exact=True).fill(PASSPHRASE)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state()


def accessible(page: Page, name: str) -> list[str]:
    out = [f"{name}: inline script {s}" for s in inline_scripts(page)]
    out += [f"{name} {page.url}: axe {v['id']} ({v['impact']}) {v['help']}; {v['targets']}" for v in run_axe(page)]
    return out


def test_passkey_added_then_used_to_sign_in_and_as_second_step(browsing: Browsing, person):  # noqa: ANN001, F811
    ctx, guard = browsing.context("desktop")
    ctx.set_default_timeout(SLOW_MACHINE_MS)
    page = ctx.new_page()
    virtual_authenticator(page)
    problems: list[str] = []

    sign_in_with_passphrase(page, person.email)
    page.goto("/account/2fa/webauthn/add/")
    confirm_passphrase(page)
    assert page.url.endswith("/account/2fa/webauthn/add/")
    add = page.get_by_role("button", name="Add passkey")
    add.wait_for(state="visible")  # shown by passkeys.js once it knows the browser can make passkeys
    assert page.locator("[data-passkey-unsupported]").is_hidden()
    problems += accessible(page, "add a passkey")
    page.get_by_label("Name for this passkey").fill("Laptop")
    add.click()
    page.wait_for_url("**/account/2fa/recovery-codes/")  # the first key brings recovery codes
    key = Authenticator.objects.get(user=person, type=Authenticator.Type.WEBAUTHN)
    assert key.wrap().name == "Laptop"
    assert key.wrap().is_passwordless is True

    # Sign out, then sign in with the passkey alone.
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()
    page.goto("/account/login/")
    passkey_button = page.get_by_role("button", name="Sign in with a passkey")
    passkey_button.wait_for(state="visible")
    problems += accessible(page, "sign in (passkeys shown)")
    passkey_button.click()
    page.wait_for_url(browsing.origin + "/")
    assert page.get_by_role("button", name="Sign out").count() >= 1

    # Sign out; sign in with the passphrase; the passkey is the second step.
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()
    sign_in_with_passphrase(page, person.email)
    assert page.url.endswith("/account/2fa/authenticate/"), page.url
    second = page.get_by_role("button", name="Use a passkey or security key")
    second.wait_for(state="visible")
    problems += accessible(page, "second step")
    second.click()
    page.wait_for_url(browsing.origin + "/")

    assert not problems, "\n".join(problems)
    assert not guard.problems(), "\n".join(guard.problems())


def test_a_cancelled_passkey_is_explained_in_words(browsing: Browsing):  # noqa: F811
    """The browser reports the passkey was not used (as when the person cancels): the page says so in words,
    and the button can be used again."""
    ctx, _guard = browsing.context("phone")
    ctx.set_default_timeout(SLOW_MACHINE_MS)
    page = ctx.new_page()
    page.goto("/account/login/")
    page.evaluate("() => { navigator.credentials.get = () => Promise.reject(new DOMException('no', 'NotAllowedError')); }")
    page.get_by_role("button", name="Sign in with a passkey").click()
    error = page.locator("[data-passkey-error]")
    error.wait_for(state="visible")
    assert "The passkey was not used" in error.inner_text()
    assert page.get_by_role("button", name="Sign in with a passkey").is_enabled()
    assert accessible(page, "sign in with passkey error") == []


def test_account_pages_pass_axe(browsing: Browsing, person):  # noqa: ANN001, F811
    ctx, _guard = browsing.context("phone")
    ctx.set_default_timeout(SLOW_MACHINE_MS)
    page = ctx.new_page()
    problems: list[str] = []

    # Error states of the entrance pages.
    page.goto("/account/login/")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    problems += accessible(page, "sign in with errors")
    page.goto("/account/signup/")
    page.get_by_label("Email address").fill("someone@example.com")
    page.get_by_label("Passphrase", exact=True).fill("password1234")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert "too common" in page.locator(".govuk-error-summary").inner_text()
    problems += accessible(page, "sign up with errors")
    # The error summary link takes the person to the field.
    page.locator(".govuk-error-summary a").first.click()
    assert page.evaluate("() => document.activeElement && document.activeElement.id") in {"id_password1", "id_email"}

    sign_in_with_passphrase(page, person.email)
    page.goto("/account/2fa/totp/activate/")
    confirm_passphrase(page)
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    problems += accessible(page, "set up an authenticator app")
    # (tests/browser/a11y.py covers the two-step verification index, sessions and change passphrase pages.)
    for name, url in [
        ("passkeys", "/account/2fa/webauthn/"),
        ("email", "/account/email/"),
        ("sign out", "/account/logout/"),
        ("confirm it is you", "/account/reauthenticate/"),
    ]:
        response = page.goto(url)
        assert response is not None and response.status == 200, (url, response and response.status)
        problems += accessible(page, name)
    assert not problems, "\n".join(problems)
