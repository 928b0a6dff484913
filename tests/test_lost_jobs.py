"""A job whose queue entry was lost (Redis restarted without persistence, a queue flushed by hand) never waits for
ever (kernel.jobs.requeue_if_lost): once it has waited ``DAYBOOK_HEALTH_QUEUE_STUCK_AFTER`` seconds, the page the
person (or the intake worker) is looking at queues it once more, at most once per wait, and the job then finishes.
Shown here for every kind of background job: imports (scan and run), integrity checks, daily files, exports and
loads of the person's data. Reports have their own test (tests/test_report_liveness.py); the real Redis drill is in
tests/test_faults_redis.py. A copy of a job that was only slow does no harm: each claims its row from its waiting
state only, so a second copy finds it taken. And an export or a load whose worker died is run once more, then fails
with a sentence: it no longer blocks asking again for ever."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from django_tasks import default_task_backend

from casework import feedgen, feedjobs
from casework.models import FeedStatus, FeedUpload
from diary import integrity
from diary.models import IntegrityCheck
from imports import services as imports
from imports import tasks as import_tasks
from imports.models import Import
from organisations.testing import signed_in
from takeout import services as takeout
from takeout import tasks as takeout_tasks
from takeout.models import Export, Load
from tests.test_casework_feed import world  # noqa: F401 (fixture)
from tests.test_feed_background import post
from tests.test_imports_flow import BASIC, HIM, chat, seal

pytestmark = pytest.mark.django_db

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
LONG_AGO = dt.timedelta(minutes=10)


@pytest.fixture
def lost_queue():  # noqa: ANN201
    """A queue that keeps what is put in it and never runs it; ``clear()`` is the queue losing its jobs."""
    cache.clear()
    with override_settings(TASKS=DUMMY, DAYBOOK_HEALTH_QUEUE_STUCK_AFTER=300):
        default_task_backend.clear()
        yield default_task_backend
        default_task_backend.clear()
    cache.clear()


def queued(backend, task) -> list:  # noqa: ANN001
    """The ids queued for ``task``."""
    return [r.args[0] for r in backend.results if r.task.name == task.name]


def test_a_lost_scan_and_a_lost_import_are_queued_again_by_the_import_page(case, owner, owner_client, lost_queue):  # noqa: ANN001
    job = imports.start(case, owner, seal(case, owner, chat(BASIC)))
    import_tasks.enqueue_scan(job)
    assert queued(lost_queue, import_tasks.scan_import) == [job.pk]
    lost_queue.clear()  # Redis forgot it
    page = f"/cases/{case.pk}/imports/{job.pk}/"

    owner_client.get(page)  # not yet waited long enough: nothing happens
    assert queued(lost_queue, import_tasks.scan_import) == []
    Import.objects.filter(pk=job.pk).update(updated_at=timezone.now() - LONG_AGO)
    assert owner_client.get(page).status_code == 200
    assert queued(lost_queue, import_tasks.scan_import) == [job.pk]  # queued again by its page
    owner_client.get(page)
    assert queued(lost_queue, import_tasks.scan_import) == [job.pk]  # once per wait, not once per page load

    assert import_tasks.scan_import.call(job.pk) == "ready"  # the worker takes the copy
    job.refresh_from_db()
    assert job.status == "ready" and job.heartbeat_at is None and job.attempts == 0
    # The import itself, chosen and queued, then lost too.
    imports.choose(job, owner, imports.Choices(suspects=[HIM]))
    lost_queue.clear()
    cache.clear()
    Import.objects.filter(pk=job.pk).update(updated_at=timezone.now() - LONG_AGO)
    owner_client.get(page)
    assert queued(lost_queue, import_tasks.run_import) == [job.pk]
    assert import_tasks.run_import.call(job.pk) == "done"
    # A copy that arrives later finds the job taken: nothing is imported twice.
    assert import_tasks.run_import.call(job.pk) == "gone"
    job.refresh_from_db()
    assert job.status == "done" and job.attempts == 1


def test_a_copy_of_a_scan_arriving_while_one_runs_finds_it_taken(case, owner, lost_queue):  # noqa: ANN001
    job = imports.start(case, owner, seal(case, owner, chat(BASIC)))
    Import.objects.filter(pk=job.pk).update(attempts=1, heartbeat_at=timezone.now())  # a worker has it and is alive
    assert import_tasks.scan_import.call(job.pk) == "gone"
    job.refresh_from_db()
    assert job.status == "scanning" and job.attempts == 1


def test_a_lost_integrity_check_is_queued_again_by_its_page(case, owner, owner_client, lost_queue):  # noqa: ANN001
    check = IntegrityCheck.objects.create(case=case, requested_by=owner)
    assert owner_client.get(f"/cases/{case.pk}/integrity/").status_code == 200
    assert queued(lost_queue, integrity.run_integrity_check) == []
    IntegrityCheck.objects.filter(pk=check.pk).update(requested_at=timezone.now() - LONG_AGO)
    assert owner_client.get(f"/cases/{case.pk}/integrity/").status_code == 200
    assert queued(lost_queue, integrity.run_integrity_check) == [check.pk]
    assert integrity.run_integrity_check.call(check.pk) == "done"
    check.refresh_from_db()
    assert check.status == "done" and check.ok
    assert integrity.run_integrity_check.call(check.pk) == "gone"  # a late copy changes nothing


def test_a_running_check_is_not_taken_by_a_copy(case, owner, lost_queue):  # noqa: ANN001
    check = IntegrityCheck.objects.create(case=case, requested_by=owner, status="running", attempts=1, started_at=timezone.now(), heartbeat_at=timezone.now())
    assert integrity.run_integrity_check.call(check.pk) == "gone"
    check.refresh_from_db()
    assert check.status == "running" and check.attempts == 1


def test_a_lost_daily_file_is_queued_again_by_its_status_route(world, lost_queue, monkeypatch):  # noqa: ANN001, F811
    intake = signed_in(world["intake"].user)
    response = post(intake, world, feedgen.as_csv(feedgen.generate(5, seed=4)))
    assert response.status_code == 302
    upload = FeedUpload.objects.get()
    from casework import tasks  # noqa: PLC0415

    assert queued(lost_queue, tasks.take_feed) == [upload.pk]
    lost_queue.clear()
    FeedUpload.objects.filter(pk=upload.pk).update(uploaded_at=timezone.now() - LONG_AGO)
    assert intake.get(f"/staff/kent/feeds/{upload.pk}/status/").json()["status"] == "queued"
    assert queued(lost_queue, tasks.take_feed) == [upload.pk]
    assert feedjobs.feed_process(upload.pk) == FeedStatus.DONE
    assert feedjobs.feed_process(upload.pk) == "gone"


def test_a_lost_export_is_queued_again_by_the_data_page_and_made(owner, owner_client, case, lost_queue):  # noqa: ANN001
    assert owner_client.post("/account/data/").status_code == 302
    export = Export.objects.get(owner=owner)
    assert export.status == "queued"
    lost_queue.clear()
    owner_client.get("/account/data/")
    assert queued(lost_queue, takeout_tasks.make_export) == []
    Export.objects.filter(pk=export.pk).update(requested_at=timezone.now() - LONG_AGO)
    page = owner_client.get("/account/data/")
    assert page.status_code == 200
    assert queued(lost_queue, takeout_tasks.make_export) == [export.pk]
    assert takeout_tasks.make_export.call(export.pk) == "ready"
    assert takeout_tasks.make_export.call(export.pk) == "gone"
    export.refresh_from_db()
    assert export.status == "ready" and export.attempts == 1 and export.size > 0


def test_an_export_whose_worker_died_is_made_again_then_fails_with_a_sentence(owner, owner_client, case, lost_queue, django_capture_on_commit_callbacks):  # noqa: ANN001
    export = Export.objects.create(owner=owner)
    stale = timezone.now() - dt.timedelta(minutes=2)
    Export.objects.filter(pk=export.pk).update(status="running", attempts=1, heartbeat_at=stale)
    # Before, a running export whose worker died blocked asking again for ever (request_export returns it).
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.get("/account/data/").status_code == 200
    export.refresh_from_db()
    assert export.status == "queued" and queued(lost_queue, takeout_tasks.make_export) == [export.pk]
    assert takeout_tasks.make_export.call(export.pk) == "ready"
    # The second death: a sentence, and the person can ask again.
    again = Export.objects.create(owner=owner)
    Export.objects.filter(pk=again.pk).update(status="running", attempts=takeout.MAX_ATTEMPTS, heartbeat_at=stale)
    text = owner_client.get("/account/data/").content.decode()
    again.refresh_from_db()
    assert again.status == "failed" and again.problem == takeout.FAILED
    assert "Your copy could not be made" in text
    assert owner_client.post("/account/data/").status_code == 302
    assert Export.objects.filter(owner=owner, status="queued").count() == 1


def test_a_lost_load_is_queued_again_and_a_dead_one_fails_with_its_file_removed(owner, owner_client, lost_queue, django_capture_on_commit_callbacks):  # noqa: ANN001
    from vault import store  # noqa: PLC0415

    with django_capture_on_commit_callbacks(execute=True):
        job = takeout.request_load(owner, [b"not an export at all"])
    assert queued(lost_queue, takeout_tasks.load_upload) == [job.pk]
    lost_queue.clear()
    Load.objects.filter(pk=job.pk).update(requested_at=timezone.now() - LONG_AGO)
    assert owner_client.get(f"/account/data/load/{job.uuid}/").status_code == 200
    assert queued(lost_queue, takeout_tasks.load_upload) == [job.pk]
    assert takeout_tasks.load_upload.call(job.pk) == "refused"  # run: this file is no export, and says so
    # A load whose worker died twice: failed with its sentence, the sealed upload removed.
    dead = takeout.request_load(owner, [b"another file"])
    Load.objects.filter(pk=dead.pk).update(status="running", attempts=takeout.MAX_ATTEMPTS, heartbeat_at=timezone.now() - dt.timedelta(minutes=2))
    assert store.storage().exists(dead.file_name)
    owner_client.get(f"/account/data/load/{dead.uuid}/")
    dead.refresh_from_db()
    assert dead.status == "failed" and dead.problems == [takeout.LOAD_FAILED]
    assert not store.storage().exists(Load.objects.get(pk=dead.pk).file_name or "x") and dead.file_name == ""


def test_the_hourly_sweep_requeues_what_nobody_is_watching(owner, lost_queue):  # noqa: ANN001
    export = Export.objects.create(owner=owner, requested_at=timezone.now() - LONG_AGO)
    takeout.sweep_expired()
    assert queued(lost_queue, takeout_tasks.make_export) == [export.pk]


def test_a_lost_read_back_and_preview_is_queued_again_by_the_exhibit_page(case, owner, owner_client, lost_queue):  # noqa: ANN001
    from evidence import tasks as evidence_tasks  # noqa: PLC0415
    from evidence.models import Exhibit  # noqa: PLC0415
    from tests.factories import make_exhibit  # noqa: PLC0415

    exhibit = make_exhibit(case, owner)
    assert exhibit.preview_status == "pending" and queued(lost_queue, evidence_tasks.process_exhibit) == [exhibit.pk]
    lost_queue.clear()
    page = f"/cases/{case.pk}/evidence/{exhibit.number}/"
    assert "A preview is being made" in owner_client.get(page).content.decode()
    assert queued(lost_queue, evidence_tasks.process_exhibit) == []
    Exhibit.objects.filter(pk=exhibit.pk).update(created_at=timezone.now() - LONG_AGO)
    owner_client.get(page)
    assert queued(lost_queue, evidence_tasks.process_exhibit) == [exhibit.pk]
    evidence_tasks.process_exhibit.call(exhibit.pk)
    exhibit.refresh_from_db()
    assert exhibit.preview_status != "pending" and exhibit.original.checked_at is not None and exhibit.original.check_ok
    assert "A preview is being made" not in owner_client.get(page).content.decode()


def test_asking_while_the_queue_is_down_is_no_error_and_the_job_is_taken_later(  # noqa: PLR0913
    owner, owner_client, case, lost_queue, monkeypatch, django_capture_on_commit_callbacks  # noqa: ANN001
):
    """The queue cannot be reached when the person asks for a copy of their data or a check: the page answers as
    usual, the job waits, and once the queue is back the job's page queues it again."""

    def down(*args: object, **kwargs: object) -> None:
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    from django_tasks import task_backends  # noqa: PLC0415

    monkeypatch.setattr(task_backends["default"], "enqueue", down)
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post("/account/data/").status_code == 302
    export = Export.objects.get(owner=owner)
    assert export.status == "queued"
    assert "being made" in owner_client.get("/account/data/").content.decode()
    check = integrity.request_check(case, owner)
    assert check.status == "queued"
    monkeypatch.undo()  # the queue is back
    Export.objects.filter(pk=export.pk).update(requested_at=timezone.now() - LONG_AGO)
    IntegrityCheck.objects.filter(pk=check.pk).update(requested_at=timezone.now() - LONG_AGO)
    owner_client.get("/account/data/")
    owner_client.get(f"/cases/{case.pk}/integrity/")
    assert queued(lost_queue, takeout_tasks.make_export) == [export.pk]
    assert queued(lost_queue, integrity.run_integrity_check) == [check.pk]


