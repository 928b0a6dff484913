"""A report whose worker died is noticed within a minute (heartbeat), run once more or failed with a sentence, and
its progress only ever moves forwards (several phases, each counting from zero, make one percentage)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from evidence.services import ingest
from kernel import jobs
from reports import services
from reports.models import Report
from reports.options import ReportOptions
from tests.factories import make_incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def diary(case, owner):
    make_incident(case, owner, days_ago=3, description="He waited at the school gate", channel="in_person")
    make_incident(case, owner, days_ago=1, description="Flowers left on the car", channel="gift")
    ingest(case, owner, [b"photo bytes " * 100], name="gate.jpg")
    return case


def _dead_report(case, *, attempts: int, seconds_silent: int = 120, with_bundle: bool = True) -> Report:  # noqa: ANN001
    """A job row as a killed worker leaves it: running, part-way, with a stale heartbeat."""
    report = services.request_report(case, case.owner, ReportOptions(), with_bundle=with_bundle, with_timestamp=False)
    silent_since = timezone.now() - dt.timedelta(seconds=seconds_silent)
    Report.objects.filter(pk=report.pk).update(
        status="running", attempts=attempts, started_at=silent_since - dt.timedelta(seconds=30), heartbeat_at=silent_since, done=40, total=100
    )
    report.refresh_from_db()
    return report


def test_a_dead_worker_is_noticed_and_the_report_is_made_once_more(owner_client, diary, django_capture_on_commit_callbacks):
    report = _dead_report(diary, attempts=1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    assert services.RETRY_STAGE in page and "40%" in page  # the bar does not jump back
    report.refresh_from_db()
    assert report.status == "queued" and report.attempts == 1
    assert len(callbacks) == 1  # the retry is queued for the worker
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()
    report.refresh_from_db()
    assert report.status == "done" and report.attempts == 2 and report.percent == 100
    assert owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/download/pdf/").status_code == 200


def test_a_second_death_fails_with_a_sentence(owner_client, diary):
    report = _dead_report(diary, attempts=services.MAX_ATTEMPTS)
    status = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/status/").json()
    assert status["status"] == "failed" and status["problem"] == services.DEAD_PROBLEM
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    assert "The report could not be made" in page and "stopped part-way twice" in page
    assert "the report carries on" not in page


def test_a_worker_with_a_recent_heartbeat_is_left_alone(owner_client, diary):
    report = _dead_report(diary, attempts=1, seconds_silent=10)
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    report.refresh_from_db()
    assert report.status == "running" and "the report carries on" in page
    # The list page sweeps too: a minute and a bit later it is taken for dead.
    services.sweep_expired(now=timezone.now() + dt.timedelta(seconds=61))
    report.refresh_from_db()
    assert report.status == "queued" and report.stage == services.RETRY_STAGE


def test_a_run_given_up_for_dead_cannot_overwrite_its_successor(diary):
    report = _dead_report(diary, attempts=1)
    zombie = _Recorder(report, attempt=1)
    services.revive_if_dead(report)
    zombie("Laying out the pages", 9, 10)  # the old run carries on writing: nothing changes
    report.refresh_from_db()
    assert report.status == "queued" and report.done == 40


class _Recorder(services._Progress):
    def __init__(self, report: Report, attempt: int) -> None:
        super().__init__(report, attempt, interval=0)


def test_recorded_progress_only_moves_forwards_through_a_real_report(diary, monkeypatch):
    seen: list[int] = []
    real_write = services._Progress.write

    def write(self, label: str, percent: int) -> None:  # noqa: ANN001
        seen.append(percent)
        real_write(self, label, percent)

    monkeypatch.setattr(services._Progress, "write", write)
    report = services.request_report(diary, diary.owner, ReportOptions(), with_bundle=True, with_timestamp=False)
    services.generate(report)
    report.refresh_from_db()
    assert report.status == "done" and report.percent == 100
    assert len(seen) >= 4 and seen == sorted(seen), seen
    assert seen[-1] >= 90


STAGES = [s for s, _w in services.phases_for(True)] + ["Something new"]


@settings(max_examples=200, deadline=None)
@given(
    calls=st.lists(st.tuples(st.sampled_from(STAGES), st.integers(0, 500), st.integers(0, 500)), max_size=60),
    with_bundle=st.booleans(),
    start=st.integers(0, 100),
)
def test_phases_never_go_backwards(calls, with_bundle, start):
    phases = jobs.Phases(services.phases_for(with_bundle), start=start)
    last = phases.percent
    for stage, done, total in calls:
        percent = phases.update(stage, done, total)
        assert last <= percent <= 99
        last = percent


def test_phases_cover_the_whole_bar_in_order():
    phases = jobs.Phases(services.phases_for(True))
    for stage, _w in services.phases_for(True):
        phases.update(stage, 1, 1)
    assert phases.percent == 99
    assert jobs.Phases([("a", 1), ("b", 3)]).update("b", 0, 10) == 24


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_thread_stamps_the_row_while_the_job_works(diary):
    report = services.request_report(diary, diary.owner, ReportOptions(), with_bundle=False, with_timestamp=False)
    with jobs.Heartbeat(Report, report.pk, every=0.05):
        first = Report.objects.get(pk=report.pk).heartbeat_at
        time.sleep(0.4)
        later = Report.objects.get(pk=report.pk).heartbeat_at
    assert first is not None and later > first
    assert not jobs.is_dead(later, None) and jobs.is_dead(later, None, now=later + dt.timedelta(seconds=61))
