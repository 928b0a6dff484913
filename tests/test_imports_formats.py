"""Format parsers and detection: every format and variant against the synthetic ground truth, and bad input."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import Counter

import pytest

from imports import synthetic
from imports.formats import FORMATS, detect, mail, messenger, open_parser, sms_xml, summarise, telegram, whatsapp
from imports.records import ImportFormatError, ParseOptions, ParseWarning, Record
from imports.synthetic import WhatsAppStyle


def run(sample: synthetic.Sample, options: ParseOptions | None = None) -> tuple[str, list[Record], list[ParseWarning]]:
    module, items = open_parser(io.BytesIO(sample.data), sample.name, options)
    items = list(items)
    return module.FORMAT, [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, ParseWarning)]


def check(records: list[Record], expected: synthetic.Expected, *, texts: bool = True) -> None:
    assert expected.records is not None
    assert len(records) == len(expected.records)
    for got, want in zip(records, expected.records, strict=True):
        assert got.kind == want.kind, (got, want)
        assert got.local_time == want.local_time, (got, want)
        assert got.sender == want.sender, (got, want)
        assert got.system == want.system, (got, want)
        if want.utc_time is not None:
            assert got.utc_time == want.utc_time
        if want.call_kind:
            assert got.call_kind == want.call_kind, (got, want)
        if want.call_seconds is not None:
            assert got.call_seconds == want.call_seconds, (got, want)
        if want.attachments:
            assert tuple(a.name for a in got.attachments) == want.attachments
        if texts:
            assert got.text == want.text, (got, want)
    summary = summarise(records)
    assert summary.messages == expected.messages
    assert summary.calls == expected.calls
    assert summary.system == expected.system
    assert {p.name: p.messages + p.calls for p in summary.participants} == dict(+expected.senders)
    assert summary.first == expected.first and summary.last == expected.last


WHATSAPP_STYLES = {
    "android-24h-dmy": WhatsAppStyle(),
    "android-12h-nnbsp-mdy": WhatsAppStyle(clock=12, order="mdy", year_digits=2, pad=False),
    "android-12h-lower-space": WhatsAppStyle(clock=12, ampm_space=" ", lower_ampm=True),
    "android-dotted-2digit-de": WhatsAppStyle(sep=".", year_digits=2, locale="de"),
    "android-czech-no-comma": WhatsAppStyle(sep=".", year_digits=2, no_comma=True),
    "android-iso": WhatsAppStyle(order="ymd", sep="-"),
    "android-mid-boms-crlf": WhatsAppStyle(mid_boms=True, crlf=True),
    "android-utf16": WhatsAppStyle(encoding="utf-16", bom=False),
    "ios-us-12h": WhatsAppStyle(os="ios", clock=12, order="mdy", year_digits=2, pad=False, crlf=True, lrm=True),
    "ios-uk-24h": WhatsAppStyle(os="ios", lrm=True, crlf=True),
    "ios-no-lrm-12h-nospace": WhatsAppStyle(os="ios", clock=12, ampm_space="", order="dmy"),
    "ios-de-dotted": WhatsAppStyle(os="ios", sep=".", locale="de", lrm=True),
}


@pytest.mark.parametrize("variant", list(WHATSAPP_STYLES))
def test_whatsapp_variants_match_ground_truth(variant):
    sample = synthetic.whatsapp(120, style=WHATSAPP_STYLES[variant], seed=list(WHATSAPP_STYLES).index(variant))
    fmt, records, warnings = run(sample)
    assert fmt == "whatsapp"
    check(records, sample.expected)
    assert not [w for w in warnings if "long" in w.message or "not valid" in w.message]
    # Media, calls, deleted messages are recognised, not just counted as text.
    assert any(r.kind == "call" and r.call_kind == "missed" for r in records)
    assert any(r.extra.get("media_omitted") for r in records)
    assert any(r.extra.get("deleted") for r in records)
    assert any("\n" in r.text for r in records)


def test_whatsapp_zip_matches_attachments_with_their_sizes():
    sample = synthetic.whatsapp(150, style=WhatsAppStyle(os="ios", lrm=True), zipped=True)
    fmt, records, _ = run(sample)
    assert fmt == "whatsapp"
    check(records, sample.expected)
    attached = [a for r in records for a in r.attachments]
    assert attached and all(a.size for a in attached)


def test_whatsapp_day_month_order_decided_from_the_whole_file():
    # 400 lines where every date could be either way, then one that settles it (day 13 => day first).
    lines = [f"0{1 + i % 9}/0{1 + i % 9}/2024, 10:{i % 60:02d} - Alex: msg {i}" for i in range(400)]
    lines.append("13/01/2024, 09:00 - Alex: settles it")
    lines.insert(5, "02/01/2024, 09:00 - Alex: second of January")
    records = [r for r in whatsapp.parse(io.BytesIO("\n".join(lines).encode()), ParseOptions()) if isinstance(r, Record)]
    assert records[5].local_time == dt.datetime(2024, 1, 2, 9, 0)
    assert records[-1].local_time == dt.datetime(2024, 1, 13, 9, 0)
    # The same file month-first (01/13/2024) flips every date.
    lines[-1] = "01/13/2024, 09:00 - Alex: settles it"
    records = [r for r in whatsapp.parse(io.BytesIO("\n".join(lines).encode()), ParseOptions()) if isinstance(r, Record)]
    assert records[5].local_time == dt.datetime(2024, 2, 1, 9, 0)


def test_whatsapp_ambiguous_dates_warn_and_follow_the_persons_choice():
    text = "01/02/2024, 10:00 - Alex: one\n03/02/2024, 10:00 - Alex: two\n"
    items = list(whatsapp.parse(io.BytesIO(text.encode()), ParseOptions()))
    warning = [i for i in items if isinstance(i, ParseWarning)]
    assert warning and "day-first" in warning[0].message
    assert items[-1].local_time == dt.datetime(2024, 2, 3, 10, 0)
    items = list(whatsapp.parse(io.BytesIO(text.encode()), ParseOptions(day_first=False)))
    assert [i.local_time for i in items if isinstance(i, Record)] == [dt.datetime(2024, 1, 2, 10), dt.datetime(2024, 3, 2, 10)]
    assert not [i for i in items if isinstance(i, ParseWarning)]


def test_whatsapp_twelve_hour_edges_and_narrow_space():
    text = "\ufeff[12/03/2024, 12:00:01\u202fAM] Alex: midnight\n[12/03/2024, 12:30:00\u202fpm] Alex: noon\n[13/03/2024, 11:59:59 p.m.] Alex: late\n"
    records = [r for r in whatsapp.parse(io.BytesIO(text.encode()), ParseOptions()) if isinstance(r, Record)]
    assert [r.local_time.time() for r in records] == [dt.time(0, 0, 1), dt.time(12, 30), dt.time(23, 59, 59)]


def test_whatsapp_system_messages_and_thai_calendar():
    text = (
        "12/03/2024, 21:05 - Messages and calls are end-to-end encrypted. No one outside of this chat can read them.\n"
        '12/03/2024, 21:06 - Alex changed the subject from "a: b" to "c"\n'
        "[3/18/2567 BE, 14:56:01] Alex: Thai year\n"
    )
    records = [r for r in whatsapp.parse(io.BytesIO(text.encode()), ParseOptions()) if isinstance(r, Record)]
    assert [r.system for r in records] == [True, True, False]
    assert records[2].local_time == dt.datetime(2024, 3, 18, 14, 56, 1)


def test_whatsapp_long_line_cut_with_warning_naming_the_line():
    text = "12/03/2024, 21:05 - Alex: start\n" + "x" * 300_000 + "\n13/03/2024, 21:05 - Alex: after\n"
    items = list(whatsapp.parse(io.BytesIO(text.encode()), ParseOptions(max_line_chars=1000)))
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    records = [i for i in items if isinstance(i, Record)]
    assert len(records) == 2 and records[1].text == "after"
    assert len(records[0].text) == len("start\n") + 1000
    assert any(w.where == "line 2" and "too long" in w.message for w in warnings)


def test_whatsapp_invalid_bytes_replaced_with_warning():
    # Valid UTF-8 at the start, a bad byte far in: replaced, and the warning names the line.
    data = "13/03/2024, 21:05 - Alex: café\n".encode() * 500 + b"13/03/2024, 21:06 - Alex: bad \xff byte\n"
    items = list(whatsapp.parse(io.BytesIO(data), ParseOptions()))
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    assert len(warnings) == 1 and "not valid UTF-8" in warnings[0].message and warnings[0].where == "first at line 501"
    assert [i.text for i in items if isinstance(i, Record)][-1] == "bad \ufffd byte"
    # A file that is not UTF-8 from the start is read as Windows-1252, with a warning.
    data = "13/03/2024, 21:05 - Alex: café\n".encode("cp1252")
    items = list(whatsapp.parse(io.BytesIO(data), ParseOptions()))
    assert [i.text for i in items if isinstance(i, Record)] == ["café"]
    assert "Windows-1252" in items[0].message


def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=method)
    return out.getvalue()


def test_zip_bomb_and_path_tricks_refused():
    chat = b"12/03/2024, 21:05 - Alex: hi\n"
    bomb = _zip({"_chat.txt": chat, "big.bin": b"\0" * (50 << 20)})
    with pytest.raises(ImportFormatError, match="zip bomb") as info:
        list(whatsapp.parse(io.BytesIO(bomb), ParseOptions()))
    assert "big.bin" in str(info.value)
    for name in ("../../etc/passwd", "/abs/x.jpg", "C:/x.jpg", "a\\..\\b.jpg"):
        with pytest.raises(ImportFormatError, match="unsafe name"):
            list(whatsapp.parse(io.BytesIO(_zip({"_chat.txt": chat, name: b"x"})), ParseOptions()))
    with pytest.raises(ImportFormatError, match="no WhatsApp chat"):
        list(whatsapp.parse(io.BytesIO(_zip({"photo.jpg": b"x"})), ParseOptions()))
    with pytest.raises(ImportFormatError, match="damaged"):
        list(whatsapp.parse(io.BytesIO(bomb[: len(bomb) // 2]), ParseOptions()))


def test_zip_member_larger_than_its_header_is_stopped():
    chat = b"12/03/2024, 21:05 - Alex: hi\n" * 1000
    data = bytearray(_zip({"_chat.txt": chat}, method=zipfile.ZIP_DEFLATED))
    # Lie about the uncompressed size in the central directory (and the local header).
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("_chat.txt")
    size = len(chat).to_bytes(4, "little")
    small = (100).to_bytes(4, "little")
    data = bytes(data).replace(size, small)
    assert info.file_size == len(chat)
    with pytest.raises(ImportFormatError):
        list(whatsapp.parse(io.BytesIO(data), ParseOptions()))


# ------------------------------------------------------------------------------------------------ SMS XML


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_sms_xml_with_mms_and_emoji_surrogates(encoding):
    sample = synthetic.sms_xml(60, encoding=encoding)
    fmt, records, warnings = run(sample)
    assert fmt == "sms_xml"
    check(records, sample.expected)
    assert not warnings
    assert any("😡" in r.text for r in records)
    mms = [r for r in records if r.channel == "mms"]
    assert mms and all(r.attachments and r.attachments[0].media_type == "image/jpeg" for r in mms)
    assert {r.direction for r in records} == {"in", "out"}


def test_sms_xml_truncated_file_keeps_everything_before_with_warning():
    sample = synthetic.sms_xml(50, truncate=True)
    _, records, warnings = run(sample)
    check(records, sample.expected)
    assert len(warnings) == 1
    assert "stops part-way through (after 49 records, near byte" in warnings[0].message
    assert warnings[0].where.startswith("line ")


def test_calls_xml_every_type_withheld_and_clock_change():
    sample = synthetic.calls_xml(40)
    fmt, records, _ = run(sample)
    assert fmt == "sms_xml"
    check(records, sample.expected, texts=False)
    assert {r.call_kind for r in records} == {"incoming", "outgoing", "missed", "voicemail", "rejected", "blocked"}
    assert any(r.sender == "Withheld number" for r in records)
    # 31 March 2024 01:00 UTC is 02:00 BST: local times jump an hour.
    assert any(r.utc_time.hour == 1 and r.local_time.hour == 2 and r.utc_time.date() == dt.date(2024, 3, 31) for r in records) or all(
        r.local_time == r.utc_time.astimezone(synthetic.LONDON).replace(tzinfo=None) for r in records
    )


def test_xml_entity_bomb_refused_before_expansion():
    with pytest.raises(ImportFormatError, match="declares its own document type"):
        list(sms_xml.parse(io.BytesIO(synthetic.xml_entity_bomb()), ParseOptions()))
    external = b'<?xml version="1.0"?><!DOCTYPE smses SYSTEM "http://example.org/x.dtd"><smses count="0"></smses>'
    with pytest.raises(ImportFormatError, match="declares its own document type"):
        list(sms_xml.parse(io.BytesIO(external), ParseOptions()))


def test_sms_xml_corrupt_middle_and_wrong_root():
    good = synthetic.sms_xml(20, mms_every=0).data
    cut = good.index(b"<sms", len(good) // 2)
    broken = good[:cut] + b"<sms <<< >\n" + good[cut:]
    items = list(sms_xml.parse(io.BytesIO(broken), ParseOptions()))
    warnings = [i for i in items if isinstance(i, ParseWarning)]
    assert warnings and "damaged" in warnings[0].message and warnings[0].where.startswith("line ")
    assert 0 < len([i for i in items if isinstance(i, Record)]) < 20
    with pytest.raises(ImportFormatError, match="main element is <html>"):
        list(sms_xml.parse(io.BytesIO(b"<html><body/></html>"), ParseOptions()))
    with pytest.raises(ImportFormatError, match="not valid XML"):
        list(sms_xml.parse(io.BytesIO(b"hello, not xml"), ParseOptions()))


# ------------------------------------------------------------------------------------------------ JSON formats


def test_telegram_single_chat():
    sample = synthetic.telegram(80)
    fmt, records, warnings = run(sample, ParseOptions(account_owner="Pat Doe"))
    assert fmt == "telegram" and not warnings
    check(records, sample.expected)
    assert all(r.source_id.startswith("4001:") for r in records)
    assert {r.direction for r in records if not r.system} == {"in", "out"}


def test_telegram_whole_account_streams_every_chat():
    sample = synthetic.telegram(60, whole_account=True, chats=4)
    fmt, records, _ = run(sample)
    assert fmt == "telegram"
    check(records, sample.expected)
    assert len({r.extra["chat"] for r in records}) == 4


def test_telegram_truncated_and_invalid():
    data = synthetic.telegram(30).data
    with pytest.raises(ImportFormatError, match="stops part-way through|not valid JSON"):
        list(telegram.parse(io.BytesIO(data[: len(data) // 2]), ParseOptions()))
    with pytest.raises(ImportFormatError, match="not a Telegram export"):
        list(telegram.parse(io.BytesIO(b'{"name": "x", "other": [1, 2]}'), ParseOptions()))


@pytest.mark.parametrize("mojibake", [True, False])
def test_messenger_repairs_mis_encoded_text(mojibake):
    sample = synthetic.messenger(60, mojibake=mojibake)
    assert (b"\\u00c3" in sample.data) is mojibake
    fmt, records, _ = run(sample)
    assert fmt == "messenger"
    check(records, sample.expected)
    assert any(r.sender == "Zoë Brontë 🌸" for r in records)
    assert any(r.extra.get("reactions") == "😢 Pat Doe" for r in records)


def test_instagram_detected_by_name_and_channel():
    sample = synthetic.messenger(20, instagram=True)
    fmt, records, _ = run(sample)
    assert fmt == "instagram" and {r.channel for r in records} == {"instagram"}
    check(records, sample.expected)
    assert messenger.fix_text("caf\u00c3\u00a9 \u00f0\u009f\u0098\u0082") == "café 😂"
    assert messenger.fix_text("café") == "café"


# ------------------------------------------------------------------------------------------------ e-mail and CSV


def test_eml_and_mbox():
    sample = synthetic.eml()
    fmt, records, _ = run(sample)
    assert fmt == "email"
    check(records, sample.expected, texts=False)
    sample = synthetic.mbox(40)
    fmt, records, warnings = run(sample)
    assert fmt == "email" and not warnings
    check(records, sample.expected, texts=False)
    for got, want in zip(records, sample.expected.records, strict=True):
        assert got.text.startswith(want.text)
        assert "From here on" in got.text and ">From quoted" in got.text
        assert "<p>" not in got.text and "x()" not in got.text
    assert all(r.source_id.startswith("<msg") for r in records)


def test_email_invalid_date_falls_back_to_received():
    data = (
        b"Received: from mx.example.net by mx.example.org; Tue, 12 Mar 2024 21:05:33 +0000\n"
        b"From: Alex <alex@example.net>\nTo: pat@example.org\nDate: Tue, 12 Mar 2024 27:99:00 +0000\nSubject: hi\n\nbody\n"
    )
    items = list(mail.parse(io.BytesIO(data), ParseOptions()))
    record = [i for i in items if isinstance(i, Record)][0]
    assert record.utc_time == dt.datetime(2024, 3, 12, 21, 5, 33, tzinfo=dt.UTC)
    assert any(isinstance(i, ParseWarning) and "Received" not in i.message and "mail server" in i.message for i in items)


@pytest.mark.parametrize("options", [{}, {"bom": False, "uk_dates": True}, {"delimiter": ";"}, {"encoding": "utf-16"}])
def test_csv_variants(options):
    sample = synthetic.csv_generic(40, **options)
    fmt, records, warnings = run(sample)
    assert fmt == "csv" and not warnings
    check(records, sample.expected)
    assert {r.channel for r in records} == {"phone", "instagram"}


def test_csv_bad_rows_named_and_missing_columns():
    data = b"date,time,from,to,channel,text\n2024-03-12,21:05,Alex,Pat,sms,hi\n31/02/2024,10:00,Alex,Pat,sms,bad\n"
    items = list(FORMATS["csv"].parse(io.BytesIO(data), ParseOptions()))
    assert [i.text for i in items if isinstance(i, Record)] == ["hi"]
    assert [i.where for i in items if isinstance(i, ParseWarning)] == ["line 3"]
    with pytest.raises(ImportFormatError, match="missing: time"):
        list(FORMATS["csv"].parse(io.BytesIO(b"date,from,text\n2024-01-01,a,b\n"), ParseOptions()))


# ------------------------------------------------------------------------------------------------ detection


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "chat.txt", "This file is empty."),
        (b"\n\n  \n", "chat.txt", "This file is empty."),
        (b"%PDF-1.7\n...", "statement.pdf", "This looks like a PDF document, not a chat export. Daybook can read: WhatsApp"),
        (b"\x89PNG\r\n\x1a\n\0\0", "screenshot.png", "PNG picture"),
        (b"SQLite format 3\0" + b"\0" * 100, "msgstore.db", "database file"),
        (bytes(range(256)) * 20, "x.bin", "binary data"),
        (b"Dear diary, today nothing happened.\n", "notes.txt", "does not recognise this file"),
        (b"<!DOCTYPE html><html><body>Telegram</body></html>", "messages.html", "Telegram's HTML export"),
    ],
)
def test_detect_refuses_with_a_clear_sentence(data, name, message):
    with pytest.raises(ImportFormatError) as info:
        detect(data, name)
    assert message in str(info.value)


def test_detect_every_synthetic_format():
    samples = {
        "whatsapp": synthetic.whatsapp(5),
        "sms_xml": synthetic.calls_xml(3),
        "telegram": synthetic.telegram(5, whole_account=True),
        "messenger": synthetic.messenger(5),
        "instagram": synthetic.messenger(5, instagram=True),
        "email": synthetic.mbox(2),
        "csv": synthetic.csv_generic(3),
        "signal": synthetic.signal_export(5),
    }
    for fmt, sample in samples.items():
        assert detect(sample.data[:65536], sample.name).FORMAT == fmt
    assert detect(synthetic.whatsapp(5, zipped=True).data, "chat.zip").FORMAT == "whatsapp"
    assert detect(synthetic.whatsapp(5, style=WhatsAppStyle(encoding="utf-16")).data, "chat.txt").FORMAT == "whatsapp"
    assert set(samples) == set(FORMATS)


def test_summary_counts_participants():
    sample = synthetic.whatsapp(200)
    _, items = open_parser(io.BytesIO(sample.data), sample.name)
    summary = summarise(items)
    assert summary.records == sample.expected.messages + sample.expected.calls
    assert Counter({p.name: p.messages + p.calls for p in summary.participants}) == +sample.expected.senders
    assert summary.participants[0].messages + summary.participants[0].calls == max(sample.expected.senders.values())


def _peak(path, name) -> tuple[int, int]:
    import tracemalloc

    tracemalloc.start()
    try:
        with open(path, "rb") as f:
            _, items = open_parser(f, name)
            count = sum(1 for i in items if isinstance(i, Record))
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_parsers_stream_with_bounded_memory(tmp_path):
    # An SMS backup several times larger than the memory its parse may use.
    path = tmp_path / "sms.xml"
    expected = synthetic.write_sms_xml(path, 15_000)
    count, peak = _peak(path, "sms.xml")
    assert count == expected.total
    assert peak < 4 << 20 < path.stat().st_size
    # A chat of long messages: memory follows one message and one chunk, not the file.
    path = tmp_path / "chat.txt"
    line = "13/03/2024, 21:05 - Alex: " + "word " * 400 + "\n"
    path.write_bytes(line.encode() * 4000)
    count, peak = _peak(path, "chat.txt")
    assert count == 4000
    assert peak < 6 << 20 < path.stat().st_size


def test_telegram_big_value_refused_not_buffered_forever():
    from imports.formats import _json

    data = b'{"name": "x", "messages": [{"id": 1, "type": "message", "date": "2024-01-01T10:00:00", "text": "' + b"a" * 300_000 + b'"}]}'
    stream = _json.JsonStream(io.BytesIO(data), max_value_chars=100_000)
    with pytest.raises(ImportFormatError, match="larger than Daybook accepts"):
        for key in stream.object():
            if key == "messages":
                for _ in stream.array():
                    stream.load()
            else:
                stream.skip()
    # The default limit reads it.
    records = [r for r in telegram.parse(io.BytesIO(data), ParseOptions()) if isinstance(r, Record)]
    assert len(records[0].text) == 300_000
