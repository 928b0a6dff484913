"""The evidence locker: streaming encryption, ingest and download round trips, resumable uploads, bad input,
duplicates, facts, previews, the hash chain, tamper detection, a full disk, crashes mid-write and clean-up."""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import shutil

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from chain.models import ChainEntry
from chain.verification import verify
from evidence import limits, names, services, snapshots, sniff, sweep, uploads
from evidence.models import Blob, Exhibit, ExhibitEvent, UploadPart, UploadSession
from evidence.testing import MIB, eml, jpeg_with_exif, mp4_with_mvhd, pdf, png, upload_with_client, video_mp4
from tests.factories import Stored, make_incident
from vault import store, stream

KEY = bytes(range(32))


def chunks(data: bytes, size: int = 100_000):
    return [data[i : i + size] for i in range(0, len(data), size)]


def add(case, owner, data: bytes, name: str = "file.bin", **kwargs):
    return services.ingest(case, owner, chunks(data), name=name, **kwargs).exhibit


def put(client, url: str, body: bytes, offset: int):
    return client.put(url, body, content_type="application/offset+octet-stream", headers={"Upload-Offset": str(offset)})


def stored_path(blob: Blob) -> Stored:
    return Stored(blob.name)


def stored_under(prefix: str) -> list[str]:
    from ops.backup import stored_names

    return list(stored_names(prefix.rstrip("/") + "/", store.storage()))


# ---------------------------------------------------------------- the sealed blob format


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 4096, 5000])
def test_stream_round_trip_every_boundary(size):
    data = os.urandom(size)
    sealing = stream.SealingStream(KEY, b"ctx", chunks(data, 333), segment_size=1024)
    blob = b"".join(sealing.chunks())
    assert sealing.sha256 == hashlib.sha256(data).hexdigest()
    assert len(blob) == stream.stored_size_for(size, 1024) == sealing.stored_size
    assert stream.plain_size_for(len(blob), 1024) == size
    assert b"".join(stream.decrypt_stream(KEY, b"ctx", io.BytesIO(blob))) == data
    reader = stream.SealedReader(KEY, b"ctx", io.BytesIO(blob), len(blob))
    assert reader.read() == data
    if size > 10:
        reader.seek(size - 7)
        assert reader.read(100) == data[-7:]
        assert b"".join(reader.iter_range(3, 1500 if size > 1500 else size - 1)) == data[3 : 1501 if size > 1500 else size]


def _sealed(data: bytes, seg: int = 1024) -> bytes:
    return b"".join(stream.SealingStream(KEY, b"ctx", [data], segment_size=seg).chunks())


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:],  # a flipped bit in segment 0
        lambda b: b[:-1],  # one byte cut off the end
        lambda b: b[: stream.HEADER_SIZE + 1040],  # truncated at a segment boundary: the last flag is missing
        lambda b: (
            b[: stream.HEADER_SIZE]
            + b[stream.HEADER_SIZE + 1040 : stream.HEADER_SIZE + 2080]
            + b[stream.HEADER_SIZE : stream.HEADER_SIZE + 1040]
            + b[stream.HEADER_SIZE + 2080 :]
        ),  # reordered
        lambda b: b[:5] + (2048).to_bytes(4, "big") + b[9:],  # segment size in the header changed
        lambda b: b + b"\x00" * 16,  # extended
    ],
)
def test_stream_detects_tampering(damage):
    blob = _sealed(os.urandom(3000))
    with pytest.raises(stream.BlobError):
        b"".join(stream.decrypt_stream(KEY, b"ctx", io.BytesIO(damage(blob))))


def test_stream_refuses_wrong_key_or_context():
    blob = _sealed(b"hello")
    with pytest.raises(stream.BlobError):
        b"".join(stream.decrypt_stream(bytes(32), b"ctx", io.BytesIO(blob)))
    with pytest.raises(stream.BlobError):
        b"".join(stream.decrypt_stream(KEY, b"another blob", io.BytesIO(blob)))


def test_stream_enforces_a_maximum_while_reading():
    sealing = stream.SealingStream(KEY, b"ctx", [b"x" * 3000], max_size=2000, segment_size=1024)
    with pytest.raises(stream.TooLarge):
        b"".join(sealing.chunks())


def test_third_party_decrypts_a_stored_file_with_only_the_master_key(case, owner):
    """docs/ARCHITECTURE.md "Evidence": unwrap the case key with the master key, derive the file key, open each segment."""
    import base64

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    data = os.urandom(MIB + 777)
    exhibit = add(case, owner, data)
    raw = stored_path(exhibit.original).read_bytes()
    master = base64.b64decode(settings.DAYBOOK_MASTER_KEY)
    wrapped = bytes(case.wrapped_key)
    data_key = AESGCM(master).decrypt(wrapped[:12], wrapped[12:], f"daybook.datakey:{case.uuid}".encode())
    header = raw[:48]
    assert header[:5] == b"DAYB\x01"
    seg = int.from_bytes(header[5:9], "big")
    salt, prefix = header[9:41], header[41:48]
    info = f"daybook.blob.v1:{exhibit.original.uuid}".encode()
    file_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(data_key)
    body, out, i = raw[48:], [], 0
    while body:
        piece, body = body[: seg + 16], body[seg + 16 :]
        nonce = prefix + i.to_bytes(4, "big") + (b"\x01" if not body else b"\x00")
        out.append(AESGCM(file_key).decrypt(nonce, piece, header))
        i += 1
    assert b"".join(out) == data
    assert hashlib.sha256(b"".join(out)).hexdigest() == exhibit.sha256


