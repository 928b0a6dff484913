"""The PDF incident log and evidence summary (reports/pdf.py): what a reader finds in it, checked on the text
extracted with poppler's pdftotext, and the PDF itself checked with pdfinfo and pdffonts."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import socket
import subprocess
import tempfile
import zlib
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from cases.services import save_crime_reference, save_order
from diary.services import retract_incident
from evidence import services as evidence
from reports import law
from reports.impact import gather_impact
from reports.options import REDACTED, ReportOptions
from reports.pdf import EmptyReport, LocalOnlyFetcher, render_pdf, write_html_pdf
from tests.factories import make_incident

GENERATED = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def no_network(monkeypatch):  # noqa: ANN001, ANN201
    """Any attempt to open a network connection while a test runs fails the test. The file store itself is not the
    network: with DAYBOOK_TEST_STORAGE=s3 the exhibits are read from the S3 server on 127.0.0.1, and only that
    server's address is let through."""
    attempts: list[object] = []
    connect, connect_ex = socket.socket.connect, socket.socket.connect_ex

    def storage_address() -> tuple[str, int] | None:
        from django.conf import settings  # noqa: PLC0415

        endpoint = settings.STORAGES.get("default", {}).get("OPTIONS", {}).get("endpoint_url")
        if not endpoint:
            return None
        url = urlsplit(endpoint)
        return (url.hostname or "", url.port or 80)

    def guarded(real):  # noqa: ANN001, ANN202
        def refuse(self, address, *args, **kwargs):  # noqa: ANN001, ANN202
            if isinstance(address, tuple) and tuple(address[:2]) == storage_address():
                return real(self, address, *args, **kwargs)
            attempts.append(address)
            raise OSError(f"network use during a report test: {address}")

        return refuse

    monkeypatch.setattr(socket.socket, "connect", guarded(connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(connect_ex))
    yield attempts
    assert attempts == [], f"the report tried to use the network: {attempts}"


def render(case, **options) -> tuple[object, str, bytes]:  # noqa: ANN001
    out = io.BytesIO()
    info = render_pdf(case, ReportOptions(**options), out, generated_at=GENERATED)
    data = out.getvalue()
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return info, text, data


def squash(text: str) -> str:
    """The extracted text without any whitespace (lines wrap wherever the layout put them)."""
    return re.sub(r"\s+", "", text)


def pdf_objects(data: bytes) -> list[bytes]:
    """The PDF's bytes and every compressed stream inflated (the catalog sits in a compressed object stream)."""
    out = [data]
    for m in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[m.end() : m.end() + 2_000_000]))
        except zlib.error:
            continue
    return out


def joined_lines(text: str, alphabet: str) -> str:
    """The lines made only of ``alphabet``'s characters, joined: a long string as it was wrapped over lines and pages,
    without the other cells, headers and footers the extraction puts between its pieces."""
    chars = set(alphabet)
    return "".join(line.strip() for line in text.splitlines() if line.strip() and set(line.strip()) <= chars)


def pdf_tool(tool: str, data: bytes, *args: str) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(data)
        f.flush()
        return subprocess.run([tool, *args, f.name], capture_output=True, check=True).stdout.decode()


@pytest.fixture
def full_case(case, owner):  # noqa: ANN001, ANN201
    ref = save_crime_reference(
        case, owner, None, reference="WMP/20451/26", force="West Midlands Police", officer="PC 2231 Patel", given_on=dt.date(2026, 1, 20)
    )
    save_order(case, owner, None, order_type="restraining", starts_on=dt.date(2026, 2, 1), ends_on=dt.date(2028, 2, 1), conditions="No contact by any means.")
    first = make_incident(
        case,
        owner,
        days_ago=40,
        description="He followed me from the station to my front door.",
        behaviours=["SURV.FOLLOW"],
        channel="in_person",
        location_kind="public",
        location="Station Road",
        witnesses=[{"name": "Sam Jones", "contact": "", "saw": "Saw him behind me"}],
        feelings="Terrified to walk home.",
        impact="I now take a taxi every day.",
        notes="Private: I think my sister told him my shifts.",
        reported=True,
        reported_on=dt.date(2026, 1, 20),
        crime_reference=ref,
    )
    second = make_incident(
        case, owner, days_ago=20, description="Eleven texts overnight asking where I was.", behaviours=["CONT.MSG"], channel="text", how_many=11
    )
    third = make_incident(case, owner, days_ago=10, description="Entered by mistake, it was someone else.", behaviours=["SURV.LOITER"])
    retract_incident(third, owner, "Wrong person: it was a delivery driver.")
    photo = evidence.ingest(
        case,
        owner,
        [b"\x89PNG fake photo bytes for the test"],
        name="doorstep.png",
        details=evidence.Details(description="Photo of the doorstep", incident=first),
    )
    texts = evidence.ingest(
        case, owner, [b"screenshot of eleven texts"], name="texts.txt", details=evidence.Details(description="Screenshot of the texts", incident=second)
    )
    return {"ref": ref, "incidents": [first, second, third], "exhibits": [photo.exhibit, texts.exhibit]}


