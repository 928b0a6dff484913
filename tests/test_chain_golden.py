"""Golden values: the hash chain and the evidence bundle are byte for byte what they were when this test was written.

A case is built with a fixed clock, fixed identifiers (case, blobs, user) and fixed files: incidents with several
versions (one at a time and in bulk), file exhibits (one sealed in one pass, one through the resumable upload), a
physical item, an edit, a link and a hand-over. Every chain entry's kind, reference, time and hashes must equal the
literals below, and the evidence bundle written from it must equal ``tests/data/golden_bundle.zip`` (committed,
written by the code of the day the test was written) byte for byte. The stored bundle must also still pass
``verify_bundle``. A refactoring that changes any of these changes a documented format: it is not a refactoring.

To rewrite the stored bundle (only for a deliberate, documented format change): DAYBOOK_WRITE_GOLDEN=1.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import os
import uuid
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from cases.models import Case
from cases.services import create_case
from chain import verification
from chain.models import ChainEntry
from diary.services import IncidentData, create_incident, create_incidents, edit_incident, retract_incident
from evidence import services, uploads
from evidence.models import Blob, UploadSession
from reports.bundle import write_bundle
from reports.options import ReportOptions
from reports.verify import verify_bundle

GOLDEN = Path(__file__).resolve().parent / "data" / "golden_bundle.zip"
START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
PDF = b"%PDF-1.7\n% golden placeholder report\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
VOICEMAIL = b"Voicemail left at 23:10: I know where you are.\n" * 40
SCREENSHOT = bytes((i * 7 + 3) % 256 for i in range(70_000))

# (seq, kind, ref, at, payload_sha256, entry_hash)
EXPECTED = [
    (
        1,
        "case.opened",
        "case",
        "2025-03-01T09:00:00.000000Z",
        "33125e31567671c8f5c0c05ab0286f8be0f846137b5710576c86e2aac0466769",
        "506851ced3b368d0ba5c4689f886f58a57851f59d525bbe5842e8a0e4951fe0c",
    ),
    (
        2,
        "incident.version",
        "incident/1/v1",
        "2025-03-01T09:01:00.000000Z",
        "204eb429f31f0d58058d791e29870411c19fb6a83281fc5f999a35e926c21da4",
        "476b00bb1f79c996cb8eff365c7c73b4b6d6b0ccb5ec0518a072b04e414cde86",
    ),
    (
        3,
        "incident.version",
        "incident/2/v1",
        "2025-03-01T09:02:00.000000Z",
        "c882f4c5d419cdc8d21fc1d725711f30c1e1b387121f6c7c5f0128b9ead2c3d8",
        "4dc02d2acc126b1b976ebb826cfc989c0deac420994c16bcffe06f4bfd0d31b7",
    ),
    (
        4,
        "incident.version",
        "incident/2/v2",
        "2025-03-01T09:03:00.000000Z",
        "6db42000c9276f533c090d9ba1b2cb84bea92d48efafc75b9b2e82f08fb408b6",
        "ae2bad5955aae9c21aa67bb0c1b95d07b7eebd2f59b3796b2e9ff902a7d630a4",
    ),
    (
        5,
        "incident.version",
        "incident/3/v1",
        "2025-03-01T09:04:00.000000Z",
        "29492eaa4aca56f0fde484eea5006593d3911ab73b5b15ad66cf4b2a604d41c2",
        "130cf2297a25e994f6ff9380a8bc256917cba42edb7c4e79fe57da1b32061604",
    ),
    (
        6,
        "incident.version",
        "incident/4/v1",
        "2025-03-01T09:04:00.000000Z",
        "f9e2073eb23913a937cc0e47761dd58da0da6ff12fc808b315ee8f500d0afd7e",
        "5db2ff9325464a29c7b5d14482106cf777092e6c7dfe510dc87d09fcd419217f",
    ),
    (
        7,
        "incident.version",
        "incident/5/v1",
        "2025-03-01T09:04:00.000000Z",
        "fc7270b5afdeace3bc839e61e6d9a360909356118251767478ce66f46d3f0356",
        "01dbceed5f9df799930c3fc164ac1ffb7353934df2105a950d66d23fe88ad6a5",
    ),
    (
        8,
        "incident.version",
        "incident/6/v1",
        "2025-03-01T09:05:00.000000Z",
        "bf2d807d262a095ba68ec0dd078fd38649e41cfd58a3f4ebe2543731e7a3fb1c",
        "fdb0ac2b5843ea5f50ed261e83c220edef4bae2312a56cf4aa45c9cbb4375ed6",
    ),
    (
        9,
        "incident.version",
        "incident/6/v2",
        "2025-03-01T09:06:00.000000Z",
        "29eda35f803f5c65bbf5ebfe86184a7c036e26679936dcf52d7c2d3830816774",
        "241f2fbd1790d5066bca9d4887d41ecb0921801fe50986db2646577b8093021d",
    ),
    (
        10,
        "exhibit.sealed",
        "exhibit/1/e1",
        "2025-03-01T09:07:00.000000Z",
        "13a68cd8cc5507337a782805fd69a272f118fd9225e99ef7cf71559007c51290",
        "c4dfaa1c501e473642e7b9bc9b896d2a8ca9ca7b49001319d1df8ba732b6e9ad",
    ),
    (
        11,
        "exhibit.sealed",
        "exhibit/2/e1",
        "2025-03-01T09:08:00.000000Z",
        "00061f486e5d598c5db2dee6d0d2812204eda78704129973fe295698d8adfc27",
        "ce3168aad59b13af805991abf4a2cd8296c7ae9046a7445ff08638545f3aa034",
    ),
    (
        12,
        "exhibit.sealed",
        "exhibit/3/e1",
        "2025-03-01T09:09:00.000000Z",
        "bbcd373a90713a5ae2f376c6e314b6f671f63fcaf0bf6ac174ad13f589f3fce7",
        "10ce17cd933aa84d830da2bfec8ed6d969c9df9f8771f9b87a89f56c6700395e",
    ),
    (
        13,
        "exhibit.event",
        "exhibit/1/e2",
        "2025-03-01T09:10:00.000000Z",
        "90139b3d95ae2f2b85513779363cb6157bf1e827dcfa75df8ecf4cd20ef24ff8",
        "f8b1288d533fc3c9c643101a02c2a94f31129f3c32f13b3c0ad0d9aba95a6395",
    ),
    (
        14,
        "exhibit.event",
        "exhibit/2/e2",
        "2025-03-01T09:11:00.000000Z",
        "71b802f6fc1d9b0a0f8cd74efdc488fe6aecfbd38d734c4744a5ededaf1e9c79",
        "70af4c3e52ea7e2ab96228aa951e9143879e142a38e0a6e466cfe4c4b5bc4e6d",
    ),
    (
        15,
        "exhibit.event",
        "exhibit/3/e2",
        "2025-03-01T09:12:00.000000Z",
        "80a9829f7682f2296cc6dee7e6498b31dc98a944d5f4699389ed2221eb2cbb68",
        "ba29f8cb0ccbab811cb8958343bb16d750fce81b7aef0a27c6235bce6453d94a",
    ),
]


class Clock:
    """timezone.now() returns the time set here, so every recorded time is known in advance."""

    def __init__(self) -> None:
        self.now = START

    def set(self, minutes: int) -> None:
        self.now = START + dt.timedelta(minutes=minutes)

    def __call__(self) -> dt.datetime:
        return self.now


def _fixed_uuids(monkeypatch, model, prefix: str) -> None:  # noqa: ANN001
    counter = itertools.count(1)
    monkeypatch.setattr(model._meta.get_field("uuid"), "_get_default", lambda: uuid.UUID(f"{prefix}-0000-4000-8000-{next(counter):012d}"))


@pytest.fixture
def clock(monkeypatch, db):  # noqa: ANN001, ANN201
    c = Clock()
    monkeypatch.setattr(timezone, "now", c)
    _fixed_uuids(monkeypatch, Case, "c0000000")
    _fixed_uuids(monkeypatch, Blob, "b0000000")
    _fixed_uuids(monkeypatch, UploadSession, "a0000000")
    return c


def _data(minutes_before: int, **kwargs) -> IncidentData:  # noqa: ANN003
    return IncidentData(occurred_at=START - dt.timedelta(minutes=minutes_before), **kwargs)


def build(clock: Clock) -> Case:
    user = get_user_model().objects.create_user(id=4242, username="golden", email="golden@example.com", password="correct horse battery staple")
    clock.set(0)
    case = create_case(user, label="Golden", relationship="ex_partner", suspect_name="John Bloggs")
    clock.set(1)
    first = create_incident(case, user, _data(600, description="He waited outside my house", behaviours=["CONT.VISIT"], channel="in_person"))
    clock.set(2)
    second = create_incident(case, user, _data(300, description="Forty texts in one night", channel="text"), quick=True)
    clock.set(3)
    data = IncidentData.from_incident(second)
    data.description = "Forty texts between 11pm and 2am"
    edit_incident(second, user, data)
    clock.set(4)
    create_incidents(case, user, [_data(2000 + i, description=f"Missed call {i}", channel="phone") for i in range(3)])
    clock.set(5)
    wrong = create_incident(case, user, _data(100, description="Entered by mistake"))
    clock.set(6)
    retract_incident(wrong, user, "Wrong day")
    clock.set(7)
    chunks = [VOICEMAIL[i : i + 1000] for i in range(0, len(VOICEMAIL), 1000)]
    voicemail = services.ingest(case, user, chunks, name="voicemail.txt", details=services.Details(incident=first, description="Voicemail")).exhibit
    clock.set(8)
    upload = uploads.start_upload(case, user, name="screenshot.bin", size=len(SCREENSHOT), details=services.Details(incident=second))
    uploads.receive_chunk(upload, 0, [SCREENSHOT], len(SCREENSHOT))
    screenshot = uploads.finish_upload(upload, user).exhibit
    clock.set(9)
    card = services.create_physical(
        case, user, description="A card left on the car", received_on=dt.date(2025, 2, 20), arrived_how="On the windscreen", kept_where="Kitchen drawer"
    )
    clock.set(10)
    services.edit_exhibit(voicemail, user, description="Voicemail from the withheld number", obtained_on=dt.date(2025, 2, 28))
    clock.set(11)
    services.set_links(screenshot, user, [first, second])
    clock.set(12)
    services.add_continuity(card, user, action="handed_over", happened_on=dt.date(2025, 3, 1), to="PC Smith", officer="PC 123", to_police=True)
    case.refresh_from_db()
    return case


def _bundle(case: Case) -> bytes:
    out = io.BytesIO()
    write_bundle(
        case,
        ReportOptions(),
        out,
        pdf_name="Incident log.pdf",
        pdf_chunks=[PDF],
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        pdf_size=len(PDF),
        generated_at=dt.datetime(2025, 3, 2, 10, 0, tzinfo=dt.UTC),
    )
    return out.getvalue()


def test_chain_entries_are_the_golden_ones(clock):
    case = build(clock)
    rows = list(ChainEntry.objects.filter(case=case).order_by("seq").values_list("seq", "kind", "ref", "at", "payload_sha256", "entry_hash"))
    assert rows == EXPECTED
    assert case.chain_seq == len(EXPECTED) and case.chain_head == EXPECTED[-1][5]
    result = verification.verify(case)
    assert result.ok, result.problem
    assert result.entries == len(EXPECTED)


def test_bundle_is_byte_identical_to_the_stored_one(clock, tmp_path):
    case = build(clock)
    raw = _bundle(case)
    if os.environ.get("DAYBOOK_WRITE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_bytes(raw)
    assert raw == GOLDEN.read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert archive.read("exhibits/EX-1_voicemail.txt") == VOICEMAIL
        assert archive.read("exhibits/EX-2_screenshot.bin") == SCREENSHOT


def test_stored_bundle_still_verifies():
    result = verify_bundle(GOLDEN)
    assert result.ok, result.problems
    assert GOLDEN.stat().st_size < 200_000