# ---------------------------------------------------------------- ingest and download


def test_ingest_and_download_round_trip(case, owner, owner_client):
    data = os.urandom(2 * MIB + 12345)
    exhibit = add(case, owner, data, name="doorbell.bin")
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest()
    assert exhibit.size == len(data)
    assert exhibit.reference == "EX/1"
    assert data[:4096] not in stored_path(exhibit.original).read_bytes()  # encrypted at rest
    response = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == data
    assert hashlib.sha256(body).hexdigest() == exhibit.sha256
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Length"] == str(len(data))
    assert AuditEvent.objects.filter(action="exhibit.downloaded", case=case).count() == 1


def test_range_requests_let_a_player_seek(case, owner, owner_client):
    data = os.urandom(3 * MIB)
    exhibit = add(case, owner, data)
    url = f"/cases/{case.pk}/evidence/{exhibit.number}/download/"
    r = owner_client.get(url, headers={"Range": f"bytes={MIB - 10}-{MIB + 9}"})
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes {MIB - 10}-{MIB + 9}/{len(data)}"
    assert b"".join(r.streaming_content) == data[MIB - 10 : MIB + 10]
    r = owner_client.get(url, headers={"Range": "bytes=-100"})
    assert b"".join(r.streaming_content) == data[-100:]
    r = owner_client.get(url, headers={"Range": f"bytes={2 * MIB}-"})
    assert b"".join(r.streaming_content) == data[2 * MIB :]
    r = owner_client.get(url, headers={"Range": f"bytes={len(data) + 5}-"})
    assert r.status_code == 416
    assert r["Content-Range"] == f"bytes */{len(data)}"
    r = owner_client.head(url)
    assert r.status_code == 200 and r["Accept-Ranges"] == "bytes"


def test_resumable_upload_through_the_views(case, owner_client):
    data = os.urandom(17 * MIB + 100)
    start = owner_client.post(
        f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "dashcam.mp4", "size": len(data), "last_modified": 123}), content_type="application/json"
    )
    assert start.status_code == 201
    info = start.json()
    url = info["url"]
    put = lambda off, body: owner_client.put(url, body, content_type="application/offset+octet-stream", headers={"Upload-Offset": str(off)})  # noqa: E731
    assert put(0, data[: 8 * MIB]).json()["offset"] == 8 * MIB
    # The same chunk again (a retry after a lost answer): refused with the right offset, nothing duplicated.
    again = put(0, data[: 8 * MIB])
    assert again.status_code == 409 and again.json()["offset"] == 8 * MIB
    # A chunk that is not a whole number of MiB (and not the last) is refused.
    assert put(8 * MIB, data[8 * MIB : 8 * MIB + 1000]).status_code == 400
    # Where to resume, as a client learns after a dropped connection or a page reload.
    assert owner_client.get(url).json()["offset"] == 8 * MIB
    assert owner_client.head(url)["Upload-Offset"] == str(8 * MIB)
    resumed = owner_client.post(
        f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "dashcam.mp4", "size": len(data), "last_modified": 123}), content_type="application/json"
    )
    assert resumed.status_code == 200 and resumed.json()["id"] == info["id"] and resumed.json()["offset"] == 8 * MIB
    # Finishing early is refused with the offset.
    early = owner_client.post(info["finish_url"])
    assert early.status_code == 409 and early.json()["offset"] == 8 * MIB
    assert put(8 * MIB, data[8 * MIB : 16 * MIB]).status_code == 200
    assert put(16 * MIB, data[16 * MIB :]).json()["offset"] == len(data)
    done = owner_client.post(info["finish_url"])
    assert done.status_code == 201, done.content
    exhibit = Exhibit.objects.get(case=case, number=done.json()["exhibit"]["number"])
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest()
    assert not UploadPart.objects.exists()
    # Finishing twice (a retry) gives the same exhibit.
    assert owner_client.post(info["finish_url"]).json()["exhibit"]["number"] == exhibit.number
    assert b"".join(owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/").streaming_content) == data


def test_upload_linked_to_an_incident_and_shown_on_it(case, owner, owner_client, incident):
    r = upload_with_client(owner_client, case.pk, png(), name="screenshot.png", incident=incident.number)
    assert r.status_code == 201
    exhibit = Exhibit.objects.get(case=case)
    assert list(exhibit.incidents.all()) == [incident]
    page = owner_client.get(f"/cases/{case.pk}/incidents/{incident.number}/").content.decode()
    assert exhibit.reference in page and "Add files for this incident" in page


def test_plain_form_upload_without_javascript_never_writes_plaintext_to_disk(case, owner_client, tmp_path, settings):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    secret = b"SECRET-PLAINTEXT-MARKER" * 200_000  # 4.6 MB: more than Django's in-memory limit
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(
        f"/cases/{case.pk}/evidence/add/send/", {"files": [SimpleUploadedFile("notes.txt", secret), SimpleUploadedFile("a.png", png())]}
    )
    assert response.status_code == 302, response.content[:500]
    assert sorted(e.original_name for e in Exhibit.objects.filter(case=case)) == ["a.png", "notes.txt"]
    assert list(tmp_path.iterdir()) == []
    for name in stored_under("evidence"):
        assert b"SECRET-PLAINTEXT-MARKER" not in Stored(name).read_bytes()
    text = Exhibit.objects.get(case=case, original_name_enc__isnull=False, media_type="text/plain")
    assert text.sha256 == hashlib.sha256(secret).hexdigest()


def test_plain_form_refuses_empty_files_and_nothing_chosen(case, owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = owner_client.post(f"/cases/{case.pk}/evidence/add/send/", {"files": [SimpleUploadedFile("empty.txt", b"")]})
    assert r.status_code == 400 and "empty" in r.content.decode()
    r = owner_client.post(f"/cases/{case.pk}/evidence/add/send/", {})
    assert r.status_code == 400 and "Choose one or more files" in r.content.decode()
    assert not Exhibit.objects.exists() and not UploadSession.objects.filter(status="open").exists()


# ---------------------------------------------------------------- bad input


def test_empty_file_is_refused_everywhere(case, owner, owner_client):
    r = owner_client.post(f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "x.jpg", "size": 0}), content_type="application/json")
    assert r.status_code == 400 and "empty" in r.json()["error"]
    with pytest.raises(limits.UploadError, match="empty"):
        services.ingest(case, owner, [b""], name="x.jpg")
    assert not Blob.objects.exists() and not Exhibit.objects.exists()


