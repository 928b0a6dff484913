"""The health endpoint tells a load balancer whether this node can serve, and tells nobody anything else."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from django.utils import timezone

from ops import health

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.mark.django_db
def test_healthy_node_answers_200_with_checks_and_no_cookies() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "storage": "ok", "queue": "ok"}
    assert not response.cookies
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
def test_the_probe_leaves_no_file_behind() -> None:
    Client().get("/healthz")
    Client().get("/healthz")
    if default_storage.exists("health"):
        assert default_storage.listdir("health")[1] == []


@pytest.mark.django_db
def test_broken_storage_answers_503_without_saying_why(monkeypatch, caplog) -> None:  # noqa: ANN001
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError("/secret/path/files is not writable by uid 1000")

    monkeypatch.setattr(default_storage, "save", broken)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "storage": "failing", "queue": "ok"}
    assert b"secret" not in response.content and b"uid" not in response.content
    assert "not writable" in caplog.text  # the reason is in the node's own log


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS, DAYBOOK_HEALTH_QUEUE_STUCK_AFTER=300)
def test_a_task_nobody_takes_makes_the_queue_fail() -> None:
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.create(args_kwargs={"args": [], "kwargs": {}}, task_path="reports.tasks.make_report")
    assert Client().get("/healthz").status_code == 200  # just queued
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=timezone.now() - dt.timedelta(minutes=10))
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["queue"] == "failing"
    assert body["queue"]["waiting"] == 1 and body["queue"]["oldest_wait_seconds"] >= 599


@pytest.mark.django_db
def test_the_answer_holds_no_personal_data(owner, case) -> None:  # noqa: ANN001
    from tests.factories import make_incident

    make_incident(case, owner, description="Secret words about him")
    raw = Client().get("/healthz").content.decode()
    assert set(json.loads(raw)) == {"status", "checks", "queue", "seconds"}
    for word in ("Secret", "owner", "JB", "Bloggs", "/", "version", "sqlite", "postgres"):
        assert word.lower() not in raw.lower(), word


@pytest.mark.django_db
def test_only_get_is_allowed() -> None:
    assert Client().post("/healthz").status_code in (403, 405)
    assert health.check().ok


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_the_queue_reports_how_many_workers_beat_in_the_last_minute() -> None:
    from ops import heartbeat
    from ops.models import WorkerBeat

    assert Client().get("/healthz").json()["queue"]["workers"] == 0
    heartbeat.beat("node-a:101")
    heartbeat.beat("node-b:202")
    assert Client().get("/healthz").json()["queue"]["workers"] == 2
    WorkerBeat.objects.filter(name="node-b:202").update(seen_at=timezone.now() - dt.timedelta(minutes=2))
    body = Client().get("/healthz").json()
    assert body["queue"]["workers"] == 1
    assert "node-a" not in json.dumps(body)  # counted, never named


@pytest.mark.django_db
@override_settings(TASKS=DB_TASKS)
def test_a_database_worker_beats_when_it_starts() -> None:
    from django.core.management import call_command

    from ops import heartbeat
    from ops.models import WorkerBeat

    call_command("worker", burst=True)
    assert WorkerBeat.objects.filter(name=heartbeat.worker_name()).exists()
    assert heartbeat.alive() == 1
