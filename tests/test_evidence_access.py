"""Every evidence route for every role: the owner, another signed-in person, and someone not signed in.

Another person's exhibit, upload or download gives exactly the same 404 as one that does not exist, and
nothing they send changes anything."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from cases.services import create_case
from evidence import services, uploads
from evidence.models import Exhibit, UploadSession
from evidence.testing import png
from tests.factories import make_incident


@pytest.fixture
def world(case, owner):
    exhibit = services.ingest(case, owner, [png()], name="screenshot.png").exhibit
    exhibit.refresh_from_db()
    assert exhibit.preview_status == "ready"
    item = services.create_physical(case, owner, description="Flowers", received_on=None, arrived_how="Doorstep", kept_where="Freezer")
    upload = uploads.start_upload(case, owner, name="video.mp4", size=10)
    incident = make_incident(case, owner)
    return {"case": case, "exhibit": exhibit, "item": item, "upload": upload, "incident": incident}


def urls(w) -> dict[str, list[str]]:
    base = f"/cases/{w['case'].pk}/evidence"
    n, u = w["exhibit"].number, w["upload"].uuid
    return {
        "get": [
            f"{base}/",
            f"{base}/add/",
            f"{base}/add/?incident={w['incident'].number}",
            f"{base}/add/?photo_of={w['item'].number}",
            f"{base}/physical/new/",
            f"{base}/uploads/",
            f"{base}/uploads/{u}/",
            f"{base}/{n}/",
            f"{base}/{n}/edit/",
            f"{base}/{n}/continuity/",
            f"{base}/{n}/download/",
            f"{base}/{n}/preview/",
            f"{base}/{w['item'].number}/",
        ],
        "post": [
            f"{base}/add/send/",
            f"{base}/physical/new/",
            f"{base}/uploads/",
            f"{base}/uploads/{u}/finish/",
            f"{base}/uploads/{u}/discard/",
            f"{base}/{n}/edit/",
            f"{base}/{n}/links/",
            f"{base}/{n}/continuity/",
        ],
        "put": [f"{base}/uploads/{u}/"],
        "delete": [f"{base}/uploads/{u}/"],
    }


def test_owner_reaches_every_evidence_page(owner_client, world):
    for url in urls(world)["get"]:
        response = owner_client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"].startswith("no-store"), url


def _snapshot(world):
    exhibit = Exhibit.objects.get(pk=world["exhibit"].pk)
    upload = UploadSession.objects.get(pk=world["upload"].pk)
    return (exhibit.version, exhibit.reference_enc, upload.status, upload.received, Exhibit.objects.count(), UploadSession.objects.count())


def test_stranger_gets_404_everywhere_and_changes_nothing(stranger_client, world):
    before = _snapshot(world)
    u = urls(world)
    body = {"description": "x", "reference": "X/1", "incidents": "1", "what": "police", "happened_on": "2025-01-01", "to": "x"}
    for url in u["get"]:
        assert stranger_client.get(url).status_code == 404, url
        assert stranger_client.head(url).status_code == 404, url
    for url in u["post"]:
        assert stranger_client.post(url, body).status_code == 404, url
        assert stranger_client.post(url, json.dumps({"name": "x", "size": 5}), content_type="application/json").status_code == 404, url
    for url in u["put"]:
        r = stranger_client.put(url, b"12345", content_type="application/offset+octet-stream", headers={"Upload-Offset": "0"})
        assert r.status_code == 404, url
    for url in u["delete"]:
        assert stranger_client.delete(url).status_code == 404, url
    assert _snapshot(world) == before


def test_refusal_looks_the_same_as_a_missing_exhibit(stranger_client, world):
    c, n = world["case"].pk, world["exhibit"].number
    strip = lambda b: re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", b)  # noqa: E731
    for path in ["/", f"/{n}/", f"/{n}/download/"]:
        theirs = stranger_client.get(f"/cases/{c}/evidence{path}")
        missing = stranger_client.get(f"/cases/{c + 999}/evidence{path}")
        assert theirs.status_code == missing.status_code == 404
        assert strip(theirs.content) == strip(missing.content)
        assert b"screenshot" not in theirs.content


def test_anonymous_is_sent_to_sign_in(world):
    client = Client()
    u = urls(world)
    for url in u["get"]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/account/login/"), url
    for url in u["post"]:
        assert client.post(url, {}).status_code == 302, url
    assert client.put(u["put"][0], b"x", content_type="application/offset+octet-stream").status_code == 302
    assert client.delete(u["delete"][0]).status_code == 302


def test_ids_from_another_case_never_reach_it(owner, owner_client, stranger, world):
    theirs = create_case(stranger, label="Theirs")
    their_upload = uploads.start_upload(theirs, stranger, name="their.mp4", size=10)
    services.ingest(theirs, stranger, [b"their first"], name="a.txt")
    their_second = services.ingest(theirs, stranger, [b"their second"], name="b.txt").exhibit
    mine = world["case"].pk
    assert owner_client.get(f"/cases/{theirs.pk}/evidence/1/").status_code == 404
    assert owner_client.get(f"/cases/{mine}/evidence/uploads/{their_upload.uuid}/").status_code == 404
    r = owner_client.put(
        f"/cases/{mine}/evidence/uploads/{their_upload.uuid}/", b"12345", content_type="application/offset+octet-stream", headers={"Upload-Offset": "0"}
    )
    assert r.status_code == 404
    assert owner_client.post(f"/cases/{mine}/evidence/uploads/{their_upload.uuid}/finish/").status_code == 404
    assert owner_client.get(f"/cases/{mine}/evidence/uploads/not-a-uuid/").status_code == 404
    # Exhibit numbers are per case: my case has no exhibit with their second's number... beyond my own.
    assert owner_client.get(f"/cases/{mine}/evidence/{their_second.number + 10}/download/").status_code == 404
    # An incident of another case cannot be linked or used as the target of an upload.
    their_incident = make_incident(theirs, stranger, description="theirs")
    r = owner_client.post(f"/cases/{mine}/evidence/{world['exhibit'].number}/links/", {"incidents": str(their_incident.number + 50)}, follow=True)
    assert "There is no incident" in r.content.decode()
    assert owner_client.get(f"/cases/{mine}/evidence/add/?incident=9999").status_code == 404
    assert UploadSession.objects.get(pk=their_upload.pk).received == 0


def test_chunks_need_the_csrf_token(owner, world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    url = f"/cases/{world['case'].pk}/evidence/uploads/{world['upload'].uuid}/"
    r = client.put(url, b"12345", content_type="application/offset+octet-stream", headers={"Upload-Offset": "0"})
    assert r.status_code == 403
    r = client.post(f"/cases/{world['case'].pk}/evidence/uploads/", json.dumps({"name": "x", "size": 5}), content_type="application/json")
    assert r.status_code == 403
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(f"/cases/{world['case'].pk}/evidence/add/send/", {"files": [SimpleUploadedFile("a.txt", b"hello")]})
    assert r.status_code == 403
    assert UploadSession.objects.filter(status="open").count() == 1  # only the fixture's; the refused form's parts were thrown away
    assert UploadSession.objects.get(pk=world["upload"].pk).received == 0
