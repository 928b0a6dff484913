"""An import whose worker died is noticed within a minute (heartbeat): what it stored is removed and it runs once
more, or, the second time, it fails with a sentence. Progress shown does not go back when it runs again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from diary.models import Incident
from imports import services
from imports.models import Import, ImportedItem
from imports.services import liveness
from imports.services.stats import Stats
from imports.services.store import store_items
from tests.test_imports_flow import BASIC, HIM, chat, seal

pytestmark = pytest.mark.django_db


def _killed_mid_import(case, owner, attempts: int) -> tuple[Import, int]:  # noqa: ANN001
    """An import as a killed worker leaves it: running, phase A half done (items stored), a stale heartbeat."""
    job = services.start(case, owner, seal(case, owner, chat(BASIC)))
    services.scan(job)
    services.choose(job, owner, services.Choices(suspects=[HIM]))
    job = Import.objects.get(pk=job.pk)
    store_items(job, Stats(), [])
    stale = timezone.now() - dt.timedelta(minutes=2)
    Import.objects.filter(pk=job.pk).update(status="running", attempts=attempts, started_at=stale, heartbeat_at=stale, records_read=5)
    stored = ImportedItem.objects.filter(job=job).count()
    assert stored > 0
    return Import.objects.get(pk=job.pk), stored


def test_a_dead_import_is_cleaned_up_and_run_once_more(case, owner, owner_client, django_capture_on_commit_callbacks):
    job, stored = _killed_mid_import(case, owner, attempts=1)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        owner_client.get(f"/cases/{case.pk}/imports/{job.pk}/")
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 2, job.error
    assert Incident.objects.filter(case=case).count() == 2  # the days once, not twice
    assert ImportedItem.objects.filter(job=job).count() == stored  # what the dead run stored was removed first
    assert job.records_read == job.records_total


def test_a_second_death_fails_with_a_sentence_and_leaves_nothing(case, owner, owner_client):
    job, _stored = _killed_mid_import(case, owner, attempts=liveness.MAX_ATTEMPTS)
    page = owner_client.get(f"/cases/{case.pk}/imports/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and job.error == liveness.DEAD_PROBLEM
    assert "stopped part-way twice" in page
    assert not ImportedItem.objects.exists() and not Incident.objects.exists()


def test_a_fresh_heartbeat_is_left_alone(case, owner, owner_client):
    job, _stored = _killed_mid_import(case, owner, attempts=1)
    Import.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    owner_client.get(f"/cases/{case.pk}/imports/{job.pk}/")
    job.refresh_from_db()
    assert job.status == "running" and ImportedItem.objects.exists()


def test_a_dead_scan_is_simply_run_again(case, owner, django_capture_on_commit_callbacks):
    job = services.start(case, owner, seal(case, owner, chat(BASIC)))
    stale = timezone.now() - dt.timedelta(minutes=2)
    Import.objects.filter(pk=job.pk).update(attempts=1, heartbeat_at=stale)
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert liveness.revive_if_dead(job)
    job.refresh_from_db()
    assert job.status == "ready"  # scanned again
    assert job.attempts == 0 and job.heartbeat_at is None  # the import's own runs count from nought, unclaimed
