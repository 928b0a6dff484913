"""The daily file (casework/feed.py) with the synthetic feed generator (casework/feedgen.py): good rows in, every
bad row back with its line and reason, nothing half-written, the same natural key, updates and withdrawals as the
API, CSV and JSON Lines, and the upload page for every role."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from casework import feed, feedgen, police
from casework.models import Client, FeedUpload, IndexEntry, PurgedReferral, Referral, ReferralUpdate
from casework.testing import staff_of
from organisations.models import Role
from organisations.services import api_credential_issue
from organisations.testing import make_org, make_staff, signed_in
from tests.test_api import agreement_for, referral_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    org = make_org("Kent Victim Hub", "ENG", "kent")
    other = make_org("Fife Support", "SCT", "fife")
    cred, token = api_credential_issue(organisation=org, agreement=agreement_for(org), sender="Kent Police VCU", force="Kent Police")
    other_cred, _ = api_credential_issue(organisation=other, agreement=agreement_for(other, "Fife"), sender="Police Scotland", force="Police Scotland")
    intake = make_staff(org, Role.INTAKE, "Kent Intake")
    return {"org": org, "cred": cred, "token": token, "other_cred": other_cred, "intake": intake, "other_intake": make_staff(other, Role.INTAKE, "Fife Intake")}


def take(world, data: bytes, fmt: str) -> FeedUpload:
    return feed.feed_take(staff=staff_of(world["intake"]), credential=world["cred"], upload=io.BytesIO(data), file_format=fmt)


def counts(upload: FeedUpload) -> dict[str, int]:
    return {"created": upload.created, "repeated": upload.repeated, "updated": upload.updated, "withdrawn": upload.withdrawn, "rejected": upload.rejected}


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_generated_feed_good_rows_in_bad_rows_back_with_their_lines(world, fmt):
    rows = feedgen.generate(160, seed=7, bad_every=5, repeats_every=6, updates_every=9, withdraw_every=11)
    data = feedgen.as_csv(rows) if fmt == "csv" else feedgen.as_jsonl(rows)
    upload = take(world, data, fmt)
    want = feedgen.expected(rows)
    assert counts(upload) == want
    assert upload.rows == len(rows)
    assert Referral.objects.filter(organisation=world["org"]).count() == want["created"] - want["withdrawn"]
    assert PurgedReferral.objects.count() == want["withdrawn"]
    withdrawn = {r.line_values["crime_reference"] for r in rows if r.expect == "withdrawn"}
    assert ReferralUpdate.objects.count() == sum(1 for r in rows if r.expect == "updated" and r.line_values["crime_reference"] not in withdrawn)
    # Every bad row, and only they, come back with their line (a CSV file has its header on line 1).
    offset = 1 if fmt == "csv" else 0
    bad_lines = [n + offset for n, r in feedgen.lines(rows) if r.expect == "rejected"]
    text = feed.rejects_file(upload)
    if fmt == "csv":
        back = list(csv.DictReader(io.StringIO(text)))
        assert [int(r["line"]) for r in back] == bad_lines
        assert all(r["error"] for r in back)
    else:
        back = [json.loads(line) for line in text.splitlines()]
        assert [r["line"] for r in back] == bad_lines
    # Every reason names what is wrong, and refused rows come back without their content.
    errors = " | ".join(r["error"] for r in back)
    for words in (
        "full_name: Required",
        "At most 200 characters",
        "Remove < and >",
        "direction-control",
        "Not a real date",
        "Cannot be in the future",
        "Unknown value 'jaywalking'",
        "police_risk: Unknown value",
        "Must be true or false",
        "crime_reference",
        "opted out",
        "explicit consent",
        "message: unknown value",
        "No referral from this force",
    ):
        assert words in errors, words
    refused = [r for r in back if r["error"].startswith("Refused")]
    assert refused and all(
        set((r["row"] if fmt == "jsonl" else {k: v for k, v in r.items() if v}).keys()) <= {"crime_reference", "line", "error"} for r in refused
    )
    assert "<script>" not in Client.objects.values_list("full_name_enc", flat=True).first()


def test_the_same_file_twice_stores_nothing_new_and_agrees_with_the_api(world):
    rows = feedgen.generate(40, seed=3, bad_every=7)
    data = feedgen.as_jsonl(rows)
    first = take(world, data, "jsonl")
    clients, entries = Client.objects.count(), IndexEntry.objects.count()
    second = take(world, data, "jsonl")
    assert second.created == 0 and second.repeated == first.created and second.rejected == first.rejected
    assert (Client.objects.count(), IndexEntry.objects.count()) == (clients, entries)
    # A referral sent through the API first is a repeat in the file, and the other way round.
    body = referral_body(crime_reference="KP/99/000001", full_name="Api First")
    police.create(world["cred"], body)
    upload = take(world, (json.dumps(body) + "\n").encode(), "jsonl")
    assert (upload.created, upload.repeated) == (0, 1)


def test_a_row_is_never_half_written(world, monkeypatch):
    body = referral_body(crime_reference="KP/1/1", full_name="Half Written")
    from casework import index

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(index, "batch_counter_suspects", boom)
    with pytest.raises(RuntimeError):
        take(world, (json.dumps(body) + "\n").encode(), "jsonl")
    assert Client.objects.count() == 0 and Referral.objects.count() == 0 and IndexEntry.objects.count() == 0


def test_whole_file_refusals_store_nothing(world):
    bad_header = b"crime_reference,full_name,favourite_colour\nKP/1/1,Alice Example,blue\n"
    with pytest.raises(feed.FeedRefused, match="favourite_colour"):
        take(world, bad_header, "csv")
    with pytest.raises(feed.FeedRefused, match="police senders"):
        feed.feed_take(staff=staff_of(world["intake"]), credential=world["other_cred"], upload=io.BytesIO(b""), file_format="csv")
    with pytest.raises(feed.FeedRefused, match="CSV or JSON"):
        take(world, b"", "xml")
    assert Referral.objects.count() == 0 and FeedUpload.objects.count() == 0


def test_awkward_lines(world):
    good = json.dumps(referral_body(crime_reference="KP/2/2", full_name="Zoë Ünicode")).encode()
    data = b"\xef\xbb\xbf" + good + b"\n\n[1,2]\nnot json\n" + b'{"full_name": "\xff\xfe"}\n' + b"x" * (feed.MAX_LINE_CHARS + 5) + b"\n"
    upload = take(world, data, "jsonl")
    assert upload.created == 1 and upload.rejected == 4
    back = [json.loads(line) for line in feed.rejects_file(upload).splitlines()]
    assert [r["line"] for r in back] == [3, 4, 5, 6]
    assert "UTF-8" in back[2]["error"]
    ragged = b"crime_reference,consent,full_name\nKP/3/3,explicit,Ana Ragged,extra\nKP/4/4,explicit,=HYPERLINK(1)\n"
    upload = take(world, ragged, "csv")
    text = feed.rejects_file(upload)
    assert "has 4 cells" in text.lower() or "Has 4 cells" in text
    assert upload.created == 1


def upload_file(data: bytes, name: str = "feed.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_upload_page_by_role_and_download_of_rejects(world):
    from organisations.testing import ALL_ROLES

    org = world["org"]
    members = {role: make_staff(org, role, f"Kent {role}") if role != Role.INTAKE else world["intake"] for role in ALL_ROLES}
    for role, member in members.items():
        status = signed_in(member.user).get("/staff/kent/feeds/").status_code
        assert status == (200 if role == Role.INTAKE else 404), role
    intake = signed_in(world["intake"].user)
    rows = feedgen.generate(12, seed=2, bad_every=4)
    response = intake.post("/staff/kent/feeds/", {"credential": world["cred"].pk, "file_format": "csv", "file": upload_file(feedgen.as_csv(rows))})
    assert response.status_code == 302
    upload = FeedUpload.objects.get()
    page = intake.get(response["Location"])
    assert page.status_code == 200 and b"rejected" in page.content.lower()
    download = intake.get(f"/staff/kent/feeds/{upload.pk}/rejects/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"line,error" in download.content
    assert AuditEvent.objects.filter(action="feed.rejects_downloaded").count() == 1
    # Another organisation's intake, another organisation's sender: a missing page, nothing stored.
    other = signed_in(world["other_intake"].user)
    assert other.get(f"/staff/fife/feeds/{upload.pk}/").status_code == 404
    assert other.get(f"/staff/fife/feeds/{upload.pk}/rejects/").status_code == 404
    before = Referral.objects.count()
    response = intake.post("/staff/kent/feeds/", {"credential": world["other_cred"].pk, "file_format": "csv", "file": upload_file(feedgen.as_csv(rows))})
    assert response.status_code == 400 and Referral.objects.count() == before
    response = intake.post("/staff/kent/feeds/", {"credential": world["cred"].pk, "file_format": "csv", "file": upload_file(b"full_name,nonsense\n")})
    assert response.status_code == 400 and b"nonsense" in response.content
    response = intake.post("/staff/kent/feeds/", {"credential": world["cred"].pk, "file_format": "csv"})
    assert response.status_code == 400


def test_file_rows_raise_counter_referral_alerts_and_link_nothing(world):
    from casework import services
    from casework.models import Alert, AlertKind

    lead = make_staff(world["org"], Role.TEAM_LEAD, "Kent Lead")
    known, _ = police.create(world["cred"], referral_body(crime_reference="KP/7/1", full_name="Sam Client", suspect_name="Vic Victim"))
    services.referral_accept(staff=staff_of(lead), referral=known)
    rows = [
        referral_body(crime_reference="KP/7/2", full_name="Other Person", suspect_name="Sam Client"),  # a current client named as the suspect
        referral_body(crime_reference="KP/7/3", full_name="Vic Victim", suspect_name="Someone Else"),  # the person is a suspect elsewhere
    ]
    upload = take(world, "".join(json.dumps(r) + "\n" for r in rows).encode(), "jsonl")
    assert upload.created == 2
    kinds = sorted(Alert.objects.values_list("kind", flat=True))
    assert kinds == sorted([AlertKind.CLIENT_NAMED_AS_SUSPECT, AlertKind.COUNTER_REFERRAL])
    assert Client.objects.filter(merged_into__isnull=False).count() == 0