def test_every_incident_exhibit_hash_and_fact_is_in_the_pdf(case, full_case):  # noqa: ANN001
    info, text, data = render(case, person_name="Alex Example", person_contact="4 Elm Close, Leeds\n07700 900456")
    flat = squash(text)
    for incident in full_case["incidents"]:
        assert squash(incident.description) in flat
        assert re.search(rf"(?m)^{incident.number}$", text), f"incident number {incident.number} missing"
    for exhibit in full_case["exhibits"]:
        exhibit.case = case
        assert exhibit.sha256 in flat
        assert exhibit.reference in text
    assert info.incidents == 3 and info.exhibits == 2
    assert info.sha256 == hashlib.sha256(data).hexdigest() and info.size == len(data)
    # Cover: the person, the suspect, the dates, the crime reference with force and officer, the order.
    for fact in ("Alex Example", "4 Elm Close, Leeds", "07700 900456", "John Bloggs", "Ex-partner", "WMP/20451/26", "West Midlands Police", "PC 2231 Patel"):
        assert squash(fact) in flat, fact
    assert "Restraining order" in text and squash("No contact by any means.") in flat
    assert squash("1 March 2026 at 12:30") in flat  # generation time (UK local time)
    # Retracted: shown, marked, with its reason.
    assert "RETRACTED" in text and squash("Wrong person: it was a delivery driver.") in flat
    # Witnesses, behaviours, reported, the impact section in the person's words.
    assert "Sam Jones" in text and "Followed me" in text and "Reported on" in text
    assert squash("Victim Personal Statement") in flat and squash("I now take a taxi every day.") in flat
    # The s2A(3) examples quoted with the attribution.
    for phrase in ("(a) following a person,", "(g) watching or spying on a person.", "Open Government Licence v3.0", "legislation.gov.uk"):
        assert squash(phrase) in flat, phrase
    # Findings from insights.
    assert "A course of conduct" in text
    # Private notes are left out unless asked for.
    assert "my sister told him" not in text
    # Integrity page.
    case.refresh_from_db()
    assert case.chain_head in flat and "verify_case" in text and squash("sha256sum -c SHA256SUMS") in flat and "verify_bundle" in text
    assert squash(f"{case.chain_seq} (sequence number of the head)") in flat


def test_every_page_has_its_number_and_the_case_reference(case, full_case):  # noqa: ANN001
    info, text, _ = render(case)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) == info.pages > 3
    for n, page in enumerate(pages, 1):
        assert f"Page {n} of {info.pages}" in page
        assert "WMP/20451/26" in page


def test_pdf_a_claimed_fonts_embedded_title_and_language(case, full_case):  # noqa: ANN001
    _, _, data = render(case)
    meta = pdf_tool("pdfinfo", data, "-meta")
    assert "pdfaid:part" in meta and re.search(r"pdfaid:part[^0-9]*3", meta)
    assert re.search(r"pdfaid:conformance[^A-Z]*B", meta)
    info = pdf_tool("pdfinfo", data)
    assert "Title:" in info and "Incident log and evidence summary" in info
    assert b"/Lang (en-GB)" in b"".join(pdf_objects(data))
    fonts = pdf_tool("pdffonts", data).splitlines()[2:]
    assert fonts
    for line in fonts:
        assert "Type 3" not in line
        assert " yes " in line  # embedded


def test_private_notes_only_when_asked(case, full_case):  # noqa: ANN001
    _, text, _ = render(case, include_private_notes=True)
    assert "Private note:" in text and squash("I think my sister told him my shifts.") in squash(text)


