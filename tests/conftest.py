"""Shared fixtures: several users (owner, another signed-in person, anonymous) and a case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import settings as hypothesis_settings

from cases.services import create_case
from diary import rules
from diary.services import IncidentData, create_incident

# No per-example deadline: the suite runs on 2 shared cores, and a slow example is not a failure.
hypothesis_settings.register_profile("daybook", deadline=None, max_examples=60)
hypothesis_settings.load_profile("daybook")


@pytest.fixture
def owner(db):  # noqa: ANN001, ANN201
    return get_user_model().objects.create_user(username="owner", email="owner@example.com", password="correct horse battery staple")


@pytest.fixture
def stranger(db):  # noqa: ANN001, ANN201
    return get_user_model().objects.create_user(username="stranger", email="stranger@example.com", password="another long passphrase here")


@pytest.fixture
def case(owner):  # noqa: ANN001, ANN201
    return create_case(owner, label="JB", relationship="ex_partner", suspect_name="John Bloggs")


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


def make_incident(case, user, days_ago: float = 1, **kwargs):  # noqa: ANN001, ANN201
    when = rules.now_local() - dt.timedelta(days=days_ago)
    data = IncidentData(occurred_at=when, description=kwargs.pop("description", "He was outside my house"), **kwargs)
    return create_incident(case, user, data)


@pytest.fixture
def incident(case, owner):  # noqa: ANN001, ANN201
    return make_incident(case, owner, behaviours=["CONT.VISIT"], channel="in_person")
