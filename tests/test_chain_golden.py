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
        "f40e5a68e428c1ba448f3fb51e45f3c7b22b3fb258771c38867b4236090d5588",
        "58e31c177cd2953723b38bd46c7196154851f6854ebe624064a171567eb8a8b9",
    ),
    (
        6,
        "incident.version",
        "incident/4/v1",
        "2025-03-01T09:04:00.000000Z",
        "b700e46715de5b58f2e9dccf81c4bfc6fa522fc1f39d3340eb4346c66aa5fc64",
        "b73fc97756c4649da3811371f94a8fdc0ec6571688c9aa13e5cd010099470095",
    ),
    (
        7,
        "incident.version",
        "incident/5/v1",
        "2025-03-01T09:04:00.000000Z",
        "7c752f254df1cd7b9d6c246711536637bb2bde521b9ae1ea788e0f9a7d134076",
        "227339bb9c031348cb3ed7e6d1e2752ac8511f77ce82650afab03dad5fde85c5",
    ),
    (
        8,
        "incident.version",
        "incident/6/v1",
        "2025-03-01T09:05:00.000000Z",
        "bf2d807d262a095ba68ec0dd078fd38649e41cfd58a3f4ebe2543731e7a3fb1c",
        "a7899313c3461666b0ced5f2f8928fb8f6bf28d65c1fb0d7d6ff8775c962e8a1",
    ),
    (
        9,
        "incident.version",
        "incident/6/v2",
        "2025-03-01T09:06:00.000000Z",
        "29eda35f803f5c65bbf5ebfe86184a7c036e26679936dcf52d7c2d3830816774",
        "5c28e080ef892c7399ab8ad330ebd29a214fe83b414da443c57ded39b06e33e7",
    ),
    (
        10,
        "exhibit.sealed",
        "exhibit/1/e1",
        "2025-03-01T09:07:00.000000Z",
        "13a68cd8cc5507337a782805fd69a272f118fd9225e99ef7cf71559007c51290",
        "8abef774f49bbf9896da74cd2b6416ba332c571a4fb4191cc984c099e0f13bc8",
    ),
    (
        11,
        "exhibit.sealed",
        "exhibit/2/e1",
        "2025-03-01T09:08:00.000000Z",
        "00061f486e5d598c5db2dee6d0d2812204eda78704129973fe295698d8adfc27",
        "d80aed07faca54d17d8ab904ada07a6fca4635f4128a0c1e7f92233691f0fa1e",
    ),
    (
        12,
        "exhibit.sealed",
        "exhibit/3/e1",
        "2025-03-01T09:09:00.000000Z",
        "bbcd373a90713a5ae2f376c6e314b6f671f63fcaf0bf6ac174ad13f589f3fce7",
        "9bc0de72fda6aca7d0d6a01e12c5e1016f38116830486896bf66290dbd06aed8",
    ),
    (
        13,
        "exhibit.event",
        "exhibit/1/e2",
        "2025-03-01T09:10:00.000000Z",
        "90139b3d95ae2f2b85513779363cb6157bf1e827dcfa75df8ecf4cd20ef24ff8",
        "9cec46c8505fa6236ca007106eeecc1e394537741197698d1a19be17f0567f26",
    ),
    (
        14,
        "exhibit.event",
        "exhibit/2/e2",
        "2025-03-01T09:11:00.000000Z",
        "71b802f6fc1d9b0a0f8cd74efdc488fe6aecfbd38d734c4744a5ededaf1e9c79",
        "62b8024017289629dbedd67c32cb3212375be506683945a68c1e65fe783661a5",
    ),
    (
        15,
        "exhibit.event",
        "exhibit/3/e2",
        "2025-03-01T09:12:00.000000Z",
        "80a9829f7682f2296cc6dee7e6498b31dc98a944d5f4699389ed2221eb2cbb68",
        "a6e4aa6c1a60cb17cc5b75a72c8a92f729861fbbaf52b8facf09d605f8d120df",
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
    # Written when these answers defaulted to "no": said explicitly now that unanswered is "not said" (None).
    kwargs.setdefault("reported", False)
    kwargs.setdefault("felt_in_danger", False)
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
    data.reported = False  # a quick note's unasked answer is read back as "not said" now; the golden edit says "no"
    edit_incident(second, user, data)
    clock.set(4)
    create_incidents(case, user, [_data(2000 + i, description=f"Missed call {i}", channel="phone_call") for i in range(3)])
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
