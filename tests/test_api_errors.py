"""Malformed requests get a clear answer, never a server error (issue 11, item 8): the upload API's JSON, its
chunk requests (a refused chunk is read to its end so the connection survives), and downloads of a damaged file.
A Hypothesis fuzz test drives every JSON endpoint with malformed bodies."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.models import Exhibit, UploadSession
from evidence.testing import MIB, upload_with_client
from vault import store

ROOT = Path(__file__).resolve().parent.parent
OCTETS = "application/offset+octet-stream"


def start(client: Client, case_id: int, body: bytes | str, content_type: str = "application/json"):  # noqa: ANN201
    return client.post(f"/cases/{case_id}/evidence/uploads/", body, content_type=content_type)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b'[{"name": "a.jpg", "size": 10}]',
        b'"a string"',
        b"42",
        b"null",
        b'{"name": ["a"], "size": 10}',
        b'{"name": "a", "size": "ten"}',
        b'{"name": "a", "size": true}',
        b'{"name": "a", "size": 1e400}',
        b'{"name": "a", "size": 10, "last_modified": {"x": 1}}',
        b'{"name": "a", "size": 10, "last_modified": 1e400}',
        b"\xff\xfe\x00not utf-8",
        b"{",
    ],
)
def test_an_upload_start_that_is_not_an_object_of_the_right_types_is_a_clear_400(owner_client, case, body):  # noqa: ANN001
    response = start(owner_client, case.pk, body)
    assert response.status_code == 400
    assert response.json() == {"error": "The upload could not be started: the request was not understood."}
    assert not UploadSession.objects.exists()


@pytest.mark.parametrize("size", [2**63, 10**30, 2**62])
def test_sizes_beyond_any_limit_are_refused_as_too_big(owner_client, case, size):  # noqa: ANN001
    response = start(owner_client, case.pk, json.dumps({"name": "a", "size": size}))
    assert response.status_code in (400, 413)
    assert "error" in response.json()


@pytest.mark.parametrize("number", ["²", "9" * 40, "١", -1, 1.5, [1], {"a": 1}, True])
def test_odd_incident_numbers_are_ignored_not_a_crash(owner_client, case, number):  # noqa: ANN001
    response = start(owner_client, case.pk, json.dumps({"name": "a.txt", "size": 5, "incident": number, "photo_of": number}))
    assert response.status_code == 201, response.content
    # The plain form's ?incident=... takes the same path.
    assert owner_client.get(f"/cases/{case.pk}/evidence/add/", {"incident": str(number)}).status_code in (200, 404)


def test_a_refused_chunk_is_read_to_its_end(owner_client, case):  # noqa: ANN001
    """A 409 answered without reading the body resets the connection under the client (it is still sending)."""
    info = start(owner_client, case.pk, json.dumps({"name": "a.bin", "size": 8 * MIB})).json()
    body = b"x" * (4 * MIB)
    response = owner_client.put(info["url"], body, content_type=OCTETS, headers={"Upload-Offset": str(MIB)})
    assert response.status_code == 409
    assert response.json()["offset"] == 0
    stream = response.wsgi_request._stream
    assert stream._pos == stream.limit == len(body), "the refused chunk's body was left unread"


def test_downloading_a_damaged_file_shows_daybooks_own_page(owner_client, case):  # noqa: ANN001
    assert upload_with_client(owner_client, case.pk, b"evidence " * 5000, name="notes.txt").status_code == 201
    exhibit = Exhibit.objects.get(case=case)
    path = Path(store.storage().path(exhibit.original.name))
    raw = bytearray(path.read_bytes())
    raw[100] ^= 0x01  # inside the first segment
    path.write_bytes(bytes(raw))
    response = owner_client.get(f"/cases/{case.pk}/evidence/{exhibit.number}/download/")
    assert response.status_code == 410
    html = response.content.decode()
    assert "cannot be read" in html and "Exit this page" in html
    assert not response.has_header("Content-Disposition")


# ---------------------------------------------------------------- fuzzing every JSON endpoint

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
UPLOAD_KEYS = ["name", "size", "last_modified", "incident", "photo_of"]
UPLOAD_BODIES = st.one_of(
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(UPLOAD_KEYS), JSON_VALUES, max_size=5).map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),  # not JSON, not UTF-8
    st.integers(min_value=0, max_value=3).map(lambda n: b'{"name": "' + b"a" * (n * 700_000) + b'", "size": 5}'),  # huge
    st.sampled_from([b"\xff" * 10, b'{"size": 1e999}', b"[" * 5000 + b"]" * 5000, b'{"size": -1}', b'{"size": 0}']),
)
HEADER_VALUES = st.one_of(st.text(alphabet=st.characters(codec="latin-1", exclude_categories=["Cc"]), max_size=30), st.integers().map(str))

# Every endpoint that reads or answers JSON, by its view; the guard test below keeps the list complete.
JSON_VIEWS = {"uploads", "upload", "upload_finish", "report_status", "healthz", "feed_status"}  # feed_status: tests/test_feed_background.py


def test_the_fuzzed_views_are_every_json_view():
    found = set()
    for path in ROOT.glob("*/views*.py"):
        found |= set(re.findall(r"def (\w+)\(request[^)]*\)[^:]*:(?:(?!\ndef ).)*?JsonResponse\(", path.read_text(), re.S))
    assert found <= JSON_VIEWS, found - JSON_VIEWS


@pytest.mark.django_db
@settings(max_examples=120, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=UPLOAD_BODIES)
def test_fuzz_upload_start(owner_client, case, body):  # noqa: ANN001
    response = start(owner_client, case.pk, body)
    assert response.status_code < 500, (body[:200], response.content[:500])
    assert response.status_code in (200, 201, 400, 413, 429, 507)
    assert "error" in response.json() or response.status_code in (200, 201)


@pytest.mark.django_db
@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(offset=HEADER_VALUES, body=st.binary(max_size=2000), finish_body=UPLOAD_BODIES, data=st.data())
def test_fuzz_chunks_and_finish(owner_client, case, offset, body, finish_body, data):  # noqa: ANN001
    # Content-Length: absent, not a number, negative, or at most the body (Django's test client cannot send a body
    # shorter than its Content-Length; a real server just sees the body end early).
    not_a_number = HEADER_VALUES.filter(lambda v: not v.strip().lstrip("+-").isdigit())
    length = data.draw(st.one_of(st.none(), not_a_number, st.integers(-5, len(body)).map(str)))
    info = start(owner_client, case.pk, json.dumps({"name": "fuzz.bin", "size": 1000})).json()
    extra = {"CONTENT_LENGTH": length} if length is not None else {}
    response = owner_client.generic("PUT", info["url"], body, content_type=OCTETS, headers={"Upload-Offset": offset}, **extra)
    assert response.status_code < 500, (offset, length, response.content[:300])
    response = owner_client.post(info["finish_url"], finish_body, content_type="application/json")
    assert response.status_code < 500, response.content[:300]
    assert owner_client.get(info["url"]).status_code == 200
    assert owner_client.delete(info["url"]).status_code == 204


@pytest.mark.django_db
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(report_id=st.text(alphabet=st.characters(codec="ascii", exclude_characters="/?#", exclude_categories=["Cc"]), min_size=1), body=UPLOAD_BODIES)
def test_fuzz_report_status(owner_client, case, report_id, body):  # noqa: ANN001
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("report_status", args=[case.pk, report_id])
    except NoReverseMatch:
        return
    assert owner_client.generic("GET", url, body, content_type="application/json").status_code in (404, 405)
    assert owner_client.post(url, body, content_type="application/json").status_code in (403, 404, 405)


@pytest.mark.django_db
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=UPLOAD_BODIES, method=st.sampled_from(["GET", "POST", "PUT"]))
def test_fuzz_healthz(body, method):  # noqa: ANN001
    response = Client().generic(method, "/healthz", body, content_type="application/json")
    assert response.status_code != 500
    assert response.status_code in (200, 403, 405, 503)
