"""The failure classes seen on real people's exports (issue 12), each as a synthetic export with record-by-record
expectations: right-to-left marks, empty and view-once WhatsApp messages, impossible 12-hour times, no final newline,
Signal exports, Instagram without participants, e-mails without dates and with multipart text, Telegram local-only
times, SMS counts that do not match, damaged MMS data; and counts that never include system lines."""

from __future__ import annotations

import io

import pytest

from imports import synthetic
from imports.formats import open_parser, summarise
from imports.records import ParseOptions, ParseWarning, Record
from imports.synthetic import WhatsAppStyle
from tests.test_imports_formats import check

MARKS = ("\u200e", "\u200f", "\u061c", "\ufeff")


def run(sample: synthetic.Sample, options: ParseOptions | None = None) -> tuple[str, list[Record], list[ParseWarning]]:
    module, items = open_parser(io.BytesIO(sample.data), sample.name, options)
    items = list(items)
    return module.FORMAT, [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, ParseWarning)]


def no_marks(records: list[Record]) -> None:
    for r in records:
        for value in (r.text, r.sender, *(a.name for a in r.attachments)):
            assert not any(m in value for m in MARKS), r


RTL_STYLES = {
    "android-24h": WhatsAppStyle(rtl=True, odd=True),
    "android-12h-no-final-newline": WhatsAppStyle(rtl=True, odd=True, clock=12, final_newline=False),
    "ios-24h-lrm": WhatsAppStyle(os="ios", rtl=True, odd=True, lrm=True),
    "ios-12h-crlf": WhatsAppStyle(os="ios", rtl=True, odd=True, clock=12, crlf=True, final_newline=False),
    "android-dotted-no-final-newline": WhatsAppStyle(rtl=True, sep=".", year_digits=2, final_newline=False),
}


@pytest.mark.parametrize("variant", list(RTL_STYLES))
def test_whatsapp_right_to_left_locale_and_odd_bodies(variant):
    style = RTL_STYLES[variant]
    sample = synthetic.whatsapp(90, style=style, seed=len(variant))
    assert "\u200f" in sample.data.decode("utf-8") and "\u060c" in sample.data.decode("utf-8")
    fmt, records, warnings = run(sample)
    assert fmt == "whatsapp"
    check(records, sample.expected)
    no_marks(records)
    assert not any(m in w.message for w in warnings for m in MARKS)
    if style.odd:
        empty = [r for r in records if r.text == "" and not r.attachments and r.kind == "message"]
        assert empty and all(r.sender and not r.system for r in empty)  # empty messages keep their sender
        view_once = [r for r in records if r.extra.get("view_once")]
        assert view_once and all(r.text == "" for r in view_once)
        assert not any(r.text == "null" for r in records)
    odd_lines = [r.position for r in records if r.local_time.hour == 13 and "AM" in r.extra["raw_time"]]
    assert bool(odd_lines) == (style.odd and style.clock == 12)
    clock_warnings = [w for w in warnings if "impossible on a 12-hour clock" in w.message]
    assert [w.where for w in clock_warnings] == odd_lines
    if style.os == "ios":
        assert any(r.extra.get("media_omitted") and r.text == "document omitted" for r in records)


def test_whatsapp_direction_marks_inside_dates_are_not_refused():
    data = (
        "\u200f[\u200f12\u200f/\u200f03\u200f/2024\u060c 21:05:33] \u200fسارة: \u200fمرحبا\n"
        "[\u200f13\u200f/03/2024\u060c 9:05:00] Jo: \u200eIMG-1.jpg (file attached)"
    ).encode()
    fmt, records, _ = run(synthetic.Sample("chat.txt", data, synthetic.Expected()))
    assert fmt == "whatsapp"
    assert [(r.sender, r.text, r.local_time.day) for r in records] == [("سارة", "مرحبا", 12), ("Jo", "IMG-1.jpg (file attached)", 13)]
    assert records[1].attachments[0].name == "IMG-1.jpg"


@pytest.mark.parametrize(("form", "old"), [("md", False), ("md", True), ("jsonl", False), ("json", False)])
def test_signal_exports_read_as_signal(form, old):
    sample = synthetic.signal_export(60, form=form, old_dates=old, seed=11)
    fmt, records, warnings = run(sample)
    assert fmt == "signal" and not warnings
    check(records, sample.expected)
    assert {r.channel for r in records} == {"signal"}
    assert all(r.direction == ("out" if r.sender == "Me" else "in") for r in records)
    assert any(r.extra.get("deleted") for r in records)
    assert any(r.extra.get("reactions") == "Me: 👍" for r in records)
    if form != "md":
        assert any(r.kind == "call" and r.call_kind == "missed" for r in records)


def test_signal_text_is_never_labelled_whatsapp_and_whatsapp_is_not_signal():
    signal = synthetic.signal_export(5)
    assert run(synthetic.Sample("export.txt", signal.data, signal.expected))[0] == "signal"  # seconds, no comma: Signal's shape
    iso_whatsapp = synthetic.whatsapp(20, style=WhatsAppStyle(os="ios", order="ymd", sep="-"))
    assert run(iso_whatsapp)[0] == "whatsapp"