def test_files_over_the_limit_are_refused_before_and_during_upload(case, owner, owner_client, settings):
    settings.EVIDENCE_MAX_UPLOAD_BYTES = 3 * MIB
    r = owner_client.post(f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "big.mov", "size": 3 * MIB + 1}), content_type="application/json")
    assert r.status_code == 413 and "bigger than the limit of 3 MB" in r.json()["error"]
    # During: the client announced 2 MiB and then sends more.
    info = owner_client.post(f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "x.mov", "size": 2 * MIB}), content_type="application/json").json()
    r = put(owner_client, info["url"], os.urandom(3 * MIB), 0)
    assert r.status_code == 413 and r.json()["offset"] == 0
    # During, for a stream of unknown length (imports, the plain form): stops as soon as the limit is passed.
    with pytest.raises(limits.UploadError) as excinfo:
        services.ingest(case, owner, (os.urandom(MIB) for _ in range(10)), name="endless.bin")
    assert excinfo.value.status == 413
    # The only blob is the open upload's, still being written (it goes with the upload).
    assert not Exhibit.objects.exists() and list(Blob.objects.values_list("status", flat=True)) == ["writing"]
    assert Blob.objects.get().pk == UploadSession.objects.get(status="open").blob_id


def test_chunk_that_arrives_short_is_not_committed(case, owner):
    upload = uploads.start_upload(case, owner, name="a.bin", size=2 * MIB)
    with pytest.raises(limits.UploadError, match="dropped"):
        uploads.receive_chunk(upload, 0, [os.urandom(MIB)], 2 * MIB)  # the connection died half-way
    upload.refresh_from_db()
    assert upload.received == 0 and not UploadPart.objects.exists()
    # The chunk sent again in full lands on the same place and the file is whole.
    data = os.urandom(2 * MIB)
    uploads.receive_chunk(upload, 0, [data], len(data))
    exhibit = uploads.finish_upload(upload, owner).exhibit
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest()


def test_hostile_names_are_cleaned_for_display_and_download(case, owner, owner_client):
    raw = "../../etc/\u202eevil\u200bgpj.exe\x07"
    exhibit = add(case, owner, b"MZ" + os.urandom(300), name=raw)
    assert exhibit.original_name == raw  # kept exactly as given, sealed
    assert names.display_name(raw) == "evilgpj.exe"
    r = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/")
    cd = r["Content-Disposition"]
    assert cd.startswith('attachment; filename="evilgpj.exe"') and "\u202e" not in cd and "/" not in cd.split("filename*")[0]
    assert cd.isascii()
    page = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/").content.decode()
    assert "\u202e" not in page and "hidden characters" in page
    assert "Windows program" in page and "can run code" in page


def test_unicode_name_gets_rfc5987_and_an_ascii_fallback():
    cd = names.content_disposition("Zoë's “letter” 日本.pdf")
    assert cd.startswith('attachment; filename="Zoe') and "filename*=UTF-8''Zo%C3%AB" in cd
    assert cd.isascii()
    assert names.content_disposition("日本語.png").startswith('attachment; filename="file.png"')


def test_content_that_lies_about_its_type(case, owner):
    exhibit = add(case, owner, png(), name="holiday.jpg")
    assert exhibit.media_type == "image/png"
    assert any("ends in .jpg" in n and "PNG image" in n for n in exhibit.content_notes)
    pdf_as_mp4 = add(case, owner, pdf(), name="video.mp4")
    assert pdf_as_mp4.media_type == "application/pdf"


