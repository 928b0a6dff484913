"""Reports as the person uses them: asking for one, following it, downloading, expiry, hand-over links, refusals."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from evidence.services import ingest
from reports import services
from reports.models import Handover, HandoverDownload, Report
from reports.options import ReportOptions
from tests.factories import make_incident
from vault import store

pytestmark = pytest.mark.django_db


@pytest.fixture
def diary(case, owner):
    make_incident(case, owner, days_ago=3, description="He waited at the school gate", channel="in_person")
    make_incident(case, owner, days_ago=2, description="Eleven texts before breakfast", channel="text")
    make_incident(case, owner, days_ago=1, description="Flowers left on the car", channel="gift")
    ingest(case, owner, [b"photo bytes " * 100], name="gate.jpg")
    return case


def _make(client: Client, case, django_capture_on_commit_callbacks, **fields) -> Report:  # noqa: ANN001
    data = {"with_bundle": "on", **fields}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cases/{case.pk}/reports/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get(case=case, uuid=response["Location"].rstrip("/").split("/")[-1])


def _body(response) -> bytes:  # noqa: ANN001
    return b"".join(response.streaming_content)


def test_a_case_with_no_incidents_gets_a_clear_message_not_an_empty_pdf(owner_client, case):
    page = owner_client.get(f"/cases/{case.pk}/reports/new/").content.decode()
    assert "There are no incidents in this case yet" in page
    response = owner_client.post(f"/cases/{case.pk}/reports/new/", {"with_bundle": "on"})
    assert response.status_code == 400
    assert "There are no incidents in this case yet" in response.content.decode()
    assert not Report.objects.exists()


def test_choices_that_select_nothing_are_refused_with_a_reason(owner_client, diary):
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = owner_client.post(f"/cases/{diary.pk}/reports/new/", {"date_from": future})
    assert response.status_code == 400
    assert "No incidents match these choices" in response.content.decode()
    response = owner_client.post(f"/cases/{diary.pk}/reports/new/", {"numbers": "1-3, banana"})
    assert "“banana” is not an incident number" in response.content.decode()
    response = owner_client.post(f"/cases/{diary.pk}/reports/new/", {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "The end date must be the same as or after the start date" in response.content.decode()
    response = owner_client.post(f"/cases/{diary.pk}/reports/new/", {"redact_contact": "on"})
    assert "Write the details you want withheld" in response.content.decode()
    assert not Report.objects.exists()


def test_report_and_bundle_are_made_sealed_and_downloadable(owner_client, diary, django_capture_on_commit_callbacks):
    report = _make(owner_client, diary, django_capture_on_commit_callbacks, person_name="Jo <b>Bloggs</b>")
    assert report.status == "done", report.problem
    assert report.incidents == 3 and report.exhibits == 1 and report.pages >= 1
    assert report.expires_at > timezone.now() + dt.timedelta(days=6)
    # The files are kept encrypted: the PDF's text is not in the storage.
    stored = store.storage().open(report.pdf_name, "rb").read()
    assert b"%PDF" not in stored[:64] and b"school gate" not in stored
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    assert "Ready" in page and report.pdf_sha256 in page and report.manifest_sha256 in page
    pdf = _body(owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/download/pdf/"))
    assert pdf.startswith(b"%PDF") and len(pdf) == report.pdf_size
    bundle = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/download/bundle/")
    assert bundle["Content-Type"] == "application/zip" and "attachment" in bundle["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(_body(bundle))) as archive:
        names = archive.namelist()
        assert "SHA256SUMS" in names and "manifest.json" in names
        assert any(n.endswith(".pdf") for n in names)
        assert archive.read(next(n for n in names if n.endswith(".pdf"))) == pdf
        assert any(n.startswith("exhibits/") and archive.read(n) == b"photo bytes " * 100 for n in names)
    activity = owner_client.get(f"/cases/{diary.pk}/activity/").content.decode()
    assert "Report made" in activity and "Report downloaded" in activity


def test_progress_is_reported_while_the_worker_has_not_finished(owner_client, diary):
    report = services.request_report(diary, diary.owner, ReportOptions(), with_bundle=False, with_timestamp=False)
    # No on-commit callbacks ran: the job is still waiting for the worker.
    status = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/status/").json()
    assert status == {"status": "queued", "stage": "Waiting to start", "percent": 0, "problem": ""}
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    assert "You can leave this page and come back" in page and "kernel/progress" in page
    services.generate(report)
    assert owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/status/").json()["percent"] == 100


def test_a_failure_leaves_no_file_and_says_why(owner_client, diary, django_capture_on_commit_callbacks, monkeypatch):
    from reports import bundle

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(bundle, "iter_bundle", broken)
    report = _make(owner_client, diary, django_capture_on_commit_callbacks)
    assert report.status == "failed" and report.pdf_name == "" and report.bundle_name == "" and report.manifest_name == ""
    assert "could not be written" in report.problem
    listed = store.storage().listdir(f"reports/{diary.uuid}")[1] if store.storage().exists(f"reports/{diary.uuid}") else []
    assert listed == []
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    assert "The report could not be made" in page


def test_finished_files_expire_and_are_deleted(owner_client, diary, django_capture_on_commit_callbacks):
    report = _make(owner_client, diary, django_capture_on_commit_callbacks)
    names = [report.pdf_name, report.manifest_name]
    assert all(n and store.storage().exists(n) for n in names)
    assert services.sweep_expired(now=timezone.now() + dt.timedelta(hours=1)) == 0
    call_command("cleanup_reports", "--now", (timezone.now() + dt.timedelta(days=8)).isoformat())
    report.refresh_from_db()
    assert report.status == "expired" and not any(store.storage().exists(n) for n in names)
    assert owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/download/pdf/").status_code == 404
    assert "have expired and were deleted" in owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()


def test_deleting_a_report_removes_its_files_and_stops_its_links(owner_client, diary, django_capture_on_commit_callbacks):
    report = _make(owner_client, diary, django_capture_on_commit_callbacks)
    made = services.create_handover(report, diary.owner, recipient="DC Khan", days=3, single_use=False)
    owner_client.post(f"/cases/{diary.pk}/reports/{report.uuid}/delete/")
    report.refresh_from_db()
    assert report.status == "deleted" and not store.storage().exists(report.pdf_name or "x")
    assert Client().get(f"/handover/?key={made.token}").status_code == 410


@override_settings(DAYBOOK_REPORT_TTL_HOURS=24 * 30)
def test_hand_over_link_downloads_are_recorded_and_shown(owner_client, diary, django_capture_on_commit_callbacks, settings):
    settings.DAYBOOK_LOCAL_ONLY = False  # a hosted Daybook: the officer downloads from another address
    report = _make(owner_client, diary, django_capture_on_commit_callbacks)
    response = owner_client.post(f"/cases/{diary.pk}/reports/{report.uuid}/links/", {"recipient": "DC Khan, Kent Police", "days": "7"})
    assert response.status_code == 302
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    link = re.search(r"http://testserver(/handover/\?key=[A-Za-z0-9_-]{40,})", page).group(1)
    key = link.split("=", 1)[1]
    assert "Copy it now" in page and "DC Khan, Kent Police" in page and "Not downloaded yet" in page
    # The link is shown once only.
    assert link not in owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    handover = Handover.objects.get(report=report)
    assert key not in handover.token_sha256 and len(handover.token_sha256) == 64

    officer = Client(enforce_csrf_checks=False, HTTP_USER_AGENT="PoliceBrowser/1.0", REMOTE_ADDR="10.1.2.3")
    landing = officer.get(link)
    text = landing.content.decode()
    assert landing.status_code == 200 and report.pdf_sha256 in text
    assert "school gate" not in text and "DC Khan" not in text  # nothing personal before the download
    assert officer.get(f"/handover/pdf/?key={key}").status_code == 405  # downloads are POSTs: link previews never count
    pdf = _body(officer.post("/handover/pdf/", {"key": key}))
    assert pdf.startswith(b"%PDF")
    _body(officer.post("/handover/bundle/", {"key": key}))
    downloads = list(HandoverDownload.objects.filter(handover=handover).order_by("at"))
    assert [d.what for d in downloads] == ["pdf", "bundle"] and all(d.completed for d in downloads)
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    assert "10.1.2.3" in page and "PoliceBrowser/1.0" in page
    activity = owner_client.get(f"/cases/{diary.pk}/activity/").content.decode()
    assert "Someone with your hand-over link" in activity

    owner_client.post(f"/cases/{diary.pk}/reports/{report.uuid}/links/{handover.pk}/stop/")
    gone = officer.get(link)
    assert gone.status_code == 410 and "has stopped it" in gone.content.decode() and report.pdf_sha256 not in gone.content.decode()
    assert officer.post("/handover/pdf/", {"key": key}).status_code == 410


def test_single_use_and_expired_links_stop_working(owner_client, diary, django_capture_on_commit_callbacks):
    report = _make(owner_client, diary, django_capture_on_commit_callbacks)
    once = services.create_handover(report, diary.owner, recipient="Advocate", days=1, single_use=True)
    officer = Client()
    assert _body(officer.post("/handover/bundle/", {"key": once.token})).startswith(b"PK")
    second = officer.post("/handover/bundle/", {"key": once.token})
    assert second.status_code == 410 and "it has been used" in second.content.decode()

    later = services.create_handover(report, diary.owner, recipient="DC Khan", days=1, single_use=False)
    Handover.objects.filter(pk=later.handover.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    expired = officer.get(f"/handover/?key={later.token}")
    assert expired.status_code == 410 and "This link has expired" in expired.content.decode()
    unknown = officer.get("/handover/?key=not-a-real-token-at-all")
    assert unknown.status_code == 404 and "Check it was copied in full" in unknown.content.decode()
    assert officer.get("/handover/?key=" + "x" * 500).status_code == 404
    assert officer.get("/handover/").status_code == 404
    assert officer.post("/handover/pdf/", {"key": ["a", "b"]}).status_code == 404


def test_link_days_are_capped_and_never_outlive_the_report(owner_client, diary, django_capture_on_commit_callbacks):
    report = _make(owner_client, diary, django_capture_on_commit_callbacks)
    made = services.create_handover(report, diary.owner, recipient="x", days=365, single_use=False)
    assert made.handover.expires_at <= report.expires_at
    response = owner_client.post(f"/cases/{diary.pk}/reports/{report.uuid}/links/", {"recipient": "", "days": "999"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Say who the link is for" in text and "Select a valid choice" in text


def test_impact_page_gathers_the_persons_own_words(owner_client, case, owner):
    make_incident(case, owner, days_ago=2, feelings="Terrified to open the door", impact="I moved my daughter's school")
    make_incident(case, owner, days_ago=1, feelings="<script>alert(1)</script>")
    page = owner_client.get(f"/cases/{case.pk}/reports/impact/").content.decode()
    assert "Terrified to open the door" in page and "I moved my daughter&#x27;s school" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# ---------------------------------------------------------------------------------------------- every route, every role


def _routes(case, report, token) -> list[tuple[str, str]]:  # noqa: ANN001
    base = f"/cases/{case.pk}/reports"
    return [
        ("get", f"{base}/"),
        ("get", f"{base}/new/"),
        ("post", f"{base}/new/"),
        ("get", f"{base}/impact/"),
        ("get", f"{base}/{report.uuid}/"),
        ("get", f"{base}/{report.uuid}/status/"),
        ("get", f"{base}/{report.uuid}/download/pdf/"),
        ("get", f"{base}/{report.uuid}/download/bundle/"),
        ("post", f"{base}/{report.uuid}/links/"),
        ("post", f"{base}/{report.uuid}/links/{Handover.objects.get(report=report).pk}/stop/"),
        ("post", f"{base}/{report.uuid}/delete/"),
    ]


def test_every_report_route_refuses_strangers_and_anonymous(owner_client, stranger_client, diary, django_capture_on_commit_callbacks):
    report = _make(owner_client, diary, django_capture_on_commit_callbacks)
    made = services.create_handover(report, diary.owner, recipient="DC Khan", days=3, single_use=False)
    anonymous = Client()
    for method, url in _routes(diary, report, made.token):
        response = getattr(stranger_client, method)(url, {"recipient": "me", "days": "1"} if method == "post" else None)
        assert response.status_code == 404, (url, response.status_code)
        response = getattr(anonymous, method)(url)
        assert response.status_code == 302 and "/account/login/" in response["Location"], url
    report.refresh_from_db()
    assert report.status == "done" and Handover.objects.get(report=report).revoked_at is None
    assert Report.objects.filter(case=diary).count() == 1 and Handover.objects.count() == 1


def test_a_report_of_another_case_is_not_reachable_through_mine(owner_client, stranger, stranger_client, diary, django_capture_on_commit_callbacks):
    from cases.services import create_case

    mine = create_case(stranger, label="Mine")
    report = _make(owner_client, diary, django_capture_on_commit_callbacks)
    for url in (
        f"/cases/{mine.pk}/reports/{report.uuid}/",
        f"/cases/{mine.pk}/reports/{report.uuid}/download/pdf/",
        f"/cases/{mine.pk}/reports/{report.uuid}/status/",
        f"/cases/{mine.pk}/reports/not-a-uuid/",
    ):
        assert stranger_client.get(url).status_code == 404, url
    assert stranger_client.post(f"/cases/{mine.pk}/reports/{report.uuid}/delete/").status_code == 404
    report.refresh_from_db()
    assert report.status == "done"


def test_a_trusted_timestamp_is_asked_for_stored_and_included(owner_client, diary, django_capture_on_commit_callbacks, settings, tmp_path):
    from reports.verify import verify_bundle
    from tests.tsa import LocalTSA

    with LocalTSA() as tsa:
        settings.DAYBOOK_TSA_URL = tsa.url
        settings.DAYBOOK_TSA_CA_FILE = str(tsa.ca_file)
        assert "trusted time-stamping service" in owner_client.get(f"/cases/{diary.pk}/reports/new/").content.decode()
        report = _make(owner_client, diary, django_capture_on_commit_callbacks, with_timestamp="on")
    assert report.status == "done" and report.timestamp_time is not None and report.timestamp_problem == ""
    assert abs((timezone.now() - report.timestamp_time).total_seconds()) < 120
    path = tmp_path / "bundle.zip"
    path.write_bytes(_body(owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/download/bundle/")))
    with zipfile.ZipFile(path) as archive:
        assert archive.read("manifest.json.tsr") == bytes(report.timestamp_token)
    result = verify_bundle(path, tsa_ca_file=tsa.ca_file)
    assert result.ok, result.problems
    assert result.timestamp is not None and result.timestamp.ok and result.timestamp.trusted
    assert "Trusted timestamp" in owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()


def test_an_unreachable_time_stamping_authority_is_said_not_hidden(owner_client, diary, django_capture_on_commit_callbacks, settings):
    settings.DAYBOOK_TSA_URL = "http://127.0.0.1:9/tsa"  # the discard port: nothing answers
    report = _make(owner_client, diary, django_capture_on_commit_callbacks, with_timestamp="on")
    assert report.status == "done" and report.timestamp_token is None
    assert report.timestamp_problem.startswith("No trusted timestamp")
    page = owner_client.get(f"/cases/{diary.pk}/reports/{report.uuid}/").content.decode()
    assert "No trusted timestamp" in page
