"""The evidence bundle is not stored: the manifest is fixed when the report is made and the ZIP is made again at
each download from the sealed originals, byte for byte the one fingerprinted, with every hash re-checked."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile

import pytest
from django.test import Client, override_settings

from evidence.models import Exhibit
from evidence.services import ingest
from reports import manifest as mf
from reports import services
from reports.models import HandoverDownload, Report
from reports.options import ReportOptions
from reports.verify import verify_bundle
from tests.factories import Stored, make_incident
from tests.tsa import LocalTSA
from vault import store

pytestmark = pytest.mark.django_db

EVIDENCE = os.urandom(3 << 20)  # 3 MiB: far more than a report's own files


@pytest.fixture
def diary(case, owner):
    make_incident(case, owner, days_ago=3, description="He waited at the school gate", channel="in_person")
    make_incident(case, owner, days_ago=1, description="Flowers left on the car", channel="gift")
    ingest(case, owner, [EVIDENCE[i : i + (1 << 20)] for i in range(0, len(EVIDENCE), 1 << 20)], name="recording.bin")
    ingest(case, owner, [b"a voicemail transcript\n" * 40], name="voicemail.txt")
    return case


def _made(case) -> Report:  # noqa: ANN001
    report = services.request_report(case, case.owner, ReportOptions(), with_bundle=True, with_timestamp=True)
    report = services.generate(report)
    assert report.status == "done", report.problem
    return report


def _stored_bytes(prefix: str) -> int:
    storage = store.storage()
    if not storage.exists(prefix):
        return 0
    return sum(storage.size(f"{prefix}/{name}") for name in storage.listdir(prefix)[1])


def _download(client: Client, case, report: Report) -> bytes:  # noqa: ANN001
    response = client.get(f"/cases/{case.pk}/reports/{report.uuid}/download/bundle/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == report.bundle_size
    return body


def test_two_reports_store_no_copy_of_the_evidence_and_download_verified_bundles(owner_client, diary, tmp_path):
    with LocalTSA(tmp_path / "tsa") as tsa, override_settings(DAYBOOK_TSA_URL=tsa.url, DAYBOOK_TSA_CA_FILE=str(tsa.ca_file)):
        first, second = _made(diary), _made(diary)
    reports_dir = f"reports/{diary.uuid}"
    # What the two reports keep: their PDFs and manifests, nothing the size of the evidence.
    assert _stored_bytes(reports_dir) < len(EVIDENCE) / 4
    assert all("bundle" not in name for name in store.storage().listdir(reports_dir)[1])
    assert first.bundle_name == "" and first.manifest_name and first.bundle_size > len(EVIDENCE)
    for report in (first, second):
        body = _download(owner_client, diary, report)
        assert len(body) == report.bundle_size and hashlib.sha256(body).hexdigest() == report.bundle_sha256
        path = tmp_path / f"{report.short_id}.zip"
        path.write_bytes(body)
        result = verify_bundle(path, tsa_ca_file=tsa.ca_file)
        assert result.ok, result.problems
        assert result.timestamp is not None and result.timestamp.ok
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            assert names[0] == report.file_name("pdf") and names[-1] == mf.SUMS_NAME
            assert {mf.MANIFEST_NAME, mf.TIMESTAMP_NAME, mf.README_NAME} <= set(names)
            recording = next(n for n in names if n.startswith("exhibits/") and n.endswith("recording.bin"))
            assert archive.read(recording) == EVIDENCE
            sums = archive.read(mf.SUMS_NAME).decode()
            assert f"{hashlib.sha256(EVIDENCE).hexdigest()}  {recording}" in sums
            assert hashlib.sha256(archive.read(mf.MANIFEST_NAME)).hexdigest() == report.manifest_sha256
    # The same bytes every time.
    assert _download(owner_client, diary, first) == (tmp_path / f"{first.short_id}.zip").read_bytes()


def test_an_exhibit_changed_after_the_report_stops_the_download(owner_client, diary):
    report = _made(diary)
    made = services.create_handover(report, diary.owner, recipient="DC Khan", days=3, single_use=False)
    exhibit = Exhibit.objects.filter(case=diary).order_by("number").first()
    path = Stored(exhibit.original.name)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    response = Client().post("/handover/bundle/", {"key": made.token})
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert len(body) < int(response["Content-Length"])  # the browser sees a failed download
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(body))
    assert not HandoverDownload.objects.get(handover=made.handover).completed
    report.refresh_from_db()
    assert f"Exhibit {exhibit.reference}" in report.problem and "altered or damaged" in report.problem
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    assert "A download of the bundle was stopped" in page


def test_a_missing_exhibit_file_is_refused_before_anything_is_sent(owner_client, diary):
    report = _made(diary)
    exhibit = Exhibit.objects.filter(case=diary).order_by("number").last()
    Stored(exhibit.original.name).unlink()
    response = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/download/bundle/")
    assert response.status_code == 409
    page = response.content.decode()
    assert f"Exhibit {exhibit.reference}: its stored file is missing" in page and "No part of the bundle was sent" in page
    assert owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/download/pdf/").status_code == 200


def test_a_changed_manifest_is_refused(owner_client, diary):
    report = _made(diary)
    Report.objects.filter(pk=report.pk).update(manifest_sha256="0" * 64)
    response = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/download/bundle/")
    assert response.status_code == 409 and "not the one fixed when the report was made" in response.content.decode()


def test_expiry_deletes_the_manifest_too(diary):
    report = _made(diary)
    services.delete_files(report, "expired")
    assert not store.storage().exists(report.manifest_name) and not store.storage().exists(report.pdf_name)