def test_html_svg_and_scripts_are_kept_but_never_served_inline(case, owner, owner_client):
    for name, data in [
        ("page.html", b"<!DOCTYPE html><html><script>alert(1)</script></html>"),
        ("pic.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
    ]:
        exhibit = add(case, owner, data, name=name)
        assert exhibit.family in ("web", "program")
        r = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/")
        assert r["Content-Type"] == "application/octet-stream", name
        assert r["Content-Disposition"].startswith("attachment"), name
        assert "sandbox" in r["Content-Security-Policy"]
        assert b"".join(r.streaming_content) == data
        assert exhibit.preview_status == "none" or Exhibit.objects.get(pk=exhibit.pk).preview_status == "none"


def test_polyglot_files_are_noticed(case, owner):
    import zipfile

    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("payload.txt", "hello")
    polyglot = add(case, owner, jpeg_with_exif(gps=False) + archive.getvalue(), name="photo.jpg")
    assert polyglot.media_type == "image/jpeg"
    assert any("ZIP archive" in n for n in polyglot.content_notes)
    gif_script = add(case, owner, b"GIF89a/*\x00\x00*/=1;<script>alert(1)</script>" + b"\x00" * 20, name="a.gif")
    assert any("polyglot" in n for n in gif_script.content_notes)


def test_the_same_file_twice_is_recognised_by_its_hash(case, owner, owner_client):
    data = jpeg_with_exif()
    first = upload_with_client(owner_client, case.pk, data, name="IMG_001.jpg")
    assert first.status_code == 201
    second = upload_with_client(owner_client, case.pk, data, name="copy of IMG_001.jpg")
    assert second.status_code == 200
    body = second.json()
    assert body["duplicate"] is True and "already in your evidence as exhibit EX/1" in body["message"]
    assert Exhibit.objects.filter(case=case).count() == 1
    assert Blob.objects.filter(purpose="original").count() == 1
    # Another case keeps its own copy: duplicates are found within a case only.
    from cases.services import create_case

    other = create_case(owner, label="Other")
    assert services.ingest(other, owner, [data], name="x.jpg").created


def test_corrupt_image_and_video_keep_the_original_and_say_why(case, owner):
    broken_jpeg = jpeg_with_exif()[:300]
    exhibit = add(case, owner, broken_jpeg, name="broken.jpg")
    exhibit.refresh_from_db()
    assert exhibit.preview_status == "failed" and "could not be read" in exhibit.preview_note
    assert b"".join(store.iter_plaintext(case, exhibit.original)) == broken_jpeg
    broken_video = mp4_with_mvhd() + os.urandom(500)
    video = add(case, owner, broken_video, name="clip.mp4")
    video.refresh_from_db()
    assert video.preview_status in ("failed", "none") and video.preview_note
    assert b"".join(store.iter_plaintext(case, video.original)) == broken_video
    assert verify(case).ok


# ---------------------------------------------------------------- facts and previews


def test_exif_capture_time_and_gps_are_extracted_and_chained(case, owner, owner_client):
    exhibit = add(case, owner, jpeg_with_exif(), name="IMG_1.jpg")
    facts = exhibit.facts
    assert facts["captured_at"] == "2025-03-14T21:05:09"
    assert facts["gps_latitude"] == "51.501364" and facts["gps_longitude"] == "-0.141889"
    assert facts["camera"] == "Acme Phone 9"
    event = ExhibitEvent.objects.get(exhibit=exhibit)
    payload = snapshots.event_payload(event, case)
    assert payload["state"]["file"]["facts"]["gps_latitude"] == "51.501364"
    assert payload["state"]["file"]["sha256"] == exhibit.sha256
    page = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/").content.decode()
    assert "Facts read from the file" in page and "51.501364" in page


def test_preview_has_no_exif_or_gps_and_is_kept_apart(case, owner, owner_client):
    from PIL import Image

    exhibit = add(case, owner, jpeg_with_exif(width=300, height=200), name="IMG_2.jpg")
    exhibit.refresh_from_db()
    assert exhibit.preview_status == "ready"
    assert exhibit.preview_id != exhibit.original_id
    r = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/preview/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(r.content)) as img:
        assert not img.getexif()
        assert "exif" not in img.info and "icc_profile" not in img.info
    assert b"Acme" not in r.content
    # The original is untouched: still has its EXIF.
    original = b"".join(store.iter_plaintext(case, exhibit.original))
    assert hashlib.sha256(original).hexdigest() == exhibit.sha256 and b"Acme" in original


def test_mp4_creation_time_and_location(case, owner):
    exhibit = add(case, owner, mp4_with_mvhd(), name="clip.mp4")
    assert exhibit.media_type == "video/mp4"
    assert exhibit.facts["created_at"] == "2023-11-14T22:13:20Z"
    assert exhibit.facts["duration_s"] == 42
    assert exhibit.facts["location"] == "51.501200, -0.141900"


def test_email_headers(case, owner):
    exhibit = add(case, owner, eml(), name="threat.eml")
    assert exhibit.media_type == "message/rfc822"
    f = exhibit.facts
    assert f["email_from"] == "Him <him@example.net>"
    assert f["email_subject"] == "I know where you are"
    assert f["email_date_utc"] == "2025-03-04T22:10:00Z"
    assert f["email_received_count"] == 1


def test_pdf_first_page_preview(case, owner):
    if not shutil.which("pdftoppm"):
        pytest.skip("poppler-utils is not installed (make test installs it)")
    exhibit = add(case, owner, pdf(), name="letter.pdf")
    exhibit.refresh_from_db()
    assert exhibit.preview_status == "ready", exhibit.preview_note


def test_video_poster_frame(case, owner):
    clip = video_mp4()
    if clip is None:
        pytest.skip("ffmpeg is not installed (make test installs it)")
    exhibit = add(case, owner, clip, name="doorbell.mp4")
    exhibit.refresh_from_db()
    assert exhibit.preview_status == "ready", exhibit.preview_note
    assert exhibit.playable


