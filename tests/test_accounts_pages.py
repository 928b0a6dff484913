"""Every sign-in and account page renders inside Daybook's layout, in GOV.UK Frontend markup, with no inline
script, handler or style, one h1, every field labelled and errors summarised with links to their fields."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.staticfiles import finders
from django.test import Client

from accounts.testing import (
    activate_totp,
    add_passkey,
    audit,
    confirm_passphrase,
    external_scripts,
    json_script_data,
)

PASSPHRASE = "correct horse battery staple"


def sign_in(client: Client, email: str = "owner@example.com", passphrase: str = PASSPHRASE):  # noqa: ANN201
    return client.post("/account/login/", {"login": email, "password": passphrase})


@pytest.fixture
def signed_in(owner) -> Client:  # noqa: ANN001
    """Signed in through the form, and just confirmed with the passphrase (allauth asks again before any
    change to two-step verification)."""
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    client = Client()
    response = sign_in(client)
    assert response.status_code == 302, response.content[:2000]
    confirm_passphrase(client)
    return client


def check_page(response, *, h1: str | None = None) -> str:  # noqa: ANN001
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    problems = audit(html)
    assert not problems, "\n".join(problems)
    assert 'class="govuk-template__body' in html, "not inside templates/base.html"
    assert "govuk-heading-l" in html or "govuk-panel__title" in html
    assert "Exit this page" in html
    if h1 is not None:
        found = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
        assert found and h1 in found.group(1), found.group(1) if found else "no h1"
    for src in external_scripts(html):
        assert src.startswith("/static/"), src
    # Nothing from allauth's own bare templates.
    assert "allauth.account.forms.manageEmailForm" not in html
    assert "data-allauth-onload" not in html
    return html


ANONYMOUS_PAGES = [
    ("/account/login/", "Sign in"),
    ("/account/signup/", "Create an account"),
    ("/account/password/reset/", "Reset your passphrase"),
    ("/account/password/reset/done/", "Check your email"),
    ("/account/password/reset/key/1-not-a-real-key/", "This link does not work"),
    ("/account/confirm-email/not-a-real-key/", "Confirm your email address"),
    ("/account/confirm-email/", "Check your email"),
    ("/account/inactive/", "This account cannot be used"),
    ("/account/password/reset/key/done/", "Your passphrase has been changed"),
    ("/account/login/code/confirm/", "Sign in"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "h1"), ANONYMOUS_PAGES)
def test_anonymous_pages_render_in_daybook_style(client, url, h1):  # noqa: ANN001
    check_page(client.get(url, follow=True), h1=h1)


SIGNED_IN_PAGES = [
    ("/account/logout/", "Sign out"),
    ("/account/password/change/", "Change your passphrase"),
    ("/account/email/", "Email address"),
    ("/account/reauthenticate/", "Confirm it is you"),
    ("/account/2fa/", "Two-step verification"),
    ("/account/2fa/totp/activate/", "Set up an authenticator app"),
    ("/account/2fa/webauthn/", "Your passkeys"),
    ("/account/2fa/webauthn/add/", "Add a passkey"),
    ("/account/sessions/", "Where you are signed in"),
    ("/account/settings/", "Account and security"),
]


@pytest.mark.parametrize(("url", "h1"), SIGNED_IN_PAGES)
def test_signed_in_pages_render_in_daybook_style(signed_in, url, h1):  # noqa: ANN001
    check_page(signed_in.get(url), h1=h1)


def test_passphrase_fields_use_the_word_passphrase(client, db):  # noqa: ANN001
    html = check_page(client.get("/account/login/"))
    assert '<label class="govuk-label" for="id_login">Email address</label>' in html
    assert '<label class="govuk-label" for="id_password">Passphrase</label>' in html
    assert "Password" not in re.sub(r"<[^>]+>", " ", html), "visible text says Password"
    assert 'autocomplete="current-password"' in html
    assert "placeholder=" not in html


def test_sign_in_errors_are_summarised_and_linked(client, owner):  # noqa: ANN001
    html = client.post("/account/login/", {"login": "", "password": ""}).content.decode()
    assert not audit(html)
    assert "govuk-error-summary" in html
    assert '<a href="#id_login">' in html and '<a href="#id_password">' in html
    assert 'aria-describedby="id_login-error"' in html
    assert "govuk-input--error" in html
    assert "<title>Error: Sign in" in html


def test_form_wide_error_links_to_the_first_field(client, owner):  # noqa: ANN001
    html = sign_in(client, passphrase="wrong passphrase entirely").content.decode()
    assert not audit(html)
    assert '<a href="#id_login">The email address or passphrase is not right.' in html


def test_sign_up_states_the_passphrase_rule_before_typing(client, db):  # noqa: ANN001
    html = check_page(client.get("/account/signup/"), h1="Create an account")
    rule = html.index("Use at least 12 characters")
    field = html.index('id="id_password1"')
    assert rule < field, "the rule must come before the passphrase box"
    hint = re.search(r'<div id="id_password1-hint" class="govuk-hint">(.*?)</div>', html, re.S)
    assert hint and "12 characters" in hint.group(1)
    assert re.search(r'<input[^>]*id="id_password1"[^>]*aria-describedby="id_password1-hint"', html) or re.search(
        r'<input[^>]*aria-describedby="id_password1-hint"[^>]*id="id_password1"', html
    )
    # The GOV.UK "show passphrase" button is there for those who need it; it starts hidden until the script runs.
    assert 'data-module="govuk-password-input"' in html
    assert 'aria-label="Show passphrase"' in html


def test_sign_up_errors_are_kind_and_linked(client, db):  # noqa: ANN001
    response = client.post("/account/signup/", {"email": "new@example.com", "password1": "short", "password2": "short"})
    html = response.content.decode()
    assert not audit(html)
    assert '<a href="#id_password1">Use at least 12 characters.' in html
    response = client.post(
        "/account/signup/",
        {"email": "new@example.com", "password1": "kettle orange bicycle harbour", "password2": "kettle orange bicycle"},
    )
    html = response.content.decode()
    assert not audit(html)
    assert '<a href="#id_password2">The two passphrases are not the same.' in html


def test_sign_up_creates_an_account_and_signs_in(client, db):  # noqa: ANN001
    response = client.post(
        "/account/signup/",
        {"email": "new@example.com", "password1": "kettle orange bicycle harbour", "password2": "kettle orange bicycle harbour"},
    )
    assert response.status_code == 302
    assert client.get("/account/settings/").status_code == 200


def test_change_passphrase_page_and_errors(signed_in):  # noqa: ANN001
    response = signed_in.post(
        "/account/password/change/",
        {"oldpassword": "not it at all", "password1": "password1234", "password2": "password1234"},
    )
    html = response.content.decode()
    assert not audit(html)
    assert '<a href="#id_oldpassword">Your current passphrase is not right.' in html
    assert "This passphrase is too common" in html


def test_change_passphrase_works(signed_in, owner):  # noqa: ANN001
    new = "teapot lantern meadow violin"
    response = signed_in.post("/account/password/change/", {"oldpassword": PASSPHRASE, "password1": new, "password2": new})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new)
    assert "Your passphrase has been changed." in signed_in.get("/account/settings/").content.decode()


def test_email_page_confirm_before_removing_uses_no_inline_script(signed_in, owner):  # noqa: ANN001
    EmailAddress.objects.create(user=owner, email="second@example.com", verified=False)
    html = check_page(signed_in.get("/account/email/"), h1="Email address")
    assert 'data-confirm="Remove the email address you chose?"' in html
    assert "Not confirmed" in html and "Main address" in html


def test_logout_page_signs_out(signed_in):  # noqa: ANN001
    response = signed_in.post("/account/logout/")
    assert response.status_code == 302
    assert signed_in.get("/account/settings/").status_code == 302


def test_password_reset_from_key_page(client, owner):  # noqa: ANN001
    from django.core import mail

    client.post("/account/password/reset/", {"email": owner.email})
    link = re.search(r"http://testserver(/account/password/reset/key/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    html = check_page(response, h1="Choose a new passphrase")
    assert "Use at least 12 characters" in html
    new = "saucepan glacier pocket thistle"
    response = client.post(response.redirect_chain[-1][0], {"password1": new, "password2": new}, follow=True)
    check_page(response, h1="Your passphrase has been changed")
    owner.refresh_from_db()
    assert owner.check_password(new)


# Two-step verification pages, with a TOTP authenticator and recovery codes in place.


@pytest.fixture
def with_totp(signed_in) -> Client:  # noqa: ANN001
    activate_totp(signed_in)
    return signed_in


@pytest.mark.parametrize(
    ("url", "h1"),
    [
        ("/account/2fa/", "Two-step verification"),
        ("/account/2fa/totp/deactivate/", "Turn off the authenticator app"),
        ("/account/2fa/recovery-codes/", "Your recovery codes"),
        ("/account/2fa/recovery-codes/generate/", "Make new recovery codes"),
        ("/account/2fa/reauthenticate/", "Confirm it is you"),
    ],
)
def test_two_step_pages_render(with_totp, url, h1):  # noqa: ANN001
    check_page(with_totp.get(url), h1=h1)


def test_activate_totp_page_shows_qr_code_with_alt_text_and_errors(signed_in):  # noqa: ANN001
    html = check_page(signed_in.get("/account/2fa/totp/activate/"))
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="QR code to scan with your authenticator app"', html)
    assert 'autocomplete="one-time-code"' in html
    html = signed_in.post("/account/2fa/totp/activate/", {"code": "000000x"}).content.decode()
    assert not audit(html)
    assert '<a href="#id_code">That code is not right' in html


# Passkeys: their pages and the one script they need, which is a file.


def test_passkey_script_is_a_static_file_and_pages_use_json_script(signed_in):  # noqa: ANN001
    html = check_page(signed_in.get("/account/2fa/webauthn/add/"), h1="Add a passkey")
    assert "/static/accounts/passkeys.js" in external_scripts(html)
    assert finders.find("accounts/passkeys.js"), "passkeys.js is not found by staticfiles"
    data = json_script_data(html, "passkey-data")
    assert data["creation_options"]["publicKey"]["challenge"]
    assert 'data-passkey-form="create"' in html
    # Without a browser that can make passkeys, the button stays hidden and a message explains.
    assert re.search(r"<button[^>]*data-passkey-supported hidden", html)
    assert "data-passkey-unsupported" in html
    script = open(finders.find("accounts/passkeys.js"), encoding="utf-8").read()  # noqa: SIM115
    assert "passkey-data" in script and "navigator.credentials.create" in script and "navigator.credentials.get" in script


def test_sign_in_page_offers_passkeys_with_an_external_script(client, db):  # noqa: ANN001
    html = check_page(client.get("/account/login/"))
    assert "/static/accounts/passkeys.js" in external_scripts(html)
    assert 'data-passkey-form="login"' in html
    assert "/static/mfa/js/" not in html


@pytest.fixture
def with_passkey(signed_in, settings):  # noqa: ANN001, ANN201
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the test client is http://testserver
    return signed_in, add_passkey(signed_in)


def test_passkey_management_pages_render(with_passkey):  # noqa: ANN001
    client, _passkey = with_passkey
    key = Authenticator.objects.get(type=Authenticator.Type.WEBAUTHN)
    html = check_page(client.get("/account/2fa/webauthn/"), h1="Your passkeys")
    assert "My phone" in html and "you can sign in with it alone" in html
    assert 'Rename<span class="govuk-visually-hidden"> My phone</span>' in html
    check_page(client.get(f"/account/2fa/webauthn/keys/{key.pk}/edit/"), h1="Rename passkey")
    check_page(client.get(f"/account/2fa/webauthn/keys/{key.pk}/remove/"), h1="Remove ‘My phone’")
    html = check_page(client.get("/account/2fa/webauthn/reauthenticate/"), h1="Confirm it is you")
    assert json_script_data(html, "passkey-data")["request_options"]["publicKey"]["allowCredentials"]
    response = client.post(f"/account/2fa/webauthn/keys/{key.pk}/edit/", {"name": "Old phone"})
    assert response.status_code == 302
    assert "Old phone" in client.get("/account/2fa/webauthn/").content.decode()
    response = client.post(f"/account/2fa/webauthn/keys/{key.pk}/remove/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(type=Authenticator.Type.WEBAUTHN).exists()


# allauth's element templates, used by any stock allauth page Daybook has not overridden.

ELEMENTS_PAGE = """{% extends "allauth/layouts/manage.html" %}{% load allauth %}
{% block content %}
{% element h1 %}Heading{% endelement %}
{% element p %}Some text.{% endelement %}
{% element alert %}{% slot message %}Note{% endslot %}{% endelement %}
{% element form form=form method="post" action="/x/" %}
  {% slot body %}{% element fields form=form %}{% endelement %}
    {% element field type="textarea" id="codes" rows=3 readonly=True %}{% slot label %}Codes{% endslot %}{% slot value %}1 2 3{% endslot %}{% endelement %}
    {% element field type="checkbox" id="saved" name="saved" %}{% slot label %}I have saved them{% endslot %}{% endelement %}
  {% endslot %}
  {% slot actions %}
    {% element button type="submit" %}Save{% endelement %}
    {% element button type="submit" tags="danger,delete" %}Remove{% endelement %}
    {% element button href="/y/" tags="secondary" %}Elsewhere{% endelement %}
  {% endslot %}
{% endelement %}
{% element panel %}{% slot title %}Panel{% endslot %}{% slot body %}{% element badge tags="success" %}On{% endelement %}{% endslot %}
  {% slot actions %}{% element button href="/z/" %}Do it{% endelement %}{% endslot %}{% endelement %}
{% element details %}{% slot summary %}More{% endslot %}{% slot body %}Details text{% endslot %}{% endelement %}
{% element table %}{% element thead %}{% element tr %}{% element th %}Name{% endelement %}{% endelement %}{% endelement %}
{% element tbody %}{% element tr %}{% element td %}Cell{% endelement %}{% endelement %}{% endelement %}{% endelement %}
{% endblock %}"""


def test_element_templates_are_govuk(rf, owner):  # noqa: ANN001
    from django import forms
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.template import RequestContext, Template, engines
    from django.template.base import Origin

    class ExampleForm(forms.Form):
        name = forms.CharField(label="Your name", help_text="As you like to be called.")
        secret = forms.CharField(label="Passphrase", widget=forms.PasswordInput)
        agree = forms.BooleanField(label="I agree")

    form = ExampleForm(data={"name": ""})
    form.add_error(None, "Something is wrong with the whole form.")
    request = rf.get("/")
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    origin = Origin(name="elements_test.html", template_name="elements_test.html")
    template = Template(ELEMENTS_PAGE, origin=origin, name="elements_test.html", engine=engines["django"].engine)
    html = template.render(RequestContext(request, {"form": form}))
    assert not audit(html), audit(html)
    for css in [
        '<h1 class="govuk-heading-l">Heading</h1>',
        '<p class="govuk-body">Some text.</p>',
        'class="govuk-inset-text"',
        'class="govuk-error-summary"',
        '<a href="#id_name">Something is wrong with the whole form.</a>',
        '<a href="#id_name">This field is required.</a>',
        'class="govuk-form-group govuk-form-group--error"',
        '<label class="govuk-label" for="id_name">Your name</label>',
        '<div id="id_name-hint" class="govuk-hint">As you like to be called.</div>',
        'class="govuk-input govuk-input--error"',
        'data-module="govuk-password-input"',
        'class="govuk-checkboxes__input"',
        '<textarea class="govuk-textarea" id="codes"',
        '<label class="govuk-label" for="codes">Codes</label>',
        '<label class="govuk-label govuk-checkboxes__label" for="saved">I have saved them</label>',
        'class="govuk-button" data-module="govuk-button">Save</button>',
        'class="govuk-button govuk-button--warning" data-module="govuk-button">Remove</button>',
        '<a href="/y/" role="button" draggable="false" class="govuk-button govuk-button--secondary"',
        '<strong class="govuk-tag govuk-tag--green">On</strong>',
        'class="govuk-details"',
        '<table class="govuk-table">',
        '<th scope="col" class="govuk-table__header">',
        '<td class="govuk-table__cell">',
        "novalidate",
    ]:
        assert css in html, css
