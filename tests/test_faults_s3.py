"""Faults of the S3 server, for real (issue 18): a private SeaweedFS server on 127.0.0.1 (tests/s3server.py) is
killed mid-upload and mid-bundle, then started again on the same ports with the same data folder. Never a mock.

Each test checks what the person sees (the status and sentence the uploader shows, the sentence on the report),
that a retry after the restart succeeds, and that nothing already sealed is lost or altered: the stored objects
are byte for byte what they were, and the case's chain (with every stored file re-read) verifies intact."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from typing import Any

import pytest

from chain.verification import verify
from evidence import services
from evidence.models import Exhibit
from reports.models import Report
from tests.factories import make_incident

MIB = 1024 * 1024

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_private():  # noqa: ANN201
    """This module's own S3 server (the session's shared one must never be stopped under other tests)."""
    from tests import s3server  # noqa: PLC0415

    try:
        server = s3server.start(election_timeout_s=0.3)
    except s3server.CannotStart as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"The S3 server for the fault tests could not start: {exc}")
        pytest.skip(f"no S3 server: {exc}")
    yield server
    server.halt(kill=True)  # weed takes 20 s to stop on SIGTERM; its folder is removed anyway
    server.stop()


@pytest.fixture
def s3(s3_private, settings):  # noqa: ANN001, ANN201
    if s3_private.process is None or s3_private.process.poll() is not None:  # a test failed while it was down
        s3_private.restart()
    s3_private.empty()
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "vault.s3.S3Storage", "OPTIONS": s3_private.storage_options()}}
    settings.EVIDENCE_STORAGE = "default"
    yield s3_private
    if s3_private.process is None or s3_private.process.poll() is not None:
        s3_private.restart()
    s3_private.empty()


def _objects(server: Any) -> dict[str, bytes]:
    client = server.client()
    return {key: client.get_object(Bucket=server.bucket, Key=key)["Body"].read() for key in server.keys()}


def _sealed_before(server: Any, case: Any, owner: Any) -> tuple[Exhibit, dict[str, bytes]]:
    """An exhibit sealed before the fault, and the bucket's bytes at that moment."""
    exhibit = services.ingest(case, owner, [os.urandom(3 * MIB)], name="earlier.jpg").exhibit
    return exhibit, _objects(server)


def _unchanged(server: Any, case: Any, before: dict[str, bytes]) -> None:
    """Every object there before the fault is still there, byte for byte, and the chain with its files verifies."""
    after = _objects(server)
    for key, body in before.items():
        assert after.get(key) == body, f"{key} was lost or altered"
    check = verify(case)
    assert check.ok, check
    assert all(getattr(f, "ok", True) for f in check.files)


