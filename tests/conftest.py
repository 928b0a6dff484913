"""Shared fixtures: several users (owner, another signed-in person, anonymous) and a case, built by tests/factories.py."""

from __future__ import annotations

import os

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


# --- S3 storage (tests/s3server.py): a real SeaweedFS server on 127.0.0.1, started once per session when needed. ---


@pytest.fixture(scope="session")
def s3_server():  # noqa: ANN201
    """The running S3 server; skips when it cannot start, except under CI=true, where that is a failure."""
    from tests import s3server  # noqa: PLC0415

    try:
        server = s3server.start()
    except s3server.CannotStart as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The S3 server for the storage tests could not start: {exc}")
        pytest.skip(f"no S3 server: {exc}")
    yield server
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings):  # noqa: ANN001, ANN201
    """Everything stored goes to the S3 bucket (an empty bucket for each test)."""
    s3_server.empty()
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "vault.s3.S3Storage", "OPTIONS": s3_server.storage_options()}}
    settings.EVIDENCE_STORAGE = "default"
    yield s3_server
    s3_server.empty()


@pytest.fixture(autouse=True)
def _storage_under_test(request):  # noqa: ANN001, ANN202
    """DAYBOOK_TEST_STORAGE=s3 runs every test that uses the database against the S3 server instead of a local folder."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db"} & set(request.fixturenames)
    if os.environ.get("DAYBOOK_TEST_STORAGE", "") == "s3" and "s3_storage" not in request.fixturenames and uses_db:
        request.getfixturevalue("s3_storage")


# --- The data the migrations load (support contacts and the like) survives transactional tests. ---
# A transactional test (the browser tests' live server, the backup tests) ends with Django flushing every table, which
# also removes the rows the migrations loaded. Django's own runner sidesteps this by running such tests last; under
# xdist's --dist loadfile they share a worker with ordinary tests, which would then see, say, no helpline in the help
# bar. So after each transactional test the migrated data is put back from the snapshot taken when the test database
# was made, before the next test starts.


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):  # noqa: ANN001, ANN201
    yield
    marker = item.get_closest_marker("django_db")
    names = set(getattr(item, "fixturenames", ()))
    if nextitem is None or not ({"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction"))):
        return
    from django.db import connections  # noqa: PLC0415
    from pytest_django.plugin import blocking_manager_key  # noqa: PLC0415

    with item.config.stash[blocking_manager_key].unblock():
        for connection in connections.all(initialized_only=True):
            contents = getattr(connection, "_test_serialized_contents", None)
            if contents:
                connection.creation.deserialize_db_from_string(contents)
