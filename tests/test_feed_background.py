"""The daily file taken in the background (casework/feedjobs.py, casework/tasks.py): stored sealed before a row is
read, read by the worker, its progress on a status route and a page without inline script, the stored file gone
once taken; whole-file refusals in words (empty, a spreadsheet, not UTF-8, the wrong format, no header, too big),
nothing stored for them; a rejects file safe in a spreadsheet; other organisations and other roles refused."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from audit.models import AuditEvent
from casework import feed, feedgen, feedjobs, tasks
from casework.models import FeedStatus, FeedUpload, Referral
from organisations.models import Role
from organisations.testing import ALL_ROLES, make_staff, signed_in
from tests.test_api import referral_body
from tests.test_casework_feed import world  # noqa: F401 (fixture)
from vault import store

pytestmark = pytest.mark.django_db


def post(client, world, data: bytes, fmt: str = "csv", cred=None, name: str = "feed.csv"):  # noqa: ANN001, ANN201, F811
    file = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post("/staff/kent/feeds/", {"credential": (cred or world["cred"]).pk, "file_format": fmt, "file": file})


@pytest.fixture
def held(monkeypatch):
    """The worker does not run when the file is queued: the test runs it (or not) itself."""
    queued: list[int] = []
    monkeypatch.setattr(feedjobs, "enqueue", lambda upload: queued.append(upload.pk))
    return queued


def test_file_is_stored_sealed_before_any_row_is_read_then_taken_and_deleted(world, held):  # noqa: F811
    intake = signed_in(world["intake"].user)
    rows = feedgen.generate(30, seed=3, bad_every=7)
    data = feedgen.as_csv(rows)
    response = post(intake, world, data)
    assert response.status_code == 302
    upload = FeedUpload.objects.get()
    assert held == [upload.pk]
    assert AuditEvent.objects.filter(action="feed.received", organisation=world["org"]).count() == 1
    assert upload.status == FeedStatus.QUEUED and upload.size == len(data)
    assert Referral.objects.count() == 0  # nothing read yet
    stored = store.storage().open(upload.stored_name, "rb").read()
    assert rows[1].line_values["full_name"].encode() not in stored and b"crime_reference" not in stored  # sealed
    # The progress page: a bar, the status route, the script as a file (CSP), no inline script.
    page = intake.get(response["Location"])
    assert page.status_code == 200
    assert b"<progress" in page.content and b"kernel/progress.js" in page.content
    assert not re.search(rb"<script(?![^>]*\bsrc=)[^>]*>", page.content)
    status = intake.get(f"/staff/kent/feeds/{upload.pk}/status/")
    assert status.json() == {"status": "queued", "stage": "Waiting to start", "percent": 0, "problem": ""}
    assert "no-store" in status["Cache-Control"]
    # The worker takes it.
    assert feedjobs.feed_process(upload.pk) == FeedStatus.DONE
    upload.refresh_from_db()
    want = feedgen.expected(rows)
    assert (upload.created, upload.rejected) == (want["created"], want["rejected"])
    assert upload.stored_name == ""
    assert intake.get(f"/staff/kent/feeds/{upload.pk}/status/").json()["status"] == "done"
    assert b"Rows rejected" in intake.get(response["Location"]).content
    assert feedjobs.feed_process(upload.pk) == "gone"  # taken once only


def test_stored_file_deleted_after_taking(world, held):  # noqa: F811
    intake = signed_in(world["intake"].user)
    post(intake, world, feedgen.as_csv(feedgen.generate(5, seed=1)))
    upload = FeedUpload.objects.get()
    name = upload.stored_name
    assert store.storage().exists(name)
    feedjobs.feed_process(upload.pk)
    assert not store.storage().exists(name)


def test_immediate_worker_takes_the_file_in_the_request(world):  # noqa: F811
    intake = signed_in(world["intake"].user)
    rows = feedgen.generate(40, seed=5, bad_every=8, repeats_every=9, updates_every=11)
    response = post(intake, world, feedgen.as_jsonl(rows), fmt="jsonl")
    assert response.status_code == 302
    upload = FeedUpload.objects.get()
    assert upload.status == FeedStatus.DONE and upload.stored_name == ""
    want = feedgen.expected(rows)
    assert {k: getattr(upload, k) for k in want} == want


def test_no_worker_fails_with_a_sentence(world, monkeypatch):  # noqa: F811
    def boom(pk):  # noqa: ANN001, ANN202
        raise RuntimeError("no queue")

    monkeypatch.setattr(tasks, "take_feed", SimpleNamespace(enqueue=boom))
    intake = signed_in(world["intake"].user)
    response = post(intake, world, feedgen.as_csv(feedgen.generate(3, seed=1)))
    upload = FeedUpload.objects.get()
    assert upload.status == FeedStatus.FAILED and "background worker" in upload.problem
    assert b"background worker" in intake.get(response["Location"]).content


def test_a_dead_worker_is_noticed_and_the_file_fails_without_half_rows(world, held, settings):  # noqa: F811
    settings.DAYBOOK_JOB_DEAD_SECONDS = 60
    intake = signed_in(world["intake"].user)
    post(intake, world, feedgen.as_csv(feedgen.generate(3, seed=1)))
    upload = FeedUpload.objects.get()
    name = upload.stored_name
    FeedUpload.objects.filter(pk=upload.pk).update(status=FeedStatus.RUNNING, heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    body = intake.get(f"/staff/kent/feeds/{upload.pk}/status/").json()
    assert body["status"] == "failed" and "Send the same file again" in body["problem"]
    assert not store.storage().exists(name)


def test_a_refusal_found_by_the_worker_fails_the_upload(world, held, monkeypatch):  # noqa: F811
    intake = signed_in(world["intake"].user)
    post(intake, world, feedgen.as_csv(feedgen.generate(3, seed=1)))
    upload = FeedUpload.objects.get()

    def refuse(*a, **k):  # noqa: ANN002, ANN003, ANN202
        raise feed.FeedRefused("Line 1: broken.")

    monkeypatch.setattr(feed, "take_into", refuse)
    assert feedjobs.feed_process(upload.pk) == FeedStatus.FAILED
    upload.refresh_from_db()
    assert upload.problem == "Line 1: broken." and upload.stored_name == ""


HEADER = b"crime_reference,consent,full_name\n"
GOOD = HEADER + b"KP/1/1,opt_out_notice,Alice Example\n"


@pytest.mark.parametrize(
    ("data", "fmt", "words"),
    [
        (b"", "csv", "empty"),
        (b"\xef\xbb\xbf\r\n\n", "csv", "empty"),
        (b"PK\x03\x04" + b"\x00" * 40, "csv", "Excel workbook"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 40, "csv", "old Excel"),
        (b"%PDF-1.7\n", "csv", "PDF"),
        (b"\x1f\x8b\x08\x00", "csv", "gzip"),
        ("crime_reference,full_name\n".encode("utf-16"), "csv", "UTF-16"),
        (HEADER + "KP/1/1,opt_out_notice,Zo\u00eb Caf\u00e9\n".encode("cp1252"), "csv", "Line 2: the file is not UTF-8"),
        (HEADER + b"KP/1/1,\x00,x\n", "csv", "binary data"),
        (b'{"crime_reference": "KP/1/1"}\n', "csv", "choose JSON Lines"),
        (GOOD, "jsonl", "If the file is CSV, choose CSV"),
        (b'[{"crime_reference": "KP/1/1"}]\n', "jsonl", "JSON array"),
        (b"KP/1/1,opt_out_notice,Alice Example\n", "csv", "must be the header row"),
        (b"full_name,consent\nAlice,opt_out_notice\n", "csv", "no crime_reference column"),
        (b"crime_reference,=cmd|' /C calc'!A0\n", "csv", "unknown column"),
        (b"crime_reference,full_name,full_name\n", "csv", "named twice"),
        (HEADER + b"KP/1/1,opt_out_notice," + b"A" * (feedjobs.MAX_LINE_BYTES + 10) + b"\n", "csv", "Line 2 is longer than"),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v or v in ("csv", "jsonl") else "data",
)
def test_whole_file_refusals_in_words_and_nothing_stored(world, held, data, fmt, words):  # noqa: F811
    intake = signed_in(world["intake"].user)
    response = post(intake, world, data, fmt=fmt)
    assert response.status_code == 400
    assert words.encode() in response.content.replace(b"&#x27;", b"'")
    assert FeedUpload.objects.count() == 0 and Referral.objects.count() == 0 and held == []
    assert not AuditEvent.objects.filter(action="feed.received").exists()
    assert not store.storage().exists(f"feeds/{world['org'].uuid}") or not store.storage().listdir(f"feeds/{world['org'].uuid}")[1]


def test_a_file_too_large_is_refused_before_storing(world, held, monkeypatch):  # noqa: F811
    monkeypatch.setattr(feed, "MAX_FILE_BYTES", 100)
    intake = signed_in(world["intake"].user)
    response = post(intake, world, GOOD + b"KP/1/2,opt_out_notice,Bob Example\n" * 5)
    assert response.status_code == 400 and b"larger than" in response.content
    assert FeedUpload.objects.count() == 0


def test_a_bad_byte_deep_in_the_file_rejects_only_its_row(world):  # noqa: F811
    """Past the head the file is judged row by row: one row that is not UTF-8 comes back; the rest go in."""
    filler = b"".join(f"KP/2/{i},opt_out_notice,Person {i}\n".encode() for i in range(2000))
    data = HEADER + filler + b"KP/3/1,opt_out_notice,Caf\xe9 Person\n"
    assert len(data) > feedjobs.HEAD_BYTES
    intake = signed_in(world["intake"].user)
    assert post(intake, world, data).status_code == 302
    upload = FeedUpload.objects.get()
    assert (upload.created, upload.rejected) == (2000, 1)
    assert "not valid UTF-8" in feed.rejects_file(upload)


HOSTILE = ["=HYPERLINK(\"http://x\",\"y\")", "+SUM(1,2)", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def test_rejects_file_is_safe_against_formula_injection(world):  # noqa: F811
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["crime_reference", "consent", "full_name", "address_area"])
    for i, cell in enumerate(HOSTILE):
        writer.writerow([f"KP/9/{i}", "nonsense", cell, cell])  # an unknown consent: rejected, content returned
    intake = signed_in(world["intake"].user)
    assert post(intake, world, out.getvalue().encode()).status_code == 302
    upload = FeedUpload.objects.get()
    assert upload.rejected == len(HOSTILE)
    download = intake.get(f"/staff/kent/feeds/{upload.pk}/rejects/")
    rows = list(csv.DictReader(io.StringIO(download.content.decode())))
    assert [int(r["line"]) for r in rows] == list(range(2, 2 + len(HOSTILE)))
    for row in rows:
        for column in ("full_name", "address_area"):
            assert row[column][:1] not in ("=", "+", "-", "@", "\t", "\r"), row
            assert row[column].startswith("'")


def test_hostile_rows_markup_refused_by_its_line_other_scripts_kept_formula_text_escaped(world, held):  # noqa: F811
    rows = [
        referral_body(crime_reference="KP/8/1", full_name="<script>alert(1)</script>"),  # markup in a name: refused
        referral_body(crime_reference="KP/8/2", full_name="\u0645\u0631\u064a\u0645 \u0627\u0644\u0639\u0644\u064a", account="<b>=cmd|' /C calc'!A0</b>"),
        referral_body(crime_reference="KP/8/3", full_name="Ann\u202eEvil"),  # a direction override: refused
    ]
    data = "".join(json.dumps(r) + "\n" for r in rows).encode()
    intake = signed_in(world["intake"].user)
    assert post(intake, world, data, fmt="jsonl").status_code == 302
    upload = FeedUpload.objects.get()
    feedjobs.feed_process(upload.pk)
    upload.refresh_from_db()
    assert (upload.created, upload.rejected) == (1, 2)
    lines = [json.loads(line)["line"] for line in feed.rejects_file(upload).splitlines()]
    assert lines == [1, 3]
    referral = Referral.objects.get()
    assert referral.account.startswith("<b>=cmd")
    page = intake.get(f"/staff/kent/referrals/{referral.pk}/")
    assert page.status_code == 200 and b"<b>=cmd" not in page.content


def test_status_and_pages_refused_to_other_roles_and_organisations(world, held):  # noqa: F811
    intake = signed_in(world["intake"].user)
    post(intake, world, GOOD)
    upload = FeedUpload.objects.get()
    org = world["org"]
    for role in ALL_ROLES:
        if role == Role.INTAKE:
            continue
        member = make_staff(org, role, f"Kent {role} 2")
        client = signed_in(member.user)
        for url in (f"/staff/kent/feeds/{upload.pk}/status/", f"/staff/kent/feeds/{upload.pk}/"):
            assert client.get(url).status_code == 404, (role, url)
    other = signed_in(world["other_intake"].user)
    missing = other.get("/staff/fife/feeds/999999/status/")
    theirs = other.get(f"/staff/fife/feeds/{upload.pk}/status/")
    assert theirs.status_code == missing.status_code == 404
    # Their intake cannot reach it through our slug either.
    assert other.get(f"/staff/kent/feeds/{upload.pk}/status/").status_code == 404
    # Our sender is refused to them, and theirs to us: nothing stored.
    assert post(intake, world, GOOD, cred=world["other_cred"]).status_code == 400
    assert FeedUpload.objects.count() == 1
    # The rejects of a file not yet taken are not offered.
    assert intake.get(f"/staff/kent/feeds/{upload.pk}/rejects/").status_code == 404


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(upload_id=st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=30), body=st.binary(max_size=200))
@example(upload_id="?", body=b"")
@example(upload_id="", body=b"")
@example(upload_id="../1", body=b"{}")
def test_fuzz_feed_status(world, upload_id, body):  # noqa: F811
    """The status route answers only its own organisation's uploads, only to GET, never with a server error."""
    intake = signed_in(world["intake"].user)
    # One path segment whatever the text ("?" or "#" would otherwise make it the list of files, which answers 200).
    url = f"/staff/kent/feeds/{quote(str(upload_id), safe='')}/status/"
    get = intake.generic("GET", url, body, content_type="application/json")
    assert get.status_code == 404
    assert intake.post(url, body, content_type="application/json").status_code in (403, 404, 405)
