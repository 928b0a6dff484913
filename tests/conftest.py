"""Shared fixtures: several users (owner, another signed-in person, anonymous) and a case, built by tests/factories.py."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from tests.factories import make_case, make_incident, make_user

__all__ = ["make_incident"]  # older modules import it from here; new ones import from tests.factories

# No per-example deadline: the suite runs on 2 shared cores, and a slow example is not a failure.
hypothesis_settings.register_profile("daybook", deadline=None, max_examples=60)
hypothesis_settings.load_profile("daybook")


@pytest.fixture
def owner(db):  # noqa: ANN001, ANN201
    return make_user("owner")


@pytest.fixture
def stranger(db):  # noqa: ANN001, ANN201
    return make_user("stranger", password="another long passphrase here")


@pytest.fixture
def case(owner):  # noqa: ANN001, ANN201
    return make_case(owner)


@pytest.fixture
def owner_client(owner) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(owner)
    return c


@pytest.fixture
def stranger_client(stranger) -> Client:  # noqa: ANN001
    c = Client()
    c.force_login(stranger)
    return c


@pytest.fixture
def incident(case, owner):  # noqa: ANN001, ANN201
    return make_incident(case, owner, behaviours=["CONT.VISIT"], channel="in_person")
