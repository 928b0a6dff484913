"""Property-based tests (Hypothesis) for the parsers, validators and serialisers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diary import rules
from diary.forms import IncidentForm, QuickCaptureForm, TimelineFilterForm
from diary.selectors import decode_cursor
from kernel import crypto, localtime
from kernel.canonical import canonical_bytes, sha256_hex

json_scalars = st.none() | st.booleans() | st.integers(min_value=-(2**53), max_value=2**53) | st.text()
json_values = st.recursive(
    json_scalars, lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4), max_leaves=20
)


@given(json_values)
def test_canonical_bytes_are_stable_and_parse_back(value):
    raw = canonical_bytes(value)
    assert json.loads(raw.decode("utf-8")) == value
    assert canonical_bytes(json.loads(raw)) == raw  # idempotent
    assert len(sha256_hex(value)) == 64


@given(st.dictionaries(st.text(max_size=5), st.integers(), max_size=6))
def test_key_order_does_not_change_the_hash(mapping):
    reordered = dict(reversed(list(mapping.items())))
    assert sha256_hex(mapping) == sha256_hex(reordered)


CIPHER = crypto.CaseCipher(b"k" * 32)


@given(st.text(min_size=1), st.text(min_size=1, max_size=40))
def test_seal_and_open_round_trip_any_text(text, purpose):
    token = CIPHER.seal(text, purpose)
    assert token.startswith("v1.")
    assert CIPHER.open(token, purpose) == text


@given(st.text())
def test_open_never_crashes_on_garbage(token):
    try:
        CIPHER.open("v1." + token, "p")
    except (crypto.DecryptionError, ValueError):
        pass


@given(st.text())
def test_words_are_normalised_and_bounded(text):
    for word in crypto.words(text):
        assert 2 <= len(word) <= 64
        assert word == word.casefold()


@given(st.text())
def test_any_cursor_string_is_safe(text):
    result = decode_cursor(text)
    assert result is None or (isinstance(result[0], dt.datetime) and isinstance(result[1], int))


form_text = st.text(max_size=300)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(description=form_text, date=form_text, time=form_text, behaviour=form_text, danger=form_text)
def test_quick_capture_form_never_crashes(description, date, time, behaviour, danger):
    form = QuickCaptureForm({"description": description, "date": date, "time": time, "behaviour": behaviour, "felt_in_danger": danger})
    if form.is_valid():
        data = form.to_data()
        assert data.occurred_at <= localtime.now_local() + rules.FUTURE_TOLERANCE
        assert data.description.strip()


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    fields=st.dictionaries(
        st.sampled_from(
            [
                "date",
                "time",
                "time_precision",
                "end_date",
                "end_time",
                "how_many",
                "channel",
                "location_kind",
                "reported",
                "reported_on",
                "crime_reference",
                "witness_7_name",
            ]
        ),
        form_text,
    )
)
def test_incident_form_never_crashes(case, fields):
    data = {"description": "something happened", **fields}
    form = IncidentForm(data, case=case)
    if form.is_valid():
        result = form.to_data()
        if result.ended_at:
            assert result.ended_at >= result.occurred_at


@given(st.dictionaries(st.sampled_from(["q", "behaviour", "channel", "date_from", "date_to", "reported", "danger", "order"]), form_text))
def test_timeline_filter_form_never_crashes(params):
    form = TimelineFilterForm(params)
    form.is_valid()


@given(st.text(max_size=250))
def test_passphrase_validators_never_crash(password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
    except ValidationError as exc:
        assert all(str(m) for m in exc.messages)