def test_s3_stopped_mid_upload_says_so_keeps_the_offset_and_the_same_upload_resumes(s3, case, owner, owner_client) -> None:  # noqa: ANN001
    earlier, before = _sealed_before(s3, case, owner)
    data = os.urandom(21 * MIB + 333)
    info = owner_client.post(
        f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "doorbell.mp4", "size": len(data), "last_modified": 7}), content_type="application/json"
    ).json()

    def put(offset: int, end: int) -> Any:
        return owner_client.put(info["url"], data[offset:end], content_type="application/offset+octet-stream", headers={"Upload-Offset": str(offset)})

    assert put(0, 8 * MIB).json()["offset"] == 8 * MIB

    s3.halt(kill=True)  # the S3 server dies between two chunks
    refused = put(8 * MIB, 16 * MIB)
    # What the uploader gets: 503 (it waits and tries again, showing this sentence), and where to carry on from.
    assert refused.status_code == 503, refused.content
    body = refused.json()
    assert body["error"].startswith("The file store cannot be reached just now.") and "safe" in body["error"]
    assert body["offset"] == 8 * MIB and refused["Upload-Offset"] == str(8 * MIB)
    assert "Traceback" not in refused.content.decode() and "botocore" not in refused.content.decode()
    assert owner_client.get(info["url"]).json()["offset"] == 8 * MIB  # the committed offset, from the database
    # Finishing while the store is down is refused the same way (the file is not complete anyway).
    assert owner_client.post(info["finish_url"]).status_code == 409

    s3.restart()
    # The same upload (same file: name, size, time) is found again and carries on from the committed byte.
    again = owner_client.post(
        f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "doorbell.mp4", "size": len(data), "last_modified": 7}), content_type="application/json"
    )
    assert again.json()["id"] == info["id"] and again.json()["offset"] == 8 * MIB
    assert put(8 * MIB, 16 * MIB).json()["offset"] == 16 * MIB
    assert put(16 * MIB, len(data)).json()["offset"] == len(data)

    s3.halt(kill=True)  # and dies again just before the finish
    failed = owner_client.post(info["finish_url"])
    assert failed.status_code == 503 and failed.json()["error"].startswith("The file store cannot be reached just now.")
    assert not Exhibit.objects.filter(case=case).exclude(pk=earlier.pk).exists()  # never an exhibit of a partial blob
    s3.restart()

    done = owner_client.post(info["finish_url"])
    assert done.status_code == 201, done.content
    exhibit = Exhibit.objects.get(case=case, number=done.json()["exhibit"]["number"])
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest()
    downloaded = b"".join(owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/").streaming_content)
    assert hashlib.sha256(downloaded).hexdigest() == exhibit.sha256  # re-hashed from what S3 holds
    assert not s3.client().list_multipart_uploads(Bucket=s3.bucket).get("Uploads")  # nothing left half-done
    _unchanged(s3, case, before)


def test_s3_stopped_mid_bundle_fails_the_report_with_a_sentence_and_a_retry_succeeds(  # noqa: ANN001
    s3, case, owner, owner_client, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    from reports import services as reports_services  # noqa: PLC0415

    make_incident(case, owner, days_ago=3, description="He waited at the bus stop", channel="in_person")
    earlier, before = _sealed_before(s3, case, owner)
    services.ingest(case, owner, [os.urandom(2 * MIB)], name="second.jpg")
    before = _objects(s3)

    # The server is killed at the moment the report starts checking the evidence files for the bundle: the PDF has
    # been written to the bucket by then, so the failure must also take that away again.
    real = reports_services._Progress.__call__
    halted: list[str] = []

    def progress(self, stage: str, done: int, total: int) -> None:  # noqa: ANN001
        if stage == "exhibits" and not halted:
            halted.append(stage)
            s3.halt(kill=True)
        real(self, stage, done, total)

    monkeypatch.setattr(reports_services._Progress, "__call__", progress)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/cases/{case.pk}/reports/new/", {"with_bundle": "on"})
    assert response.status_code == 302 and halted
    report = Report.objects.get(case=case)
    assert report.status == "failed"
    assert report.problem.startswith("The file store could not be reached"), report.problem
    assert "Nothing in your record was changed" in report.problem
    page = owner_client.get(f"/cases/{case.pk}/reports/{report.uuid}/")
    assert page.status_code == 200 and "The file store could not be reached" in page.content.decode()
    monkeypatch.setattr(reports_services._Progress, "__call__", real)

    s3.restart()
    # What it had written (the PDF, the manifest) could not be deleted while the store was down; the reports page
    # clears such leftovers once the store answers again.
    assert owner_client.get(f"/cases/{case.pk}/reports/").status_code == 200
    assert not (set(s3.keys()) - set(before)), "a failed report left files behind"
    _unchanged(s3, case, before)
    # Make it again: it succeeds, and the bundle downloads with every exhibit in it.
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(f"/cases/{case.pk}/reports/new/", {"with_bundle": "on"}).status_code == 302
    retry = Report.objects.filter(case=case).exclude(pk=report.pk).get()
    assert retry.status == "done", retry.problem
    bundle = b"".join(owner_client.get(f"/cases/{case.pk}/reports/{retry.uuid}/download/bundle/").streaming_content)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        exhibits = [n for n in archive.namelist() if n.startswith("exhibits/")]
        assert len(exhibits) == 2
        sums = archive.read("SHA256SUMS").decode()
        for name in exhibits:
            assert f"{hashlib.sha256(archive.read(name)).hexdigest()}  {name}" in sums
    _unchanged(s3, case, before)
    assert earlier.sha256 in {e.sha256 for e in Exhibit.objects.filter(case=case)}
