"""Every import route refuses other people's data: owner, stranger (404), anonymous (login), and someone else's ids.
One test runs the real django-tasks database worker through scan and import."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from cases.services import create_case
from diary.models import Incident
from evidence import services as evidence
from imports import services
from imports.errors import ImportRefused
from imports.models import Import, ImportedItem

CHAT = b"05/01/2024, 03:10 - Alex Smith: I know where you live\n05/01/2024, 03:11 - Alex Smith: Answer me\n05/01/2024, 09:00 - Me: Stop\n"


def _ready(case, user) -> Import:
    exhibit = evidence.ingest(case, user, [CHAT], name="WhatsApp Chat with Alex Smith.txt").exhibit
    job = services.start(case, user, exhibit)
    services.scan(job)
    return job


@pytest.fixture
def job(case, owner):
    return _ready(case, owner)


@pytest.fixture
def done(case, owner):
    job = _ready(case, owner)
    services.choose(job, owner, services.Choices(suspects=["Alex Smith"]))
    return services.run(job, owner)


def routes(case, job):
    base = f"/cases/{case.pk}/imports"
    return [
        ("get", f"{base}/"),
        ("post", f"{base}/upload/"),
        ("get", f"{base}/{job.pk}/"),
        ("post", f"{base}/{job.pk}/"),
        ("get", f"{base}/{job.pk}/undo/"),
        ("post", f"{base}/{job.pk}/undo/"),
    ]


def test_owner_can_open_every_page(owner_client, case, done):
    assert owner_client.get(f"/cases/{case.pk}/imports/").status_code == 200
    assert owner_client.get(f"/cases/{case.pk}/imports/{done.pk}/").status_code == 200
    assert owner_client.get(f"/cases/{case.pk}/imports/{done.pk}/undo/").status_code == 200


def test_stranger_gets_404_everywhere_and_changes_nothing(stranger_client, case, done):
    for method, url in routes(case, done):
        response = getattr(stranger_client, method)(url, {"suspects": ["0"], "time_zone": "Europe/London"} if method == "post" else None)
        assert response.status_code == 404, url
    done.refresh_from_db()
    assert done.status == "done" and Incident.objects.filter(case=case, retracted=False).count() == 1


def test_anonymous_is_sent_to_sign_in(case, done):
    anonymous = Client()
    for method, url in routes(case, done):
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"], url


def test_someone_elses_import_id_is_404_in_my_own_case(owner_client, case, stranger):
    theirs_case = create_case(stranger, label="Theirs")
    theirs = _ready(theirs_case, stranger)
    base = f"/cases/{case.pk}/imports/{theirs.pk}"
    assert owner_client.get(f"{base}/").status_code == 404
    assert owner_client.post(f"{base}/", {"suspects": ["0"], "time_zone": "Europe/London"}).status_code == 404
    assert owner_client.post(f"{base}/undo/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "ready"


def test_stranger_cannot_upload_into_my_case(stranger_client, case):
    upload = io.BytesIO(CHAT)
    upload.name = "chat.txt"
    assert stranger_client.post(f"/cases/{case.pk}/imports/upload/", {"export": upload}).status_code == 404
    assert not Import.objects.filter(case=case).exists()


def test_an_exhibit_of_another_case_cannot_be_imported(case, owner, stranger):
    theirs_case = create_case(stranger, label="Theirs")
    exhibit = evidence.ingest(theirs_case, stranger, [CHAT], name="chat.txt").exhibit
    with pytest.raises(ImportRefused):
        services.start(case, owner, exhibit)


def test_choices_for_a_started_import_are_refused(owner_client, case, done):
    response = owner_client.post(f"/cases/{case.pk}/imports/{done.pk}/", {"suspects": ["0"], "time_zone": "Europe/London"})
    assert response.status_code == 302
    assert ImportedItem.objects.filter(case=case).count() == 3


def test_hostile_choice_values_get_a_clear_message(owner_client, case, job):
    url = f"/cases/{case.pk}/imports/{job.pk}/"
    for data in ({"suspects": ["99"], "time_zone": "Europe/London"}, {"suspects": ["<b>x</b>"], "time_zone": "Mars/Olympus"}):
        response = owner_client.post(url, data)
        assert response.status_code == 400
        assert "There is a problem" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "ready"


# A transactional test: the worker closes its database connection after each task, as in production.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}})
def test_the_real_database_worker_scans_and_imports(owner_client, case):
    upload = io.BytesIO(CHAT)
    upload.name = "WhatsApp Chat with Alex Smith.txt"
    response = owner_client.post(f"/cases/{case.pk}/imports/upload/", {"export": upload})
    job = Import.objects.get(case=case)
    assert job.status == "scanning"
    page = owner_client.get(response["Location"]).content.decode()
    assert "Reading the export" in page and "data-import-refresh" in page
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert job.status == "ready"
    index = next(i for i, p in enumerate(job.participants) if p["name"] == "Alex Smith")
    owner_client.post(response["Location"], {"suspects": [str(index)], "time_zone": "Europe/London"})
    job.refresh_from_db()
    assert job.status == "queued"
    assert "Waiting to start" in owner_client.get(response["Location"]).content.decode()
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    job.refresh_from_db()
    assert job.status == "done" and job.stats["suspect_messages"] == 2
    assert "Import finished" in owner_client.get(response["Location"]).content.decode()
    assert Incident.objects.filter(case=case).count() == 1


def test_upload_without_the_csrf_token_is_refused(case, owner):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    upload = io.BytesIO(CHAT)
    upload.name = "chat.txt"
    assert client.post(f"/cases/{case.pk}/imports/upload/", {"export": upload}).status_code == 403
    assert not Import.objects.filter(case=case).exists()