# ---------------------------------------------------------------- the chain and tampering


def test_exhibits_enter_the_chain_and_verify(case, owner, incident):
    exhibit = add(case, owner, jpeg_with_exif(), name="a.jpg")
    services.edit_exhibit(exhibit, owner, reference="JB/1", description="Photo of his car outside")
    services.set_links(exhibit, owner, [incident])
    services.add_continuity(
        exhibit, owner, action="handed_over", to_police=True, happened_on=dt.date.today(), to="Kent Police", officer="PC 123", reference="KP/99/25"
    )
    kinds = list(ChainEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds.count("exhibit.sealed") == 1 and kinds.count("exhibit.event") == 3
    exhibit.refresh_from_db()
    assert exhibit.custody == "police" and exhibit.version == 4
    result = verify(case)
    assert result.ok, result.problem
    assert result.files_checked and [c.ok for c in result.files] == [True]
    # Each payload is recomputable with plain json + hashlib (the documented canonical form).
    for event in ExhibitEvent.objects.filter(exhibit=exhibit):
        payload = snapshots.event_payload(event, case)
        raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert hashlib.sha256(raw).hexdigest() == event.payload_sha256
        entry = ChainEntry.objects.get(case=case, ref=f"exhibit/{exhibit.number}/e{event.seq}")
        assert entry.payload_sha256 == event.payload_sha256


def test_tampered_blob_is_detected(case, owner, owner_client):
    exhibit = add(case, owner, os.urandom(2 * MIB), name="a.bin")
    path = stored_path(exhibit.original)
    raw = bytearray(path.read_bytes())
    raw[MIB + 500] ^= 0x01
    path.write_bytes(bytes(raw))
    result = verify(case)
    assert not result.ok
    assert "Exhibit 1" in result.problem and "altered or damaged" in result.problem
    page = owner_client.get(f"/cases/{case.pk}/integrity/").content.decode()
    assert "Broken" in page and "altered or damaged" in page
    r = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/")
    with pytest.raises(stream.BlobError):
        b"".join(r.streaming_content)


def test_missing_blob_is_reported(case, owner, capsys):
    exhibit = add(case, owner, b"some evidence", name="a.txt")
    stored_path(exhibit.original).unlink()
    result = verify(case)
    assert not result.ok and "missing" in result.problem
    with pytest.raises(SystemExit):
        call_command("verify_case", case.pk)
    assert "BROKEN" in capsys.readouterr().out


def test_replaced_blob_with_valid_encryption_of_other_content_is_detected(case, owner):
    """Someone with the keys re-seals different bytes under the same blob: the SHA-256 no longer matches."""
    exhibit = add(case, owner, b"the original evidence", name="a.txt")
    from vault.keys import data_key

    forged = b"".join(stream.SealingStream(data_key(case), stream.blob_context(exhibit.original.uuid), [b"something else"]).chunks())
    stored_path(exhibit.original).write_bytes(forged)
    result = verify(case)
    assert not result.ok and "no longer matches the SHA-256" in result.problem


def test_row_changed_outside_daybook_is_detected(case, owner):
    exhibit = add(case, owner, b"evidence", name="a.txt")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE evidence_exhibit SET custody = 'police' WHERE id = %s", [exhibit.pk])
    result = verify(case)
    assert not result.ok and "changed outside Daybook" in result.problem


def test_deleted_exhibit_event_is_detected(case, owner):
    exhibit = add(case, owner, b"evidence", name="a.txt")
    services.edit_exhibit(exhibit, owner, description="x")
    ExhibitEvent.objects.filter(exhibit=exhibit, seq=2).delete()
    result = verify(case)
    assert not result.ok and "missing" in result.problem


def test_verify_case_command_reports_files(case, owner, capsys):
    add(case, owner, b"evidence", name="a.txt")
    call_command("verify_case", case.pk)
    assert "intact" in capsys.readouterr().out


# ---------------------------------------------------------------- full disk and crashes


class FullDiskStorage(FileSystemStorage):
    """Writes at most ``budget`` more bytes, then fails like a full disk (ENOSPC): through the storage API and where
    an upload's parts are written in place (vault.parts)."""

    budget = 0

    def _save(self, name, content):
        outer = self

        class Limited:
            def __init__(self, inner):
                self.inner = inner

            def chunks(self, chunk_size=None):
                for piece in self.inner.chunks():
                    if len(piece) > FullDiskStorage.budget:
                        raise OSError(errno.ENOSPC, "No space left on device")
                    FullDiskStorage.budget -= len(piece)
                    yield piece

        return FileSystemStorage._save(outer, name, Limited(content))


def _limited_write(fd, data):
    if len(data) > FullDiskStorage.budget:
        raise OSError(errno.ENOSPC, "No space left on device")
    FullDiskStorage.budget -= len(data)
    return os.write(fd, data)


@pytest.fixture
def full_disk(settings, monkeypatch, tmp_path):
    """A local disk that fills up (on S3 the server's own refusal maps to the same message: vault/s3.py)."""
    from vault import parts

    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.test_evidence.FullDiskStorage", "OPTIONS": {"location": str(tmp_path / "disk")}}}
    monkeypatch.setattr(parts, "_write", _limited_write)
    FullDiskStorage.budget = 10**12
    yield FullDiskStorage


def test_full_disk_mid_upload_keeps_the_last_good_state(case, owner, owner_client, full_disk):
    data = os.urandom(16 * MIB + 10)
    info = owner_client.post(f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "a.mp4", "size": len(data)}), content_type="application/json").json()
    ok = put(owner_client, info["url"], data[: 8 * MIB], 0)
    assert ok.status_code == 200
    full_disk.budget = MIB  # the disk fills up part-way through the next chunk
    r = put(owner_client, info["url"], data[8 * MIB : 16 * MIB], 8 * MIB)
    assert r.status_code == 507
    assert "run out of space" in r.json()["error"] and "Everything saved before is safe" in r.json()["error"]
    assert r.json()["offset"] == 8 * MIB
    assert list(UploadPart.objects.values_list("offset", flat=True)) == [0]
    # Space is freed: the upload carries on from where it was (over what the failed chunk half wrote) and the file is whole.
    full_disk.budget = 10**12
    assert put(owner_client, info["url"], data[8 * MIB : 16 * MIB], 8 * MIB).status_code == 200
    assert put(owner_client, info["url"], data[16 * MIB :], 16 * MIB).status_code == 200
    done = owner_client.post(info["finish_url"])
    assert done.status_code == 201
    exhibit = Exhibit.objects.get()
    assert exhibit.sha256 == hashlib.sha256(data).hexdigest()
    assert store.read_back(case, exhibit.original)[:2] == (exhibit.sha256, len(data))