def test_date_range_and_incident_choice(case, full_case):  # noqa: ANN001
    first, second, third = full_case["incidents"]
    recent = (timezone.now() - dt.timedelta(days=25)).date()
    info, text, _ = render(case, date_from=recent, include_charts=False)
    assert info.incidents == 2
    assert squash(first.description) not in squash(text)
    assert squash(second.description) in squash(text) and "RETRACTED" in text
    # Exhibits follow the incidents: only the texts' screenshot.
    assert info.exhibits == 1 and "Screenshot of the texts" in text and "Photo of the doorstep" not in text

    info, text, _ = render(case, incident_numbers=(first.number,), include_charts=False)
    assert info.incidents == 1 and squash(first.description) in squash(text) and squash(second.description) not in squash(text)


def test_redacting_contact_details_removes_them_everywhere(case, owner, full_case):  # noqa: ANN001
    make_incident(case, owner, days_ago=5, description="He shouted my address, 4 Elm Close, Leeds, and rang 07700 900456 at 3am.", behaviours=["CONT.VISIT"])
    contact = "4 Elm Close, Leeds\n07700 900456"
    _, text, data = render(case, person_name="Alex Example", person_contact=contact, redact_contact=True)
    flat = squash(text)
    assert squash("4 Elm Close, Leeds") not in flat and "07700900456" not in flat
    assert REDACTED in text and "Withheld at the person's request" in text
    assert "Alex Example" in text
    assert b"Elm Close" not in data  # not in the metadata either
    # Without redaction the same words are there.
    _, text, _ = render(case, person_contact=contact, include_charts=False)
    assert "4 Elm Close, Leeds" in text


def test_empty_case_raises_with_a_clear_message(case):  # noqa: ANN001
    out = io.BytesIO()
    with pytest.raises(EmptyReport, match="There are no incidents in this diary yet"):
        render_pdf(case, ReportOptions(), out, generated_at=GENERATED)
    assert out.getvalue() == b""


def test_choice_matching_nothing_raises_and_says_what_was_chosen(case, owner):  # noqa: ANN001
    make_incident(case, owner, days_ago=3)
    with pytest.raises(EmptyReport) as caught:
        render_pdf(case, ReportOptions(date_from=dt.date(2001, 1, 1), date_to=dt.date(2001, 1, 31)), io.BytesIO(), generated_at=GENERATED)
    assert "1 January 2001" in caught.value.message and "31 January 2001" in caught.value.message
    with pytest.raises(EmptyReport, match="incident numbers 99"):
        render_pdf(case, ReportOptions(incident_numbers=(99,)), io.BytesIO(), generated_at=GENERATED)


# Words without pre-base vowel signs: pdftotext gives Indic text in visual order, so "दुनिया" comes out as
# "दु नया" even though it is drawn correctly. The words below extract as typed.
SCRIPTS = {
    "Latin": "Zoë Brontë, façade déjà vu",
    "Greek": "Καλημέρα κόσμε",
    "Cyrillic": "Привет, мир",
    "Arabic": "مرحبا بالعالم",
    "Hebrew": "שלום עולם",
    "Devanagari": "नमस्ते भारत",
    "Bengali": "বাংলা ভাষা",
    "Tamil": "வணக்கம் உலகம்",
    "Thai": "สวัสดีชาวโลก",
    "Chinese": "你好世界",
    "Japanese": "こんにちは世界",
}
KOREAN = "안녕하세요 세계"


