"""Property-based tests (Hypothesis) for the parts of the evidence locker that take hostile input:
file names, type sniffing, the metadata readers, and the sealed stream format."""

from __future__ import annotations

import io
import struct
import unicodedata
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence import facts, names, sniff
from evidence.testing import box, eml, jpeg_with_exif, mp4_with_mvhd
from kernel.canonical import canonical_bytes
from vault import stream

HIDDEN = {"Cc", "Cf", "Co", "Cs", "Zl", "Zp"}
names_strategy = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.sampled_from(list('ab./\\:*?"<>| \u202e\u202d\u200b\u0000\u0007\n\r\t.日本éﬁ')), max_size=60),
    st.builds(lambda a, b: f"{a}\u202e{b}", st.text(max_size=20), st.text(max_size=20)),
)


@given(names_strategy)
def test_display_name_is_always_safe(raw):
    shown = names.display_name(raw)
    assert shown
    assert "/" not in shown and "\\" not in shown
    assert not shown.startswith(".")
    assert not any(unicodedata.category(ch) in HIDDEN for ch in shown)
    assert len(shown.encode("utf-8")) <= names.MAX_NAME_BYTES
    assert names.display_name(shown) == shown  # cleaning is stable


@given(names_strategy)
def test_content_disposition_is_ascii_attachment_and_decodes_to_the_shown_name(raw):
    header = names.content_disposition(raw)
    assert header.isascii()
    assert header.startswith('attachment; filename="')
    assert "\r" not in header and "\n" not in header
    plain = header.split('filename="', 1)[1].split('"', 1)[0]
    assert plain and '"' not in plain and "\\" not in plain and "/" not in plain
    star = header.split("filename*=UTF-8''", 1)[1]
    assert unquote(star) == names.display_name(raw)


@given(st.binary(max_size=4096), st.binary(max_size=512), st.text(max_size=40))
def test_sniff_never_fails_and_names_a_known_type(head, tail, name):
    found = sniff.sniff(head, tail, len(head) + len(tail), name)
    assert found.kind.media_type
    assert all(isinstance(n, str) for n in found.notes)


KINDS = [sniff.JPEG, sniff.PNG, sniff.GIF, sniff.MP4, sniff.MOV, sniff.EML, sniff.PDF, sniff.HEIC, sniff.TEXT]


def _facts_ok(result):
    assert isinstance(result, dict)
    canonical_bytes(result)  # only strings and integers: the facts can enter the chain
    for key, value in result.items():
        assert isinstance(key, str) and isinstance(value, str | int)
        if isinstance(value, str):
            assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value)
            assert len(value) <= facts.MAX_VALUE


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000), st.sampled_from(KINDS))
def test_fact_readers_never_fail_on_random_bytes(data, kind):
    _facts_ok(facts.extract(io.BytesIO(data), kind))


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([jpeg_with_exif(), mp4_with_mvhd(), eml()]), st.data())
def test_fact_readers_survive_damaged_real_files(original, data):
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(damaged) - 1))
        damaged[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(damaged)))
    kind = sniff.sniff_kind(bytes(damaged[:cut]), cut)
    _facts_ok(facts.extract(io.BytesIO(bytes(damaged[:cut])), kind))


box_tree = st.recursive(
    st.tuples(st.sampled_from([b"mvhd", b"free", b"\xa9xyz", b"keys", b"data", b"abcd"]), st.binary(max_size=64)).map(lambda t: box(*t)),
    lambda children: st.tuples(st.sampled_from([b"moov", b"udta", b"meta", b"trak", b"ilst"]), st.lists(children, max_size=4)).map(
        lambda t: box(t[0], b"".join(t[1]))
    ),
    max_leaves=12,
)


@given(st.lists(box_tree, max_size=4), st.integers(0, 2**32 - 1))
def test_mp4_box_walker_handles_any_box_tree(boxes, bad_size):
    data = b"".join(boxes) + struct.pack(">I", bad_size) + b"moov"
    _facts_ok(facts.mp4_facts(io.BytesIO(data)))


@given(st.text(max_size=500))
def test_clean_removes_hidden_characters(text):
    out = facts.clean(text)
    assert len(out) <= facts.MAX_VALUE
    assert not any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") for ch in out)


@settings(max_examples=40)
@given(st.binary(max_size=5000), st.lists(st.integers(1, 900), min_size=1, max_size=6), st.integers(1024, 2048))
def test_stream_round_trips_any_bytes_in_any_chunking(data, cuts, segment):
    key = bytes(32)
    pieces, pos, i = [], 0, 0
    while pos < len(data):
        step = cuts[i % len(cuts)]
        pieces.append(data[pos : pos + step])
        pos += step
        i += 1
    sealing = stream.SealingStream(key, b"ctx", pieces, segment_size=segment)
    blob = b"".join(sealing.chunks())
    assert len(blob) == stream.stored_size_for(len(data), segment)
    assert b"".join(stream.decrypt_stream(key, b"ctx", io.BytesIO(blob))) == data
    reader = stream.SealedReader(key, b"ctx", io.BytesIO(blob), len(blob))
    if data:
        start = cuts[0] % len(data)
        end = min(len(data) - 1, start + cuts[-1])
        assert b"".join(reader.iter_range(start, end)) == data[start : end + 1]
        reader.seek(start)
        assert reader.read(end - start + 1) == data[start : end + 1]


@settings(max_examples=40)
@given(st.binary(min_size=1, max_size=3000), st.data())
def test_any_single_byte_change_in_a_sealed_blob_is_detected(data, draw):
    key = bytes(32)
    blob = bytearray(b"".join(stream.SealingStream(key, b"ctx", [data], segment_size=1024).chunks()))
    at = draw.draw(st.integers(0, len(blob) - 1))
    blob[at] ^= draw.draw(st.integers(1, 255))
    try:
        out = b"".join(stream.decrypt_stream(key, b"ctx", io.BytesIO(bytes(blob))))
    except stream.BlobError:
        return
    raise AssertionError(f"a change at byte {at} went unnoticed ({len(out)} bytes came out)")
