"""Sign-in and passphrase reset never reveal whether an account exists, and the emails they send are short and
neutral: nothing in a subject or body says what the service is for."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.testing import audit

PASSPHRASE = "correct horse battery staple"
# Words that would tell someone reading over a shoulder (or in a shared inbox) what this is.
REVEALING = re.compile(
    r"diary|stalk|harass|abuse|daybook case|\bcase\b|incident|evidence|police|domestic|victim|safety|danger|suspect",
    re.IGNORECASE,
)


def main_content(response) -> str:  # noqa: ANN001
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.search(r"<main.*?</main>", html, re.S).group(0)


def error_summary(response) -> str:  # noqa: ANN001
    return re.search(r'<div class="govuk-error-summary".*?</ul>', response.content.decode(), re.S).group(0)


def test_wrong_passphrase_and_unknown_email_get_the_same_error(owner):  # noqa: ANN001
    real = Client().post("/account/login/", {"login": owner.email, "password": "not the right passphrase"})
    unknown = Client().post("/account/login/", {"login": "nobody@example.com", "password": "not the right passphrase"})
    assert real.status_code == unknown.status_code == 200
    assert list(real.context["form"].non_field_errors()) == list(unknown.context["form"].non_field_errors())
    assert list(real.context["form"].non_field_errors()) == ["The email address or passphrase is not right. Check them and try again."]
    assert error_summary(real) == error_summary(unknown)
    # The whole page is the same, apart from the address typed back into the box.
    assert main_content(real).replace(owner.email, "X") == main_content(unknown).replace("nobody@example.com", "X")
    assert not audit(real.content.decode())


def test_password_reset_shows_the_same_page_for_known_and_unknown_addresses(owner):  # noqa: ANN001
    known, unknown = Client(), Client()
    r1 = known.post("/account/password/reset/", {"email": owner.email})
    r2 = unknown.post("/account/password/reset/", {"email": "nobody@example.com"})
    assert r1.status_code == r2.status_code == 302
    assert r1["Location"] == r2["Location"] == "/account/password/reset/done/"
    d1, d2 = known.get(r1["Location"]), unknown.get(r2["Location"])
    assert d1.status_code == d2.status_code == 200
    assert main_content(d1) == main_content(d2)
    assert "Check your email" in main_content(d1)
    assert not audit(d1.content.decode())
    # Each address gets one email, and an onlooker sees the same subject on both.
    assert len(mail.outbox) == 2
    assert mail.outbox[0].subject == mail.outbox[1].subject == "Reset your passphrase"


def test_password_reset_email_is_short_and_neutral(owner):  # noqa: ANN001
    Client().post("/account/password/reset/", {"email": owner.email})
    (message,) = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "Reset your passphrase"
    assert not REVEALING.search(message.subject) and not REVEALING.search(message.body), message.body
    assert re.search(r"http://testserver/account/password/reset/key/\S+", message.body)
    assert len(message.body) < 500, len(message.body)
    assert "Daybook" in message.body  # the configurable display name is allowed
    assert owner.username not in message.body
    assert not message.alternatives, "no HTML part"


def test_unknown_account_email_is_short_and_neutral(db):  # noqa: ANN001
    Client().post("/account/password/reset/", {"email": "nobody@example.com"})
    (message,) = mail.outbox
    assert message.to == ["nobody@example.com"]
    assert message.subject == "Reset your passphrase"
    assert not REVEALING.search(message.body), message.body
    assert "no account" in message.body
    assert "http" not in message.body, "no link to sign up"
    assert len(message.body) < 300, len(message.body)


def test_emails_use_the_configured_display_name(owner, settings):  # noqa: ANN001
    settings.DAYBOOK_DISPLAY_NAME = "Notes"
    Client().post("/account/password/reset/", {"email": owner.email})
    Client().post("/account/password/reset/", {"email": "nobody@example.com"})
    for message in mail.outbox:
        assert message.body.rstrip().endswith("Notes")
        assert "Daybook" not in message.body and "Daybook" not in message.subject


def test_sign_up_does_not_reveal_an_account_when_verification_is_mandatory(owner, settings):  # noqa: ANN001
    """With email verification "mandatory" (DAYBOOK_EMAIL_VERIFICATION), signing up with an address that
    already has an account looks exactly like a new sign-up: "Check your email", and a neutral email.
    (With "optional" verification allauth cannot hide it: the new account is signed in at once.)"""
    from allauth.account.models import EmailAddress

    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    EmailAddress.objects.create(user=owner, email=owner.email, verified=True, primary=True)
    good = "kettle orange bicycle harbour"
    existing = Client().post("/account/signup/", {"email": owner.email, "password1": good, "password2": good}, follow=True)
    fresh = Client().post("/account/signup/", {"email": "fresh@example.com", "password1": good, "password2": good}, follow=True)
    assert existing.redirect_chain == fresh.redirect_chain
    assert main_content(existing).replace(owner.email, "X") == main_content(fresh).replace("fresh@example.com", "X")
    assert "Check your email" in main_content(fresh)
    assert {m.to[0] for m in mail.outbox} == {owner.email, "fresh@example.com"}
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    for message in mail.outbox:
        assert not REVEALING.search(message.subject) and not REVEALING.search(message.body), message.body
        assert len(message.body) < 500
    assert subjects[owner.email] == "Your account"
    assert subjects["fresh@example.com"] == "Confirm your email address"


@pytest.mark.parametrize("template", ["password_changed", "email_changed", "email_deleted", "password_reset"])
def test_notification_emails_are_neutral(template, owner, rf):  # noqa: ANN001
    from allauth.account.adapter import get_adapter
    from allauth.core import context

    request = rf.get("/")
    request.user = owner
    with context.request_context(request):
        message = get_adapter(request).render_mail(
            f"account/email/{template}",
            owner.email,
            {
                "display_name": "Daybook",
                "timestamp": "now",
                "ip": "127.0.0.1",
                "user_agent": "Firefox",
                "from_email": "a@example.com",
                "to_email": "b@example.com",
                "deleted_email": "c@example.com",
            },
        )
    assert not REVEALING.search(message.subject) and not REVEALING.search(message.body), message.body
    assert "Thank you for using" not in message.body and "Hello from" not in message.body
