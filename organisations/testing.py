"""Helpers for the service-side tests: organisations, staff members with two-step verification, signed-in clients."""

from __future__ import annotations

import time
from typing import Any

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth import get_user_model
from django.test import Client

from organisations.models import Membership, Organisation, Role
from organisations.services import membership_add, organisation_create


def make_org(name: str = "Kent Victim Hub", nation: str = "ENG", slug: str = "") -> Organisation:
    return organisation_create(name=name, nation=nation, slug=slug)


def make_staff(org: Organisation, role: str, name: str, *, mfa: bool = True, **kwargs: Any) -> Membership:
    email = f"{name.lower().replace(' ', '.')}.{org.slug}@example.org"
    user = get_user_model().objects.create_user(username=email, email=email, password="correct horse battery staple")
    if mfa:
        TOTP.activate(user, generate_totp_secret())
    return membership_add(organisation=org, user=user, role=role, display_name=name, **kwargs)


def signed_in(user: Any, *, mfa: bool = True) -> Client:
    """A test client signed in as ``user``; with ``mfa`` the session records two-step verification, as allauth
    does after a TOTP code (tests/test_organisations.py also signs in through the real pages once)."""
    client = Client()
    client.force_login(user)
    if mfa:
        session = client.session
        session["account_authentication_methods"] = [{"method": "password", "at": time.time()}, {"method": "mfa", "at": time.time(), "type": "totp"}]
        session["account_authentication_methods_user"] = str(user.pk)
        session.save()
    return client


ALL_ROLES = list(Role.values)