def test_long_text_every_script_and_markup_are_printed_whole_and_fetch_nothing(case, owner):  # noqa: ANN001
    unbroken = "".join("q" if (i * i + i // 3) % 5 < 2 else "z" for i in range(5000))
    url = "https://example.org/" + "a" * 160 + "?q=" + "b" * 110  # 293 characters: the longest place the diary accepts is 300
    hostile = '<script>alert(1)</script> <img src="http://127.0.0.1:9/x.png"> <link rel=stylesheet href=http://127.0.0.1:9/s.css>'
    make_incident(case, owner, days_ago=4, description=unbroken, behaviours=["CONT.MSG"])
    make_incident(case, owner, days_ago=3, description="A link he sent", location=url, behaviours=["CONT.MSG"])
    make_incident(case, owner, days_ago=2, description=" / ".join(SCRIPTS.values()) + " 😀 " + KOREAN, feelings="Σε φοβάμαι. 我很害怕。")
    make_incident(case, owner, days_ago=1, description=hostile, witnesses=[{"name": "<b>bold</b>", "contact": "", "saw": "x"}])
    case.suspect_name = "Ŋ" * 600
    case.save()
    info, text, data = render(case, person_name="<i>Name</i> " + "W" * 300)
    flat = squash(text)
    assert unbroken in joined_lines(text, "qz")  # the whole 5 000-character string, in order, nothing cut off
    assert url in joined_lines(text, "htps:/exampl.orgq?=b")
    assert "Ŋ" * 600 in flat and "W" * 300 in flat
    for script, sample in SCRIPTS.items():
        for word in sample.split():
            assert squash(word.strip(",")) in flat, f"{script}: {word} missing"
    assert "😀" in flat
    assert squash(KOREAN) in flat  # make test installs fonts-nanum (Droid Sans Fallback has only a few syllables)
    assert "<script>alert(1)</script>" in text
    assert squash('<img src="http://127.0.0.1:9/x.png">') in flat and squash("<link rel=stylesheet href=http://127.0.0.1:9/s.css>") in flat
    assert "<i>Name</i>" in text and "<b>bold</b>" in text
    assert info.refused_urls == ()
    fonts = pdf_tool("pdffonts", data)
    assert "Type 3" not in fonts
    families = fonts.lower()
    for family in ("noto-sans-arabic", "noto-sans-hebrew", "noto-sans-devanagari", "noto-sans-bengali", "noto-sans-tamil", "noto-sans-thai", "droid"):
        assert family in families, family


def test_the_fetcher_refuses_everything_but_its_own_files():
    fetcher = LocalOnlyFetcher()
    for url in ("http://example.org/x.png", "https://example.org/a.css", "file:///etc/passwd", "ftp://example.org/f"):
        with pytest.raises(ValueError, match="does not fetch anything"):
            fetcher(url)
    assert len(fetcher.refused) == 4
    fetched = fetcher("data:text/plain,hello")
    assert (fetched.get("string") or fetched["file_obj"].read()) == b"hello"
    # Real markup asking for remote resources (as if escaping had failed) is refused, and nothing is fetched.
    html = '<html lang="en"><head><title>t</title><link rel="stylesheet" href="http://127.0.0.1:9/a.css"></head><body><img src="http://127.0.0.1:9/x.png"><p>ok</p></body></html>'
    fetcher = LocalOnlyFetcher()
    pages, _, size, used = write_html_pdf(html, io.BytesIO(), fetcher=fetcher)
    assert pages == 1 and size > 0
    assert "http://127.0.0.1:9/x.png" in used.refused and "http://127.0.0.1:9/a.css" in used.refused


def test_progress_is_reported_in_stages(case, full_case):  # noqa: ANN001
    calls: list[tuple[str, int, int]] = []
    render_pdf(case, ReportOptions(), io.BytesIO(), generated_at=GENERATED, progress=lambda s, d, t: calls.append((s, d, t)))
    stages = [s for s, _, _ in calls]
    for stage in ("Writing the chronology", "Working out the pattern", "Listing the exhibits", "Laying out the pages", "Writing the PDF file"):
        assert stage in stages, stage
    assert all(0 <= d <= t for _, d, t in calls)
    assert ("Writing the chronology", 3, 3) in calls and calls[-1] == ("Writing the PDF file", 1, 1)


def test_impact_entries_in_the_persons_words(case, full_case):  # noqa: ANN001
    first = full_case["incidents"][0]
    entries = gather_impact(case, ReportOptions())
    assert [(e.number, e.feelings, e.effect) for e in entries] == [(first.number, "Terrified to walk home.", "I now take a taxi every day.")]
    redacted = gather_impact(case, ReportOptions(person_contact="taxi every day", redact_contact=True))
    assert redacted[0].effect == f"I now take a {REDACTED}."


def test_behaviours_grouped_under_the_statutes_examples():
    groups, other = law.group_by_s2a([(1, ["SURV.FOLLOW"]), (2, ["CONT.VISIT"]), (3, ["THRT.KILL", "CONT.MSG"]), (4, ["CONT.MSG"])])
    by = {g.letter: g for g in groups}
    assert [g.letter for g in groups] == list("abcdefg")
    assert by["a"].numbers == [1] and by["b"].numbers == [2, 3, 4] and by["e"].numbers == [2]
    assert by["g"].numbers == [] and other.numbers == [3]
    assert law.number_ranges([5, 1, 2, 3, 9, 10]) == "1\u20133, 5, 9, 10"
    assert "Open Government Licence v3.0" in law.s2a().attribution
