"""Fuzzing every parser: arbitrary bytes and mutated valid exports only ever give records, warnings or ImportFormatError."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports import synthetic
from imports.formats import FORMATS, detect, open_parser
from imports.records import ImportFormatError, ParseOptions, ParseWarning, Record

OPTIONS = ParseOptions(max_line_chars=300, max_records=500)
SETTINGS = settings(
    max_examples=int(os.environ.get("DAYBOOK_FUZZ_EXAMPLES", "120")), deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

SEEDS = {
    "whatsapp": synthetic.whatsapp(12, style=synthetic.WhatsAppStyle(os="ios", clock=12, lrm=True)).data,
    "whatsapp_zip": synthetic.whatsapp(6, zipped=True).data,
    "sms_xml": synthetic.sms_xml(6, mms_every=3).data,
    "calls": synthetic.calls_xml(5).data,
    "telegram": synthetic.telegram(6, whole_account=True, chats=2).data,
    "messenger": synthetic.messenger(8).data,
    "instagram": synthetic.messenger(5, instagram=True).data,
    "email": synthetic.mbox(3).data,
    "csv": synthetic.csv_generic(8).data,
    "whatsapp_rtl": synthetic.whatsapp(12, style=synthetic.WhatsAppStyle(os="ios", clock=12, rtl=True, odd=True, final_newline=False)).data,
    "whatsapp_rtl_android": synthetic.whatsapp(12, style=synthetic.WhatsAppStyle(rtl=True, odd=True)).data,
    "signal": synthetic.signal_export(10).data,
    "signal_jsonl": synthetic.signal_export(8, form="jsonl").data,
    "signal_json": synthetic.signal_export(8, form="json").data,
    "instagram_bare": synthetic.messenger(6, instagram=True, participants=False).data,
    "email_undated": synthetic.undated_mbox().data,
    "email_parts": synthetic.multipart_eml().data,
    "telegram_local": synthetic.telegram(6, local_only=True).data,
    "sms_damaged": synthetic.sms_xml(6, mms_every=2, declared=9, bad_base64=True).data,
}
MODULE_FOR = {
    "whatsapp_zip": "whatsapp",
    "whatsapp_rtl": "whatsapp",
    "whatsapp_rtl_android": "whatsapp",
    "calls": "sms_xml",
    "signal_jsonl": "signal",
    "signal_json": "signal",
    "instagram_bare": "instagram",
    "email_undated": "email",
    "email_parts": "email",
    "telegram_local": "telegram",
    "sms_damaged": "sms_xml",
}


def consume(module, data: bytes) -> None:
    try:
        for item in module.parse(io.BytesIO(data), OPTIONS):
            assert isinstance(item, Record | ParseWarning)
            if isinstance(item, Record):
                assert item.kind in ("message", "call")
                assert item.local_time.tzinfo is None
            else:
                assert item.message
    except ImportFormatError as exc:
        assert str(exc)


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate"]))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "insert":
            data[at:at] = draw(
                st.binary(min_size=1, max_size=40)
                | st.sampled_from([b"\xef\xbb\xbf", b"\n", b'"', b"<", b"{", b"&#55357;", b"\x00", "\u202f".encode(), b"From "])
            )
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "truncate":
            del data[at:]
        else:
            end = min(len(data), at + draw(st.integers(1, 300)))
            data[at:at] = data[at:end]
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
@SETTINGS
@given(data=st.binary(max_size=3000))
def test_arbitrary_bytes(fmt, data):
    consume(FORMATS[fmt], data)


@pytest.mark.parametrize("seed", sorted(SEEDS))
@SETTINGS
@given(data=st.data())
def test_mutated_exports(seed, data):
    blob = data.draw(mutated(SEEDS[seed]))
    consume(FORMATS[MODULE_FOR.get(seed, seed)], blob)
    # And through detection, as the import flow does it.
    try:
        _, items = open_parser(io.BytesIO(blob), "upload.bin", OPTIONS)
        for _ in items:
            pass
    except ImportFormatError as exc:
        assert str(exc)


NAMES = ["chat.txt", "chat.md", "data.json", "x.zip", "result.json", "message_1.json", "a.mbox", "a.csv", "sms.xml", ""]


@SETTINGS
@given(data=st.binary(max_size=5000), name=st.sampled_from(NAMES))
def test_detect_never_crashes(data, name):
    try:
        module = detect(data, name)
    except ImportFormatError as exc:
        assert str(exc)
    else:
        assert module.FORMAT in FORMATS
