"""Logs carry no personal text, and metrics only route patterns: marked words typed into the forms never reach a line.

A tour through the person's forms (case, quick note, full incident, physical item, file upload, import, report,
search) with a marker in every text field, plus a server error whose message holds the marker, all logged at DEBUG
through the JSON formatter the product uses. Not a browser tour: the test client posts what a browser would."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.test import Client

from diary import rules
from ops.logs import JsonFormatter

MARK = "Qzmarkxx"


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logged():  # noqa: ANN201
    root = logging.getLogger()
    handler, level = Lines(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet = {name: logging.getLogger(name).level for name in ("fontTools", "weasyprint", "PIL", "asyncio", "faker")}
    for name in quiet:
        logging.getLogger(name).setLevel(logging.WARNING)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)
    for name, old in quiet.items():
        logging.getLogger(name).setLevel(old)


def test_a_tour_of_the_forms_leaves_no_marked_word_in_any_log_line(logged, owner, owner_client, case, monkeypatch) -> None:  # noqa: ANN001
    c = case.pk
    today = rules.now_local().strftime("%Y-%m-%d")
    owner_client.post("/cases/new/", {"label": f"{MARK} label", "relationship": "ex_partner", "suspect_name": f"{MARK} Bloggs", "notes": MARK})
    owner_client.post(f"/cases/{c}/quick/", {"description": f"{MARK} quick", "date": today})
    owner_client.post(
        f"/cases/{c}/incidents/new/",
        {
            "date": today,
            "time": "00:01",
            "time_precision": "exact",
            "description": f"{MARK} full",
            "reported": "no",
            "location": f"{MARK} place",
            "feelings": MARK,
            "impact": MARK,
            "notes": MARK,
            "witness_0_name": MARK,
            "witness_0_saw": MARK,
        },
    )
    owner_client.post(f"/cases/{c}/evidence/physical/new/", {"description": MARK, "arrived_how": MARK, "kept_where": MARK})
    upload = io.BytesIO(f"05/01/2024, 03:10 - Alex Smith: {MARK} message\n".encode())
    upload.name = f"WhatsApp Chat with {MARK}.txt"
    owner_client.post(f"/cases/{c}/imports/upload/", {"export": upload})
    owner_client.post(f"/cases/{c}/reports/new/", {"person_name": MARK, "person_contact": MARK})
    owner_client.get(f"/cases/{c}/timeline/", {"q": MARK})
    owner_client.get(f"/no-such-page/{MARK}/?q={MARK}")
    owner_client.post("/account/login/", {"login": f"{MARK}@example.com", "password": MARK})

    from diary.models import Incident
    from evidence.models import Exhibit
    from imports.models import Import
    from reports.models import Report

    assert Incident.objects.filter(case=case).count() == 2  # the forms were accepted, not refused
    assert Exhibit.objects.filter(case=case, kind="physical").exists() and Import.objects.filter(case=case).exists()
    assert Report.objects.filter(case=case).exists()

    from diary import views as diary_views

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise ValueError(f"could not save {MARK}")

    monkeypatch.setattr(diary_views.services, "create_incident", broken)
    crashing = Client(raise_request_exception=False)
    crashing.force_login(owner)
    response = crashing.post(f"/cases/{c}/quick/", {"description": f"{MARK} crash", "date": today})
    assert response.status_code == 500

    assert len(logged.lines) > 10  # the tour was logged (requests, the error)
    leaked = [line for line in logged.lines if MARK.lower() in line.lower()]
    assert leaked == []
    errors = [json.loads(line) for line in logged.lines if '"level": "ERROR"' in line]
    assert errors and errors[-1]["exception"]["type"] == "builtins.ValueError"
    assert any("broken" in where for where in errors[-1]["exception"]["where"])


def test_every_line_is_one_json_object_with_the_route_pattern(logged, owner_client, case) -> None:  # noqa: ANN001
    owner_client.get(f"/cases/{case.pk}/timeline/")
    lines = [json.loads(line) for line in logged.lines]
    requests = [line for line in lines if line["logger"] == "daybook.request"]
    assert requests
    assert requests[-1]["route"] == "cases/<int:case_id>/timeline/"
    assert requests[-1]["status"] == 200 and requests[-1]["ms"] >= 0
    assert f"/cases/{case.pk}/" not in json.dumps(requests)
    owner_client.get(f"/cases/{case.pk}/incidents/999/")
    missing = [json.loads(line) for line in logged.lines if '"django.request"' in line][-1]
    assert missing["event"] == "Not Found: cases/<int:case_id>/incidents/<int:number>/"


def test_metrics_need_their_token_and_show_route_patterns_only(settings, owner_client, case) -> None:  # noqa: ANN001
    assert Client().get("/metrics").status_code == 404  # no token configured: no such page
    settings.DAYBOOK_METRICS_TOKEN = "s3cret-metrics-token"
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    owner_client.get(f"/cases/{case.pk}/timeline/")
    upload = io.BytesIO(b"05/01/2024, 03:10 - Alex Smith: hello\n")
    upload.name = "WhatsApp Chat with Alex Smith.txt"
    owner_client.post(f"/cases/{case.pk}/imports/upload/", {"export": upload})
    response = Client().get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'daybook_http_request_duration_seconds_count{method="GET",route="cases/<int:case_id>/timeline/",status="2xx"}' in body
    assert "daybook_upload_bytes_total" in body and "daybook_queue_waiting" in body
    assert f"/cases/{case.pk}/" not in body
    assert not response.cookies
