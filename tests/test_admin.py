"""The Django admin: off by default; when on, only through Daybook's own sign-in with its second step and its
limits; and it never shows a person's diary, evidence or the trail of what they did (issue 11, item 1)."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.testing import TEST_PASSPHRASE, activate_totp, confirm_passphrase, sign_in, totp_code
from daybook.admin_site import ADMIN_MODELS
from daybook.testing import admin_session

PERSONAL_APPS = {
    "cases",
    "diary",
    "evidence",
    "insights",
    "reports",
    "imports",
    "audit",
    "account",
    "mfa",
    "usersessions",
    "django_tasks_db",
    "sessions",
    "casework",
    "chain",
    "ops",
    "vault",
}


@pytest.fixture
def admin_on(settings):  # noqa: ANN001, ANN201
    settings.DAYBOOK_ADMIN = True
    return settings


@pytest.fixture
def superuser(db):  # noqa: ANN001, ANN201
    user = get_user_model().objects.create_superuser(username="boss", email="boss@example.com", password=TEST_PASSPHRASE)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/support/contact/", "/admin/auth/user/"])
def test_the_admin_is_off_by_default(superuser, path):  # noqa: ANN001
    client = Client()
    client.force_login(superuser)
    response = client.get(path)
    assert response.status_code == 404
    strip = lambda b: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", b)  # noqa: E731
    assert strip(response.content) == strip(client.get("/no-such-page/").content)


def test_the_admin_login_page_only_sends_people_to_daybooks_sign_in(admin_on, superuser):  # noqa: ANN001
    client = Client()
    assert client.get("/admin/").status_code == 302
    response = client.get("/admin/login/?next=/admin/support/contact/")
    assert response.status_code == 302
    assert response["Location"] == "/account/login/"  # the next address is kept in the session (daybook/traces.py)
    assert client.session["daybook_next"] == "/admin/support/contact/"
    # A passphrase posted to the admin's own form signs nobody in.
    response = client.post("/admin/login/", {"username": "boss", "password": TEST_PASSPHRASE})
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert not signed_in(client)
    # Nor does a next address outside the admin leave through it.
    other = Client()
    assert other.get("/admin/login/?next=https://evil.example/")["Location"] == "/account/login/"
    assert other.session["daybook_next"] == "/admin/"


def test_a_passphrase_alone_never_opens_the_admin(admin_on, superuser):  # noqa: ANN001
    client = Client()
    assert sign_in(client, superuser.email).status_code == 302
    assert signed_in(client)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert "Administration needs two-step verification" in response.content.decode()
    assert client.get("/admin/support/contact/", follow=True).status_code == 403


def test_staff_with_a_second_step_get_in(admin_on, superuser):  # noqa: ANN001
    setup = Client()
    sign_in(setup, superuser.email)
    confirm_passphrase(setup)
    secret = activate_totp(setup)
    client = Client()
    response = sign_in(client, superuser.email)
    assert response["Location"] == "/account/2fa/authenticate/"
    assert client.post("/account/2fa/authenticate/", {"code": totp_code(secret)}).status_code == 302
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/support/contact/").status_code == 200


def test_a_person_who_is_not_staff_finds_no_admin(admin_on, owner):  # noqa: ANN001
    client = Client()
    sign_in(client, owner.email)
    assert signed_in(client)
    assert client.get("/admin/", follow=True).status_code == 404


def test_the_admin_registers_nothing_personal():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered <= ADMIN_MODELS
    assert not {label.split(".")[0] for label in registered} & PERSONAL_APPS - {"insights"}
    assert registered & {"support.contact", "auth.user"} == {"support.contact", "auth.user"}
    # Every model of the personal apps, whoever tries to register it, stays out.
    for config in apps.get_app_configs():
        if config.label in PERSONAL_APPS:
            for model in config.get_models():
                if model._meta.label_lower != "insights.instrumentwording":
                    assert model not in admin.site._registry, model


def test_the_staff_list_shows_staff_only(admin_on, superuser, owner):  # noqa: ANN001
    client = Client()
    admin_session(client, superuser)
    html = client.get("/admin/auth/user/").content.decode()
    assert "boss@example.com" in html
    assert owner.email not in html
    # Opening a person's account by its number finds nothing (the admin goes back to its start page).
    response = client.get(f"/admin/auth/user/{owner.pk}/change/", follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert owner.email not in response.content.decode()
