"""The RQ backend, for real: tasks go to Redis on 127.0.0.1 and RQ's own worker runs them.

CI starts Redis (.ci/run). The worker here is RQ's SimpleWorker in burst mode: the same code a `manage.py worker`
on another machine runs, without forking, so that it sees this test's database."""

from __future__ import annotations

import django_rq
import pytest
from django.conf import settings
from django.test import Client, override_settings
from django_tasks_rq import Job
from rq import SimpleWorker

from reports.models import Report
from reports.options import ReportOptions
from tests.factories import make_incident

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RQ = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}


@pytest.fixture
def queue():  # noqa: ANN201
    with override_settings(TASKS=RQ):
        q = django_rq.get_queue("default")
        q.connection.flushdb()
        yield q
        q.connection.flushdb()


def _work(queue) -> None:  # noqa: ANN001
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


def test_a_report_is_queued_on_redis_and_made_by_the_rq_worker(queue, owner, case) -> None:  # noqa: ANN001
    from reports import services

    make_incident(case, owner, description="He was at the station")
    report = services.request_report(case, owner, ReportOptions(), with_bundle=False, with_timestamp=False)
    assert queue.count == 1  # on Redis, waiting for a worker
    assert Report.objects.get(pk=report.pk).status == "queued"
    _work(queue)
    report.refresh_from_db()
    assert report.status == "done", report.problem
    assert queue.count == 0


def test_health_reports_the_rq_queue_and_its_workers(queue, owner, case) -> None:  # noqa: ANN001
    from reports import services

    make_incident(case, owner)
    services.request_report(case, owner, ReportOptions(), with_bundle=False, with_timestamp=False)
    body = Client().get("/healthz").json()
    assert body["queue"]["waiting"] == 1 and body["queue"]["workers"] == 0
    assert body["checks"]["queue"] == "ok"  # just queued
    _work(queue)
    assert Client().get("/healthz").json()["queue"]["waiting"] == 0


def test_manage_py_worker_in_another_process_takes_work_from_redis(tmp_path) -> None:  # noqa: ANN001
    """Two separate processes, as on two machines: one asks for a report, `manage.py worker --burst` makes it."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "daybook.settings",
        "DAYBOOK_DATA_DIR": str(tmp_path),
        "DAYBOOK_TASKS_BACKEND": "rq",
        "DAYBOOK_RQ_URL": settings.RQ_QUEUES["default"]["URL"],
    }
    env.pop("DATABASE_URL", None)

    def manage(*args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env, capture_output=True, text=True, timeout=300)  # noqa: S603
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    manage("migrate", "-v0")
    manage(
        "shell",
        "-c",
        "from tests.factories import make_user, make_case, make_incident;"
        "from reports import services; from reports.options import ReportOptions;"
        "u = make_user('owner'); c = make_case(u); make_incident(c, u);"
        "services.request_report(c, u, ReportOptions(), with_bundle=False, with_timestamp=False)",
    )
    assert "queued" in manage("shell", "-c", "from reports.models import Report; print(Report.objects.get().status)")
    manage("worker", "--burst")
    assert "done" in manage("shell", "-c", "from reports.models import Report; print(Report.objects.get().status)")
