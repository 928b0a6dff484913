"""A full disk on the S3 server (issue 18), for real: SeaweedFS keeps its volumes on a small tmpfs (mounted for this
test, so it needs root; skipped otherwise), filled until the server refuses writes. SeaweedFS answers a full disk
with a plain "500 InternalError" (it does not say "full"), so Daybook cannot tell it from any other refusal: the
uploader is told that the file store cannot take the file just now, with the offset to carry on from. Once there
is room again (the tmpfs is made larger, as an operator would add space), the same upload carries on and finishes,
and what was sealed before is byte for byte the same and verifies."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from chain.verification import verify
from evidence import services
from evidence.models import Exhibit

MIB = 1024 * 1024

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to mount a small tmpfs for the S3 server's volumes"),
]


@pytest.fixture
def full_s3(tmp_path, settings):  # noqa: ANN001, ANN201
    from tests import s3server  # noqa: PLC0415

    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)], check=True)  # noqa: S603, S607
    server = None
    try:
        server = s3server.start(data_dir=disk / "volumes", volume_mb=8, max_volumes=0, election_timeout_s=0.3)
        settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "vault.s3.S3Storage", "OPTIONS": server.storage_options()}}
        settings.EVIDENCE_STORAGE = "default"
        yield server, disk
    finally:
        if server is not None:
            server.halt(kill=True)
            server.stop()
        subprocess.run(["umount", "-l", str(disk)], check=False)  # noqa: S603, S607


def test_a_full_s3_disk_refuses_the_chunk_with_a_sentence_and_the_upload_finishes_once_there_is_room(full_s3, case, owner, owner_client) -> None:  # noqa: ANN001
    server, disk = full_s3
    earlier = services.ingest(case, owner, [os.urandom(MIB)], name="earlier.jpg").exhibit
    client = server.client()
    before = client.get_object(Bucket=server.bucket, Key=earlier.original.name)["Body"].read()
    data = os.urandom(13 * MIB + 5)
    info = owner_client.post(
        f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "cctv.mp4", "size": len(data), "last_modified": 3}), content_type="application/json"
    ).json()

    def put(offset: int, end: int):  # noqa: ANN202
        return owner_client.put(info["url"], data[offset:end], content_type="application/offset+octet-stream", headers={"Upload-Offset": str(offset)})

    # Fill the disk until the server refuses.
    for i in range(80):
        try:
            client.put_object(Bucket=server.bucket, Key=f"filler/{i}", Body=os.urandom(MIB))
        except ClientError:
            break
    else:
        pytest.fail("the S3 server never refused a write on a 40 MiB disk")

    refused = put(0, 8 * MIB)
    assert refused.status_code in (503, 507), refused.content
    body = refused.json()
    assert body["offset"] == 0 and body["error"].startswith("The file store")
    assert "InternalError" not in body["error"] and "botocore" not in refused.content.decode()
    assert owner_client.get(info["url"]).json()["offset"] == 0

    subprocess.run(["mount", "-o", "remount,size=200m", str(disk)], check=True)  # noqa: S603, S607 (room again)
    # SeaweedFS notices the room within its heartbeat; the uploader keeps retrying (as uploader.js does on a 503).
    deadline = time.monotonic() + 60
    while (again := put(0, 8 * MIB)).status_code != 200 and time.monotonic() < deadline:
        assert again.status_code in (503, 507) and again.json()["offset"] == 0
        time.sleep(1)
    assert again.json()["offset"] == 8 * MIB, again.content
    assert put(8 * MIB, len(data)).json()["offset"] == len(data)
    done = owner_client.post(info["finish_url"])
    assert done.status_code == 201, done.content
    exhibit = Exhibit.objects.get(case=case, number=done.json()["exhibit"]["number"])
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest()
    assert client.get_object(Bucket=server.bucket, Key=earlier.original.name)["Body"].read() == before
    check = verify(case)
    assert check.ok and all(getattr(f, "ok", True) for f in check.files)
    assert Path(disk).is_dir()