def test_upload_is_written_once_in_the_documented_format(case, owner, owner_client):
    """The chunks are sealed straight into the original: its stored bytes are the format of docs/ARCHITECTURE.md
    (decrypted here by the format's own reader), and no other file is written."""
    data = os.urandom(8 * MIB + 3 * MIB + 5)
    r = upload_with_client(owner_client, case.pk, data, name="clip.mp4")
    assert r.status_code == 201, r.content
    exhibit = Exhibit.objects.get()
    blob = exhibit.original
    raw = Stored(blob.name).read_bytes()
    assert len(raw) == stream.stored_size_for(len(data)) == blob.stored_size
    plain = b"".join(stream.decrypt_stream(store.data_key(case), stream.blob_context(blob.uuid), io.BytesIO(raw)))
    assert plain == data and exhibit.sha256 == hashlib.sha256(data).hexdigest()
    # Every file kept is a blob (the original and any preview made from it): no staging copy anywhere.
    assert sorted(stored_under(f"evidence/{case.uuid}")) == sorted(b.name for b in Blob.objects.all())
    assert not stored_under("evidence/uploads")


def test_storage_failing_while_finishing_leaves_no_exhibit_and_can_be_retried(case, owner, owner_client, monkeypatch, incident):
    before = ChainEntry.objects.filter(case=case).count()
    data = os.urandom(3 * MIB)
    info = owner_client.post(f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "a.bin", "size": len(data)}), content_type="application/json").json()
    put(owner_client, info["url"], data, 0)
    real = store.read_back

    def unreachable(*args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr(store, "read_back", unreachable)
    r = owner_client.post(info["finish_url"])
    assert r.status_code == 503 and "cannot be reached" in r.json()["error"] and "safe" in r.json()["error"]
    assert not Exhibit.objects.exists()
    assert ChainEntry.objects.filter(case=case).count() == before
    assert verify(case).ok
    assert UploadSession.objects.get().received == len(data)  # the parts are intact
    monkeypatch.setattr(store, "read_back", real)
    assert owner_client.post(info["finish_url"]).status_code == 201
    assert Exhibit.objects.get().sha256 == hashlib.sha256(data).hexdigest()


def test_damaged_part_rewinds_the_upload_to_it(case, owner):
    data = os.urandom(16 * MIB + 100)
    upload = uploads.start_upload(case, owner, name="a.bin", size=len(data))
    for offset in (0, 8 * MIB, 16 * MIB):
        piece = data[offset : offset + 8 * MIB]
        uploads.receive_chunk(upload, offset, [piece], len(piece))
    # The second part damaged in storage (written again with garbage where its sealed segments are).
    from vault import parts

    token = parts.write(upload.blob.name, upload.store_state, 1, stream.segment_offset(8), [os.urandom(8 * (MIB + stream.TAG_SIZE))])
    UploadPart.objects.filter(upload=upload, index=1).update(name=token)
    with pytest.raises(limits.UploadError) as excinfo:
        uploads.finish_upload(upload, owner)
    # In place (a local folder) the upload rewinds to the damaged part; on S3 the completed object cannot take a part
    # again, so the upload starts again from the first byte (under a new header).
    again = 8 * MIB if parts.in_place() else 0
    assert excinfo.value.status == 409 and excinfo.value.offset == again and "damaged" in excinfo.value.message
    upload.refresh_from_db()
    assert upload.received == again and upload.parts == again // (8 * MIB)
    for offset in range(again, len(data), 8 * MIB):
        piece = data[offset : offset + 8 * MIB]
        uploads.receive_chunk(upload, offset, [piece], len(piece))
    assert uploads.finish_upload(upload, owner).exhibit.sha256 == hashlib.sha256(data).hexdigest()


def test_full_disk_on_direct_ingest(case, owner, full_disk):
    full_disk.budget = MIB // 2
    with pytest.raises(limits.UploadError) as excinfo:
        services.ingest(case, owner, chunks(os.urandom(2 * MIB)), name="a.bin")
    assert excinfo.value.status == 507
    assert not Exhibit.objects.exists() and not Blob.objects.exists()
    assert not stored_under(f"evidence/{case.uuid}")


def test_crash_mid_finish_never_leaves_an_exhibit_pointing_at_a_partial_blob(case, owner, monkeypatch):
    """The process dies while finishing (simulated by an exception from inside the read-back): no exhibit, the
    upload stays open with its blob (clean-up leaves an open upload's blob alone, however old), and finishing again
    works. A blob a kill leaves "writing" with no upload is removed by clean-up."""
    data = os.urandom(3 * MIB)
    upload = uploads.start_upload(case, owner, name="a.bin", size=len(data))
    uploads.receive_chunk(upload, 0, [data], len(data))

    def dying(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    monkeypatch.setattr(store, "read_back", dying)
    with pytest.raises(KeyboardInterrupt):
        uploads.finish_upload(upload, owner)
    monkeypatch.undo()
    assert not Exhibit.objects.exists()
    Blob.objects.filter(pk=upload.blob_id).update(created_at=timezone.now() - dt.timedelta(hours=2))
    blob = Blob.objects.create(case=case, purpose="original", name=f"evidence/{case.uuid}/dead.dbe", status="writing")
    store.storage().save(blob.name, io.BytesIO(b"partial"))
    Blob.objects.filter(pk=blob.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    counts = sweep.cleanup()
    assert counts["blobs"] == 1 and not store.storage().exists(blob.name)
    assert store.storage().exists(upload.blob.name)
    upload.refresh_from_db()
    assert upload.status == "open"
    assert uploads.finish_upload(upload, owner).created


def test_cleanup_removes_abandoned_uploads_but_never_sealed_files(case, owner):
    exhibit = add(case, owner, b"keep me", name="keep.txt")
    upload = uploads.start_upload(case, owner, name="a.bin", size=16 * MIB)
    uploads.receive_chunk(upload, 0, [os.urandom(8 * MIB)], 8 * MIB)
    written = Stored(upload.blob.name)
    from vault import parts

    assert written.exists() or not parts.in_place()  # on S3 it is a multipart upload until finished
    assert sweep.cleanup()["uploads"] == 0  # fresh: kept
    UploadSession.objects.filter(pk=upload.pk).update(updated_at=timezone.now() - dt.timedelta(hours=49))
    call_command("cleanup_uploads")
    assert not written.exists() and not Blob.objects.filter(pk=upload.blob_id).exists()
    assert UploadSession.objects.get(pk=upload.pk).status == "discarded"
    assert b"".join(store.iter_plaintext(case, exhibit.original)) == b"keep me"
    assert verify(case).ok


def test_discarding_an_upload(case, owner_client):
    info = owner_client.post(f"/cases/{case.pk}/evidence/uploads/", json.dumps({"name": "a.bin", "size": 5}), content_type="application/json").json()
    assert owner_client.delete(info["url"]).status_code == 204
    assert UploadSession.objects.get().status == "discarded"
    r = put(owner_client, info["url"], b"12345", 0)
    assert r.status_code == 409


# ---------------------------------------------------------------- exhibits, physical items, continuity


def test_references_follow_the_persons_initials_and_stay_unique(case, owner, owner_client):
    first = add(case, owner, b"one", name="1.txt")
    services.edit_exhibit(first, owner, reference="JB/1")
    second = add(case, owner, b"two", name="2.txt")
    assert second.reference == "JB/2"
    r = owner_client.post(f"/cases/{case.pk}/evidence/{second.number}/edit/", {"reference": "jb/1"})
    assert r.status_code == 200 and "already has the reference" in r.content.decode()
    r = owner_client.post(f"/cases/{case.pk}/evidence/{second.number}/edit/", {"reference": "JB/7", "description": "Card left on my car"})
    assert r.status_code == 302
    second.refresh_from_db()
    assert second.reference == "JB/7" and second.description == "Card left on my car"
    assert add(case, owner, b"three", name="3.txt").reference == "JB/8"


def test_physical_item_with_photos_and_continuity(case, owner, owner_client):
    r = owner_client.post(
        f"/cases/{case.pk}/evidence/physical/new/",
        {"description": "Flowers with a card", "received_on": "2025-02-14", "arrived_how": "Left on the doorstep", "kept_where": "Bagged in the freezer"},
    )
    assert r.status_code == 302
    item = Exhibit.objects.get(case=case, kind="physical")
    photo = upload_with_client(owner_client, case.pk, jpeg_with_exif(), name="flowers.jpg", photo_of=item.number)
    assert photo.status_code == 201
    assert Exhibit.objects.get(case=case, kind="file").photo_of == item
    r = owner_client.post(
        f"/cases/{case.pk}/evidence/{item.number}/continuity/",
        {"what": "police", "happened_on": dt.date.today().isoformat(), "to": "Kent Police", "officer": "PC 1234", "reference": "KP/2025/77"},
    )
    assert r.status_code == 302
    r = owner_client.post(f"/cases/{case.pk}/evidence/{item.number}/continuity/", {"what": "moved", "happened_on": dt.date.today().isoformat()})
    assert r.status_code == 200 and "Say where it is now" in r.content.decode()
    item.refresh_from_db()
    assert item.custody == "police"
    page = owner_client.get(f"/cases/{case.pk}/evidence/{item.number}/").content.decode()
    assert "Given to the police" in page and "PC 1234" in page and "KP/2025/77" in page and "flowers.jpg" in page
    assert verify(case).ok


def test_links_between_exhibits_and_incidents(case, owner, owner_client, incident):
    other = make_incident(case, owner, description="Calls all night")
    exhibit = add(case, owner, b"log", name="calls.txt")
    r = owner_client.post(f"/cases/{case.pk}/evidence/{exhibit.number}/links/", {"incidents": f"{incident.number}, {other.number}"})
    assert r.status_code == 302
    assert sorted(exhibit.incidents.values_list("number", flat=True)) == [incident.number, other.number]
    r = owner_client.post(f"/cases/{case.pk}/evidence/{exhibit.number}/links/", {"incidents": "99"}, follow=True)
    assert "There is no incident 99" in r.content.decode()
    r = owner_client.post(f"/cases/{case.pk}/evidence/{exhibit.number}/links/", {"incidents": "abc"}, follow=True)
    assert "is not an incident number" in r.content.decode()
    assert owner_client.post(f"/cases/{case.pk}/evidence/{exhibit.number}/links/", {"incidents": ""}).status_code == 302
    assert not exhibit.incidents.exists()
    assert verify(case).ok


def test_pages_render(case, owner, owner_client, incident):
    exhibit = add(case, owner, jpeg_with_exif(), name="a.jpg")
    for url in [
        "",
        "add/",
        f"add/?incident={incident.number}",
        "physical/new/",
        f"{exhibit.number}/",
        f"{exhibit.number}/edit/",
        f"{exhibit.number}/continuity/",
    ]:
        r = owner_client.get(f"/cases/{case.pk}/evidence/{url}")
        assert r.status_code == 200, url
        assert r["Cache-Control"].startswith("no-store")
    assert owner_client.get(f"/cases/{case.pk}/evidence/add/?incident=999").status_code == 404


# ---------------------------------------------------------------- keys


def test_master_key_rotation_rewraps_without_reencrypting(case, owner, settings, tmp_path):
    data = os.urandom(MIB + 5)
    exhibit = add(case, owner, data, name="a.bin")
    blob_bytes = stored_path(exhibit.original).read_bytes()
    old = settings.DAYBOOK_MASTER_KEY
    from evidence.management.commands.rotate_master_key import rewrap_all
    from kernel import crypto

    new = __import__("base64").b64encode(os.urandom(32)).decode()
    settings.DAYBOOK_MASTER_KEY = new
    settings.DAYBOOK_OLD_MASTER_KEYS = [old]
    assert rewrap_all() == (1, 0)
    case.refresh_from_db()
    assert case.key_id == crypto.master_key_id()
    settings.DAYBOOK_OLD_MASTER_KEYS = []  # the old key is gone: everything still reads
    from cases.models import Case

    fresh = Case.objects.get(pk=case.pk)
    assert b"".join(store.iter_plaintext(fresh, exhibit.original)) == data
    assert stored_path(exhibit.original).read_bytes() == blob_bytes  # no file was re-encrypted
    assert verify(fresh).ok
    settings.DAYBOOK_MASTER_KEY = old  # a key that no longer wraps anything: refused clearly
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap_key(bytes(fresh.wrapped_key), str(fresh.uuid))


def test_rotate_command_with_the_local_secrets_file(case, owner, settings, tmp_path, monkeypatch, capsys):
    import base64

    exhibit = add(case, owner, b"evidence", name="a.txt")
    monkeypatch.delenv("DAYBOOK_MASTER_KEY", raising=False)
    settings.DATA_DIR = tmp_path
    (tmp_path / "secrets.json").write_text(json.dumps({"secret_key": "x", "master_key": settings.DAYBOOK_MASTER_KEY}))
    call_command("rotate_master_key", "--secrets-file")
    stored = json.loads((tmp_path / "secrets.json").read_text())
    assert stored["master_key"] != stored["old_master_keys"][0]
    assert len(base64.b64decode(stored["master_key"])) == 32
    assert "Re-wrapped 1 case key" in capsys.readouterr().out
    call_command("rotate_master_key", "--forget-old-keys")
    assert "old_master_keys" not in json.loads((tmp_path / "secrets.json").read_text())
    settings.DAYBOOK_MASTER_KEY = stored["master_key"]
    settings.DAYBOOK_OLD_MASTER_KEYS = []
    from cases.models import Case

    assert b"".join(store.iter_plaintext(Case.objects.get(pk=case.pk), exhibit.original)) == b"evidence"


def test_sniff_table_basics():
    assert sniff.sniff_kind(jpeg_with_exif(), 10).media_type == "image/jpeg"
    assert sniff.sniff_kind(png(), 10).media_type == "image/png"
    assert sniff.sniff_kind(b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", 10).media_type == "image/heic"
    assert sniff.sniff_kind(b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  ", 10).media_type == "video/quicktime"
    assert sniff.sniff_kind(b"ID3\x04\x00", 10).media_type == "audio/mpeg"
    assert sniff.sniff_kind(b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead", 40).label == "Opus voice note"
    assert sniff.sniff_kind(b"RIFF\x00\x00\x00\x00WAVEfmt ", 10).media_type == "audio/wav"
    assert sniff.sniff_kind(eml(), 10).media_type == "message/rfc822"
    assert sniff.sniff_kind(b"just some words\nand more", 10).media_type == "text/plain"
    assert sniff.sniff_kind(b"\x89\x00\xff\xfe random", 10).media_type == "application/octet-stream"