def test_keep_jobs_going_requeues_and_revives_what_no_page_is_showing(case, owner, lost_queue, django_capture_on_commit_callbacks):  # noqa: ANN001
    """``manage.py keep_jobs_going`` (every 5 minutes from the scheduler): a lost import scan, a lost check and a dead
    export, none of them on anybody's screen, are queued again; a job that has not waited long is left alone."""
    from django.core.management import call_command  # noqa: PLC0415

    scan = imports.start(case, owner, seal(case, owner, chat(BASIC)))
    Import.objects.filter(pk=scan.pk).update(updated_at=timezone.now() - LONG_AGO)
    check = IntegrityCheck.objects.create(case=case, requested_by=owner)
    IntegrityCheck.objects.filter(pk=check.pk).update(requested_at=timezone.now() - LONG_AGO)
    fresh = IntegrityCheck.objects.create(case=case, requested_by=owner)  # asked for just now: its job is on its way
    dead = Export.objects.create(owner=owner)
    Export.objects.filter(pk=dead.pk).update(status="running", attempts=1, heartbeat_at=timezone.now() - dt.timedelta(minutes=2))
    lost_queue.clear()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("keep_jobs_going", stdout=out)
    assert queued(lost_queue, import_tasks.scan_import) == [scan.pk]
    assert queued(lost_queue, integrity.run_integrity_check) == [check.pk]  # not ``fresh``
    assert queued(lost_queue, takeout_tasks.make_export) == [dead.pk]
    assert Export.objects.get(pk=dead.pk).status == "queued"
    assert "imports 1" in out.getvalue() and "integrity checks 1" in out.getvalue() and "exports and loads 1" in out.getvalue()
    assert fresh.pk not in queued(lost_queue, integrity.run_integrity_check)
    out = io.StringIO()
    call_command("keep_jobs_going", stdout=out)  # at once again: once per wait
    assert out.getvalue().strip() == "started again or failed: nothing"
    assert len(lost_queue.results) == 3