def test_instagram_without_participants_detected_from_its_messages():
    sample = synthetic.messenger(30, instagram=True, participants=False, seed=8)
    fmt, records, warnings = run(sample)
    assert fmt == "instagram" and not warnings
    check(records, sample.expected)
    assert {r.channel for r in records} == {"instagram"}


def test_meta_export_that_does_not_say_which_service_is_read_with_a_warning():
    sample = synthetic.messenger(10, participants=False)
    fmt, records, warnings = run(sample)
    assert fmt == "messenger"
    check(records, sample.expected)
    assert any("does not say whether it came from Facebook Messenger or Instagram" in w.message for w in warnings)


def test_mbox_without_dates_falls_back_to_the_from_line():
    sample = synthetic.undated_mbox()
    fmt, records, warnings = run(sample)
    assert fmt == "email"
    check(records, sample.expected)
    assert all(r.time_known and r.utc_time is None for r in records)
    assert [w.where for w in warnings] == [r.position for r in records]
    assert all("From line was used" in w.message for w in warnings)


def test_eml_without_any_date_is_kept_with_its_date_unknown():
    sample = synthetic.undated_eml()
    fmt, records, warnings = run(sample)
    assert fmt == "email" and len(records) == 1
    record = records[0]
    assert not record.time_known and record.extra["date_unknown"] == "1"
    assert record.sender == "Alex Smith <alex@example.net>" and record.text == "Subject: you\n\nI'm outside"
    assert len(warnings) == 1 and "no readable date" in warnings[0].message and warnings[0].where == "the e-mail"
    summary = summarise(records)
    assert summary.messages == 1 and summary.undated == 1 and summary.first is None


def test_every_text_part_of_a_multipart_email_is_text():
    sample = synthetic.multipart_eml()
    fmt, records, warnings = run(sample)
    assert fmt == "email" and not warnings
    check(records, sample.expected)
    assert [(a.name, a.media_type, a.size) for a in records[0].attachments] == [("car.jpg", "image/jpeg", 6)]


def test_telegram_local_only_times_are_named_in_a_clock_warning():
    sample = synthetic.telegram(20, local_only=True, whole_account=True, chats=2)
    fmt, records, warnings = run(sample)
    assert fmt == "telegram"
    check(records, sample.expected)
    assert all(r.utc_time is None for r in records)
    clock = [w for w in warnings if "only the exporting computer's clock time" in w.message]
    assert len(clock) == 1 and "40 message(s)" in clock[0].message and clock[0].where == "first at chat 'Alex Smith', message id 40010001"


def test_sms_count_that_does_not_match_and_damaged_mms_data():
    sample = synthetic.sms_xml(12, mms_every=3, declared=15, bad_base64=True)
    fmt, records, warnings = run(sample)
    assert fmt == "sms_xml"
    check(records, sample.expected)
    texts = [w.message for w in warnings]
    assert any("says it holds 15 records but 12 were found" in t for t in texts)
    damaged = [w for w in warnings if "not valid base64" in w.message]
    assert len(damaged) == 1 and damaged[0].where.startswith("mms at line")
    sizes = [r.attachments[0].size for r in records if r.channel == "mms"]
    assert sizes[0] is None and all(s == 48 for s in sizes[1:])  # the real decoded size, never a guess


@pytest.mark.parametrize(
    "sample",
    [
        synthetic.whatsapp(150, style=WhatsAppStyle(rtl=True, odd=True)),
        synthetic.whatsapp(80, style=WhatsAppStyle(os="ios")),
        synthetic.telegram(50, whole_account=True),
    ],
    ids=["whatsapp-rtl", "whatsapp-ios", "telegram"],
)
def test_counts_never_include_system_lines(sample):
    _, records, _ = run(sample)
    summary = summarise(records)
    assert summary.system == sample.expected.system > 0
    assert sum(p.messages for p in summary.participants) == summary.messages == sample.expected.messages
    assert sum(p.calls for p in summary.participants) == summary.calls == sample.expected.calls
    assert summary.records == len(records) - summary.system


def test_make_record_is_the_same_record_as_the_dataclass():
    import datetime as dt

    from imports.records import make_record

    when = dt.datetime(2024, 3, 12, 21, 5)
    fast = make_record(kind="message", channel="whatsapp", local_time=when, sender="Jo", text="hi", position="line 1")
    slow = Record(kind="message", channel="whatsapp", local_time=when, sender="Jo", text="hi", position="line 1")
    assert fast == slow and fast.extra == {} and fast.extra is not make_record(kind="call", channel="x", local_time=when, sender="").extra
    with pytest.raises(TypeError, match="needs local_time"):
        make_record(kind="message", channel="whatsapp", sender="Jo")
    with pytest.raises(AttributeError):
        fast.text = "changed"  # still frozen
