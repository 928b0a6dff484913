"""Redis stopped while tasks are queued (issue 18), for real: a private redis-server on a free port of 127.0.0.1 holds
the RQ queue (DAYBOOK_TASKS_BACKEND=rq); it is killed with a report waiting, a second report is asked for while it is
down, and it is started again, with persistence (append-only file) and without. RQ's own worker makes the reports.

What the person sees: asking for a report while the queue is down is not an error page but the report's page with a
sentence, and making it again later succeeds. What happens to a job already queued: with persistence it is still
there and is made; without, Redis has forgotten it, and the report that was waiting is queued again by its own page
once it has waited ``DAYBOOK_HEALTH_QUEUE_STUCK_AFTER`` seconds, so it never waits for ever; so is an export of the
person's data, by the data page (every kind of job does the same: tests/test_lost_jobs.py). Nothing already sealed
is changed (the chain verifies)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.test import override_settings

from chain.verification import verify
from reports.models import Report
from takeout.models import Export
from tests.factories import make_exhibit, make_incident

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RQ = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on 127.0.0.1, its data in ``folder``; ``persist``: an append-only file written through at each
    command (what a deployment that must not lose queued work runs), else no persistence at all."""

    def __init__(self, folder: Path, *, persist: bool) -> None:
        self.folder, self.persist, self.port = folder, persist, _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder), "--save", ""]
        args += ["--appendonly", "yes", "--appendfsync", "always"] if self.persist else ["--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)  # noqa: S603
        import redis  # noqa: PLC0415

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=1).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        """SIGKILL: Redis gets no chance to save anything on the way down (a crash, a node lost)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(request, tmp_path):  # noqa: ANN001, ANN201
    if shutil.which("redis-server") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("redis-server is needed for the Redis fault tests")
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path, persist=request.param)
    server.start()
    with override_settings(TASKS=RQ, RQ_QUEUES={"default": {"URL": server.url, "DEFAULT_TIMEOUT": 3600}}):
        yield server
    server.kill()


def _queue():  # noqa: ANN202
    import django_rq  # noqa: PLC0415

    return django_rq.get_queue("default")


def _work() -> None:
    """RQ's own worker in burst mode, in this process (so it sees this test's database), without its command channel:
    RQ's teardown joins the pub/sub thread, which now and then waits a whole minute on redis-py's pub/sub timeout."""
    from django_tasks_rq import Job  # noqa: PLC0415
    from rq import SimpleWorker  # noqa: PLC0415

    class BurstWorker(SimpleWorker):
        def subscribe(self) -> None:
            return None

        def unsubscribe(self) -> None:
            return None

    queue = _queue()
    BurstWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)


@pytest.mark.parametrize("redis_server", [True, False], ids=["with-persistence", "without-persistence"], indirect=True)
def test_redis_stopped_with_a_report_queued(redis_server, owner, case, owner_client, settings) -> None:  # noqa: ANN001
    make_incident(case, owner, description="He followed me from the station")
    make_exhibit(case, owner)
    _work()  # the exhibit's read-back and preview, queued on Redis too
    head_before = verify(case).head if hasattr(verify(case), "head") else None

    first = owner_client.post(f"/cases/{case.pk}/reports/new/", {"with_bundle": "on"})
    assert first.status_code == 302
    waiting = Report.objects.get(case=case)
    assert waiting.status == "queued" and _queue().count == 1
    assert owner_client.post("/account/data/").status_code == 302  # a copy of the person's data, queued too
    export = Export.objects.get(owner=owner)
    assert export.status == "queued" and _queue().count == 2

    redis_server.kill()
    # Asked for while the queue is down: the report's own page, with a sentence; never a 500 page.
    second = owner_client.post(f"/cases/{case.pk}/reports/new/", {"with_bundle": "on"}, follow=True)
    assert second.status_code == 200
    refused = Report.objects.exclude(pk=waiting.pk).get(case=case)
    assert refused.status == "failed"
    assert refused.problem.startswith("The report could not be started, because the background worker's queue cannot be reached just now.")
    assert "background worker" in second.content.decode() and "Traceback" not in second.content.decode()
    health = owner_client.get("/healthz")
    assert health.status_code == 503 and health.json()["checks"]["queue"] == "failing"
    assert owner_client.get(f"/cases/{case.pk}/reports/{waiting.uuid}/status/").json()["status"] == "queued"

    redis_server.start()
    if redis_server.persist:
        assert _queue().count == 2  # the append-only file kept the jobs
    else:
        assert _queue().count == 0  # Redis forgot them: the report and the export wait for nothing...
        settings.DAYBOOK_HEALTH_QUEUE_STUCK_AFTER = 0  # ...until they have waited this long (the time has passed)
        assert owner_client.get(f"/cases/{case.pk}/reports/{waiting.uuid}/status/").json()["status"] == "queued"
        assert _queue().count == 1  # its page queued it again
        assert owner_client.get("/account/data/").status_code == 200
        assert _queue().count == 2  # and the data page the export
    _work()
    waiting.refresh_from_db()
    assert waiting.status == "done", waiting.problem
    export.refresh_from_db()
    assert export.status == "ready" and export.size > 0, export.problem

    # The refused one: make it again, and it is made.
    assert owner_client.post(f"/cases/{case.pk}/reports/new/", {"with_bundle": "on"}).status_code == 302
    _work()
    assert Report.objects.filter(case=case, status="done").count() == 2
    check = verify(case)
    assert check.ok and all(getattr(f, "ok", True) for f in check.files)
    if head_before is not None:
        assert check.head == head_before
