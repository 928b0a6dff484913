"""The integrity page: inline for ordinary cases, through the background worker for large ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from diary.models import IntegrityCheck
from tests.factories import make_incident


@pytest.fixture
def entries(case, owner):
    for i in range(3):
        make_incident(case, owner, days_ago=i + 1)
    return case


def test_small_case_is_checked_as_the_page_loads(owner_client, entries):
    page = owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()
    assert "Intact" in page and "All 4 sealed entries" in page
    assert IntegrityCheck.objects.get(case=entries).ok is True


@override_settings(DAYBOOK_INLINE_VERIFY_ENTRIES=2)
def test_large_case_is_checked_in_the_background_and_finds_tampering(owner_client, entries):
    url = f"/cases/{entries.pk}/integrity/"
    page = owner_client.get(url).content.decode()
    assert "has not been checked yet" in page and "Check now" in page
    with connection.cursor() as cursor:
        cursor.execute("UPDATE diary_incident SET felt_in_danger = %s WHERE case_id = %s", [True, entries.pk])
    response = owner_client.post(url)  # the test settings run tasks at once (ImmediateBackend)
    assert response.status_code == 302
    page = owner_client.get(url).content.decode()
    assert "Broken" in page and "changed outside Daybook" in page
    assert IntegrityCheck.objects.filter(case=entries, status="done", ok=False).count() == 1


# A transactional test: the worker closes its database connection after each task, as it does in production.
# Serialized rollback restores the migrated data (support contacts) for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(
    DAYBOOK_INLINE_VERIFY_ENTRIES=2,
    TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
)
def test_the_real_database_worker_runs_the_check(owner_client, entries):
    url = f"/cases/{entries.pk}/integrity/"
    owner_client.post(url)
    check = IntegrityCheck.objects.get(case=entries)
    assert check.status == "queued"
    assert "Checking now" in owner_client.get(url).content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    check.refresh_from_db()
    assert check.status == "done" and check.ok is True
    assert "Intact" in owner_client.get(url).content.decode()


def test_stranger_cannot_start_a_check(stranger_client, entries):
    assert stranger_client.post(f"/cases/{entries.pk}/integrity/").status_code == 404
    assert not IntegrityCheck.objects.filter(case=entries).exists()


@override_settings(DAYBOOK_INLINE_VERIFY_BYTES=0)
def test_case_with_much_evidence_is_checked_in_the_background(owner_client, entries):
    from evidence.models import Blob

    Blob.objects.create(case=entries, purpose="original", name="x", size=10, status="complete")
    page = owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()
    assert "has not been checked yet" in page
    owner_client.post(f"/cases/{entries.pk}/integrity/")
    assert "Intact" in owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()
    assert IntegrityCheck.objects.get(case=entries).status == "done"


def _dead_check(case, attempts: int) -> IntegrityCheck:  # noqa: ANN001
    """A check as a killed worker leaves it: running, with a heartbeat two minutes old."""
    silent_since = timezone.now() - dt.timedelta(minutes=2)
    return IntegrityCheck.objects.create(case=case, status="running", attempts=attempts, started_at=silent_since, heartbeat_at=silent_since)


@override_settings(DAYBOOK_INLINE_VERIFY_ENTRIES=2)
def test_a_check_whose_worker_died_is_run_once_more(owner_client, entries, django_capture_on_commit_callbacks):
    check = _dead_check(entries, attempts=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        owner_client.get(f"/cases/{entries.pk}/integrity/")
    assert len(callbacks) == 1
    check.refresh_from_db()
    assert check.status == "done" and check.ok is True and check.attempts == 2
    assert "Intact" in owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()


@override_settings(DAYBOOK_INLINE_VERIFY_ENTRIES=2)
def test_a_check_whose_worker_died_twice_fails_with_a_sentence(owner_client, entries):
    check = _dead_check(entries, attempts=2)
    page = owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()
    check.refresh_from_db()
    assert check.status == "failed"
    assert "The last check could not finish" in page and "stopped part-way twice" in page and "Checking now" not in page


@override_settings(DAYBOOK_INLINE_VERIFY_ENTRIES=2)
def test_a_check_with_a_fresh_heartbeat_is_left_running(owner_client, entries):
    now = timezone.now()
    check = IntegrityCheck.objects.create(case=entries, status="running", attempts=1, started_at=now, heartbeat_at=now)
    assert "Checking now" in owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()
    check.refresh_from_db()
    assert check.status == "running"
