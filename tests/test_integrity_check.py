"""The integrity page: inline for ordinary cases, through the background worker for large ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from diary.models import IntegrityCheck
from evidence.services import ingest
from tests.factories import make_incident


@pytest.fixture
def entries(case, owner):
    for i in range(3):
        make_incident(case, owner, days_ago=i + 1)
    return case


def test_small_case_is_checked_as_the_page_loads(owner_client, entries):
    page = owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()
    assert "Intact" in page and "All 5 sealed entries" in page  # opened, its details, 3 incidents
    assert IntegrityCheck.objects.get(case=entries).ok is True


@override_settings(DAYBOOK_INLINE_VERIFY_ENTRIES=2)
def test_large_case_is_checked_in_the_background_and_finds_tampering(owner_client, entries):
    url = f"/cases/{entries.pk}/integrity/"
    page = owner_client.get(url).content.decode()  # opening the page starts the check (the test settings run it at once)
    assert "Intact up to entry 5" in page and "entries 1 to 5 of the chain" in page and "Check again now" in page
    with connection.cursor() as cursor:
        cursor.execute("UPDATE diary_incident SET felt_in_danger = %s WHERE case_id = %s", [True, entries.pk])
    # Nothing was added since: the verdict stays, saying what it covered and when; no new check starts by itself.
    page = owner_client.get(url).content.decode()
    assert "Intact up to entry 5" in page and "Not yet checked" not in page
    assert IntegrityCheck.objects.filter(case=entries).count() == 1
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
    page = owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()  # started by itself, run at once here
    assert "Intact up to entry 5" in page
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


DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@override_settings(DAYBOOK_INLINE_VERIFY_ENTRIES=2, TASKS=DB_TASKS)
def test_entries_added_since_the_verdict_show_as_not_yet_checked_and_a_check_starts(owner_client, owner, entries):
    from diary import integrity

    integrity.run_now(entries, owner)  # the verdict covers entries 1 to 5
    make_incident(entries, owner, days_ago=1)
    ingest(entries, owner, [b"new photo bytes" * 10], name="new.jpg")
    entries.refresh_from_db()
    assert entries.chain_seq > 5
    page = owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()
    assert "Intact up to entry 5" in page
    assert f"Not yet checked: {entries.chain_seq - 5} entries added since (entries 6 to {entries.chain_seq})" in page
    assert "not yet checked (added since)" in page  # the new exhibit, beside the files the verdict covered
    assert "Checking now" in page and "A check of everything has started" in page
    assert IntegrityCheck.objects.filter(case=entries, status="queued").count() == 1
    owner_client.get(f"/cases/{entries.pk}/integrity/")  # opening it again starts no second check
    assert IntegrityCheck.objects.filter(case=entries).count() == 2


@override_settings(DAYBOOK_INLINE_VERIFY_ENTRIES=2)
def test_the_check_started_by_itself_covers_the_new_entries(owner_client, owner, entries):
    from diary import integrity

    integrity.run_now(entries, owner)
    make_incident(entries, owner, days_ago=1)
    page = owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()  # run at once in the test settings
    assert "Intact up to entry 6" in page and "Not yet checked" not in page


@override_settings(DAYBOOK_INLINE_VERIFY_ENTRIES=2, TASKS=DB_TASKS)
def test_after_a_failed_check_the_person_is_asked_to_try_again(owner_client, owner, entries):
    from diary import integrity

    integrity.run_now(entries, owner)
    make_incident(entries, owner, days_ago=1)
    IntegrityCheck.objects.create(case=entries, status="failed", result={"problem": "The check could not finish: OSError."})
    page = owner_client.get(f"/cases/{entries.pk}/integrity/").content.decode()
    assert "The last check could not finish" in page and "Check again now" in page
    assert not IntegrityCheck.objects.filter(case=entries, status="queued").exists()
