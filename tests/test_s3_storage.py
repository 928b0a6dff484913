"""Everything stored, on a real S3 server (SeaweedFS on 127.0.0.1, tests/s3server.py; never a mock).

Evidence ingest and download, the resumable upload, a report with its bundle, an import with media, the integrity
check, backup and restore, and /healthz all run with Django's storage switched to S3; each test lists the bucket
with boto3 to prove the bytes are there, and sealed (the plaintext is nowhere in the stored objects). Large files
go up as S3 multipart uploads and come back through ranged GETs, with memory bounded.

The whole suite can run against S3 as well: DAYBOOK_TEST_STORAGE=s3 (tests/conftest.py)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import tracemalloc
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client

from cases.models import Case
from chain.verification import verify
from evidence import services
from evidence.models import Exhibit, UploadPart
from imports.models import ImportedMedia
from imports.synthetic import WhatsAppStyle, whatsapp
from ops import health
from ops.backup import backup, restore, stored_names
from reports.models import Report
from tests.factories import make_incident, make_world
from vault import s3, store, stream

MIB = 1024 * 1024

pytestmark = pytest.mark.django_db


def _objects(server) -> dict[str, bytes]:  # noqa: ANN001
    client = server.client()
    return {key: client.get_object(Bucket=server.bucket, Key=key)["Body"].read() for key in server.keys()}


def _assert_sealed(server, plaintexts: list[bytes]) -> dict[str, bytes]:  # noqa: ANN001
    """Every object in the bucket is a sealed Daybook file, and no plaintext appears in any of them."""
    objects = _objects(server)
    assert objects
    for key, body in objects.items():
        assert body[:4] == stream.MAGIC, key
        for plain in plaintexts:
            assert plain not in body, key
    return objects


def test_the_storage_is_s3_and_local_paths_are_not_assumed(s3_storage) -> None:  # noqa: ANN001
    st = store.storage()
    assert isinstance(st, s3.S3Storage) and default_storage.__class__ is not None
    assert store.free_bytes() is None  # no local disk to measure: uploads are not refused for space
    store.fsync("anything")  # nothing to flush on S3: a no-op, not an error
    with pytest.raises(FileNotFoundError):
        st.open("evidence/nothing-here.dbe", "rb")


def test_evidence_ingest_and_download_go_through_the_bucket(s3_storage, case, owner, owner_client) -> None:  # noqa: ANN001
    data = b"the photograph of the car outside the house " * 5000
    exhibit = services.ingest(case, owner, [data], name="car.jpg").exhibit
    keys = s3_storage.keys()
    assert exhibit.original.name in keys
    _assert_sealed(s3_storage, [data[:64], b"the photograph of the car"])
    body = b"".join(owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/").streaming_content)
    assert body == data
    # A range request reads only the segment it needs.
    part = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[100:200]
    assert verify(case).ok


def test_a_large_file_is_a_multipart_upload_and_reads_back_in_bounded_memory(s3_storage, case, owner) -> None:  # noqa: ANN001
    size = 40 * MIB + 123
    seed = os.urandom(MIB)

    def source():  # noqa: ANN202
        sent = 0
        while sent < size:
            piece = seed[: min(MIB, size - sent)]
            sent += len(piece)
            yield piece

    expected = hashlib.sha256()
    for piece in source():
        expected.update(piece)
    tracemalloc.start()
    try:
        exhibit = services.ingest(case, owner, source(), name="dashcam.mp4").exhibit
        _, write_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        before_read, _ = tracemalloc.get_traced_memory()
        plain = hashlib.sha256()
        for piece in store.iter_plaintext(case, exhibit.original):
            plain.update(piece)
        _, read_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert exhibit.sha256 == expected.hexdigest() == plain.hexdigest()
    # Bounded by the S3 part size, not the file's: about 30 MiB for 16 MiB and 48 MiB files alike (the part being
    # sent, the next one being read, boto3's own copy), never the 40 MiB file; reading holds a few segments.
    assert write_peak < 4 * s3.PART_SIZE, write_peak
    assert read_peak - before_read < 8 * MIB, (read_peak, before_read)  # about 4 MiB: two sealed segments and their plaintext
    head = s3_storage.client().head_object(Bucket=s3_storage.bucket, Key=exhibit.original.name)
    assert head["ContentLength"] == stream.stored_size_for(size)
    assert "-" in head["ETag"]  # a multipart upload's ETag is "<md5 of the parts' md5s>-<parts>"
    # Random access (previews, range requests) fetches what it needs with ranged GETs, not the whole object.
    reader = store.open_reader(case, exhibit.original)
    try:
        reader.seek(30 * MIB + 5)
        assert reader.read(10) == seed[5:15]
        raw = reader._handle.file  # the RangedReader under Django's File
        assert isinstance(raw, s3.RangedReader) and raw.requests == 2  # the header, then segment 30
    finally:
        reader.close()


def test_a_sealing_failure_mid_multipart_leaves_no_object(s3_storage, case, owner) -> None:  # noqa: ANN001
    def failing():  # noqa: ANN202
        for _ in range(12):
            yield os.urandom(MIB)
        raise OSError("the connection dropped")

    with pytest.raises(OSError, match="the connection dropped"):
        services.ingest(case, owner, failing(), name="broken.mp4")
    assert s3_storage.keys() == []
    client = s3_storage.client()
    assert not client.list_multipart_uploads(Bucket=s3_storage.bucket).get("Uploads")


def test_resumable_upload_is_one_multipart_upload_assembled_by_s3(s3_storage, case, owner_client) -> None:  # noqa: ANN001
    data = os.urandom(13 * MIB + 77)
    info = owner_client.post(
        f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "clip.mp4", "size": len(data), "last_modified": 1}), content_type="application/json"
    ).json()
    assert info["chunk_size"] >= 5 * MIB
    put = lambda off, body: owner_client.put(info["url"], body, content_type="application/offset+octet-stream", headers={"Upload-Offset": str(off)})  # noqa: E731
    small = put(0, data[: 4 * MIB])  # S3 takes no part under 5 MiB but the last
    assert small.status_code == 400 and "at least 5" in small.json()["error"] and small.json()["offset"] == 0
    assert put(0, data[: 8 * MIB]).json()["offset"] == 8 * MIB
    client = s3_storage.client()
    (pending,) = client.list_multipart_uploads(Bucket=s3_storage.bucket)["Uploads"]  # the upload in progress: S3 parts
    blob = UploadPart.objects.get().upload.blob
    assert pending["Key"] == blob.name and not s3_storage.keys()  # nothing else written
    assert put(8 * MIB, data[8 * MIB :]).json()["offset"] == len(data)
    done = owner_client.post(info["finish_url"])
    assert done.status_code == 201, done.content
    exhibit = Exhibit.objects.get(case=case, number=done.json()["exhibit"]["number"])
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest() and exhibit.original_id == blob.pk
    assert not client.list_multipart_uploads(Bucket=s3_storage.bucket).get("Uploads")
    objects = _assert_sealed(s3_storage, [data[:64], data[-64:]])
    assert len(objects[blob.name]) == stream.stored_size_for(len(data))
    assert b"".join(owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/").streaming_content) == data
    # Finishing again (an answer lost) gives the same exhibit; nothing written twice.
    assert owner_client.post(info["finish_url"]).json()["exhibit"]["number"] == exhibit.number


def test_a_discarded_upload_aborts_its_multipart_upload(s3_storage, case, owner_client) -> None:  # noqa: ANN001
    info = owner_client.post(f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "a.mp4", "size": 20 * MIB}), content_type="application/json").json()
    owner_client.put(info["url"], os.urandom(8 * MIB), content_type="application/offset+octet-stream", headers={"Upload-Offset": "0"})
    client = s3_storage.client()
    assert client.list_multipart_uploads(Bucket=s3_storage.bucket).get("Uploads")
    assert owner_client.delete(info["url"]).status_code == 204
    assert not client.list_multipart_uploads(Bucket=s3_storage.bucket).get("Uploads") and not s3_storage.keys()


def test_a_report_with_its_bundle_is_kept_sealed_in_the_bucket(s3_storage, case, owner, owner_client, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    make_incident(case, owner, days_ago=2, description="He waited at the school gate", channel="in_person")
    services.ingest(case, owner, [b"photo bytes " * 100], name="gate.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(f"/cases/{case.pk}/reports/new/", {"with_bundle": "on"})
    assert response.status_code == 302
    report = Report.objects.get(case=case)
    assert report.status == "done", report.problem
    keys = s3_storage.keys()
    assert report.pdf_name in keys and report.manifest_name in keys
    assert not report.bundle_name or report.bundle_name in keys  # the bundle is kept, or streamed from the sealed originals on download
    _assert_sealed(s3_storage, [b"%PDF", b"school gate", b"photo bytes " * 4, b"SHA256SUMS"])
    pdf = b"".join(owner_client.get(f"/cases/{case.pk}/reports/{report.uuid}/download/pdf/").streaming_content)
    assert pdf.startswith(b"%PDF") and len(pdf) == report.pdf_size
    bundle = b"".join(owner_client.get(f"/cases/{case.pk}/reports/{report.uuid}/download/bundle/").streaming_content)
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        names = archive.namelist()
        assert "SHA256SUMS" in names and any(n.startswith("exhibits/") and archive.read(n) == b"photo bytes " * 100 for n in names)


def test_an_import_with_media_stores_every_attachment_sealed_in_the_bucket(s3_storage, case, owner) -> None:  # noqa: ANN001
    from tests.test_imports_flow import do_import  # noqa: PLC0415

    sample = whatsapp(60, zipped=True, seed=5, style=WhatsAppStyle(os="ios"))
    attached = [r for r in sample.expected.records if r.attachments and not r.system]
    job = do_import(case, owner, sample.data, name=sample.name, suspects=sorted({r.sender for r in attached}))
    assert job.status == "done", job.error
    media = list(ImportedMedia.objects.filter(item__job=job).select_related("exhibit__original"))
    assert media
    keys = set(s3_storage.keys())
    assert {m.exhibit.original.name for m in media} <= keys
    first_message = sample.expected.records[0].text.encode() if sample.expected.records[0].text else b""
    _assert_sealed(s3_storage, [p for p in [first_message] if len(p) > 8])
    with zipfile.ZipFile(io.BytesIO(sample.data)) as archive:
        attachment = next(n for n in archive.namelist() if not n.endswith(".txt"))
        content = archive.read(attachment)
    stored = {hashlib.sha256(b"".join(store.iter_plaintext(case, m.exhibit.original))).hexdigest() for m in media}
    assert hashlib.sha256(content).hexdigest() in stored
    _assert_sealed(s3_storage, [content[:64]])
    assert verify(case).ok


def test_the_integrity_check_rereads_every_file_from_the_bucket_and_finds_tampering(s3_storage, case, owner, owner_client) -> None:  # noqa: ANN001
    exhibit = services.ingest(case, owner, [os.urandom(2 * MIB)], name="a.bin").exhibit
    page = owner_client.get(f"/cases/{case.pk}/integrity/")
    assert page.status_code == 200
    assert verify(case).ok
    client = s3_storage.client()
    body = bytearray(client.get_object(Bucket=s3_storage.bucket, Key=exhibit.original.name)["Body"].read())
    body[MIB] ^= 1
    client.put_object(Bucket=s3_storage.bucket, Key=exhibit.original.name, Body=bytes(body))
    check = verify(case)
    assert not (check.ok and all(getattr(f, "ok", True) for f in check.files))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_backup_destroy_restore_on_s3(s3_storage, owner, stranger, tmp_path) -> None:  # noqa: ANN001
    make_world(owner)
    make_incident(make_world(stranger)["case"], stranger, description="Another person's note")
    before = sorted(stored_names())
    assert before and set(before) == set(s3_storage.keys())
    manifest = backup(tmp_path / "backup")
    assert {f["path"] for f in manifest["files"]} == set(before)

    call_command("flush", interactive=False, verbosity=0)
    s3_storage.empty()
    assert not Case.objects.exists() and next(stored_names(), None) is None

    result = restore(tmp_path / "backup")
    assert result.ok, result.problems
    assert result.cases == 2 and result.chains_intact == 2
    assert sorted(s3_storage.keys()) == before


def test_healthz_checks_the_bucket_and_leaves_nothing_behind(s3_storage) -> None:  # noqa: ANN001
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"]["storage"] == "ok"
    assert s3_storage.keys() == []
    assert health.check().checks["storage"] == "ok"


def test_healthz_fails_when_the_bucket_is_unreachable(s3_storage, settings) -> None:  # noqa: ANN001
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "vault.s3.S3Storage", "OPTIONS": s3_storage.storage_options(secret_key="not-the-secret-key")},
    }
    response = Client().get("/healthz")
    assert response.status_code == 503 and response.json()["checks"]["storage"] == "failing"
    assert "not-the-secret" not in response.content.decode() and "Signature" not in response.content.decode()


def test_a_small_object_round_trips_with_the_plain_storage_api(s3_storage) -> None:  # noqa: ANN001
    name = default_storage.save("health/x.bin", ContentFile(b"abc"))
    assert name == "health/x.bin" and default_storage.exists(name) and default_storage.size(name) == 3
    assert default_storage.save("health/x.bin", ContentFile(b"def")) != name  # never overwritten silently
    with default_storage.open(name, "rb") as handle:
        assert handle.read() == b"abc"
        handle.seek(1)
        assert handle.read() == b"bc"
    assert default_storage.listdir("health/")[1]


@pytest.mark.django_db(False)
def test_the_environment_chooses_s3(tmp_path) -> None:  # noqa: ANN001
    """DAYBOOK_S3_* (README, Configuration) make the default storage S3; without them it stays the local folder."""
    code = "import json; from django.conf import settings; print(json.dumps(settings.STORAGES['default'], default=str))"
    base = {**os.environ, "DJANGO_SETTINGS_MODULE": "daybook.settings", "DAYBOOK_DATA_DIR": str(tmp_path)}
    base.pop("DAYBOOK_S3_BUCKET", None)
    s3_env = {
        **base,
        "DAYBOOK_S3_BUCKET": "evidence",
        "DAYBOOK_S3_ENDPOINT_URL": "http://127.0.0.1:8333",
        "DAYBOOK_S3_ACCESS_KEY": "ak",
        "DAYBOOK_S3_SECRET_KEY": "sk",
        "DAYBOOK_S3_REGION": "eu-west-2",
        "DAYBOOK_S3_PREFIX": "daybook",
    }
    run = lambda env: json.loads(subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True).stdout)  # noqa: E731, S603
    chosen = run(s3_env)
    assert chosen["BACKEND"] == "vault.s3.S3Storage"
    expected = {
        "bucket_name": "evidence",
        "endpoint_url": "http://127.0.0.1:8333",
        "access_key": "ak",
        "secret_key": "sk",
        "region_name": "eu-west-2",
        "location": "daybook",
        "addressing_style": "path",
    }
    assert {k: chosen["OPTIONS"][k] for k in expected} == expected
    assert run(base)["BACKEND"] == "django.core.files.storage.FileSystemStorage"
