"""RFC 3161 timestamps against a real local time-stamping authority (``openssl ts -reply`` behind HTTP)."""

from __future__ import annotations

import datetime as dt
import hashlib
import socket
import subprocess

import pytest

from reports.timestamp import TimestampError, check_timestamp, imprint_of, load_token, request_timestamp
from tests.tsa import LocalTSA


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    with LocalTSA(tmp_path_factory.mktemp("tsa")) as server:
        yield server


@pytest.fixture(scope="module")
def other_tsa(tmp_path_factory):
    """Another authority with its own CA (and an elliptic-curve TSA key)."""
    with LocalTSA(tmp_path_factory.mktemp("other-tsa"), name="Elsewhere", key="ec") as server:
        yield server


@pytest.fixture
def reset(tsa):
    yield
    tsa.mode = "ok"


DATA = b'{"manifest":"example"}'
DIGEST = hashlib.sha256(DATA).digest()


def test_round_trip(tsa, tmp_path):
    before = dt.datetime.now(dt.UTC)
    token = request_timestamp(DIGEST, tsa.url)
    check = check_timestamp(token, DIGEST, tsa.ca_file)
    assert check.ok, check.problem
    assert check.trusted
    assert abs((check.gen_time - before).total_seconds()) < 60
    assert "Daybook Test TSA" in check.tsa_name
    assert check.serial and check.serial_hex.startswith("0x")
    assert imprint_of(token) == DIGEST
    # The bare token (without the response wrapper) checks the same.
    assert check_timestamp(load_token(token).dump(), DIGEST, tsa.ca_file).ok
    # openssl, the standard tool a receiver would use, agrees.
    (tmp_path / "manifest.json").write_bytes(DATA)
    (tmp_path / "manifest.json.tsr").write_bytes(token)
    done = subprocess.run(
        ["openssl", "ts", "-verify", "-data", "manifest.json", "-in", "manifest.json.tsr", "-CAfile", str(tsa.ca_file)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" in done.stdout, done.stderr


def test_ec_key_authority(other_tsa):
    token = request_timestamp(DIGEST, other_tsa.url)
    check = check_timestamp(token, DIGEST, other_tsa.ca_file)
    assert check.ok, check.problem
    assert "Elsewhere" in check.tsa_name


def test_without_ca_file_checks_signature_but_not_trust(tsa):
    check = check_timestamp(request_timestamp(DIGEST, tsa.url), DIGEST)
    assert check.ok and not check.trusted


def test_token_for_other_digest_fails(tsa):
    token = request_timestamp(hashlib.sha256(b"something else").digest(), tsa.url)
    check = check_timestamp(token, DIGEST, tsa.ca_file)
    assert not check.ok
    assert "different data" in check.problem


def test_one_altered_byte_fails(tsa):
    token = request_timestamp(DIGEST, tsa.url)
    inner = load_token(token).dump()
    start = len(token) - len(inner)  # where the signed token starts inside the response
    info_pos = token.index(DIGEST)  # inside TSTInfo: the hashed message
    gen_pos = token.index(b"\x18\x0f") + 4  # GeneralizedTime of genTime
    signature_pos = len(token) - 20  # the signature value at the end
    cert_pos = token.index(b"Daybook Test TSA")  # the TSA certificate's subject
    positions = {info_pos, gen_pos, signature_pos, cert_pos, *range(start, len(token), max(1, len(inner) // 60))}
    survived = []
    for pos in sorted(positions):
        bad = bytearray(token)
        bad[pos] ^= 0x01
        check = check_timestamp(bytes(bad), DIGEST, tsa.ca_file)
        if check.ok:
            survived.append(pos)
        else:
            assert check.problem
    assert survived == []


def test_garbage_is_not_a_timestamp():
    for junk in (b"", b"not a timestamp", b"\x30\x03\x02\x01\x00"):
        check = check_timestamp(junk, DIGEST)
        assert not check.ok
        assert "cannot be read" in check.problem or "not a timestamp" in check.problem


def test_authority_from_another_ca_fails_with_ca_file(tsa, other_tsa):
    token = request_timestamp(DIGEST, other_tsa.url)
    check = check_timestamp(token, DIGEST, tsa.ca_file)
    assert not check.ok
    assert "trusted authority" in check.problem


def test_certificate_without_timestamping_usage_fails(tmp_path):
    """openssl refuses to sign tokens with such a certificate, so the rule is checked on the certificate itself."""
    from cryptography import x509

    from reports.timestamp import _check_chain
    from tests.tsa import make_pki

    now = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5)  # after the certificates below are made
    for folder, options in (("web", {"eku": "serverAuth"}), ("lax", {"eku_critical": False})):
        make_pki(tmp_path / folder, name=folder, **options)
        cert = x509.load_pem_x509_certificate((tmp_path / folder / "tsa.crt").read_bytes())
        problem = _check_chain(cert, [], tmp_path / folder / "ca.crt", now)
        assert "not for timestamping" in problem
    make_pki(tmp_path / "good", name="good")
    cert = x509.load_pem_x509_certificate((tmp_path / "good" / "tsa.crt").read_bytes())
    assert _check_chain(cert, [], tmp_path / "good" / "ca.crt", now) == ""
    assert "not valid at the time" in _check_chain(cert, [], tmp_path / "good" / "ca.crt", now + dt.timedelta(days=4000))


def test_unreadable_ca_file(tsa, tmp_path):
    token = request_timestamp(DIGEST, tsa.url)
    check = check_timestamp(token, DIGEST, tmp_path / "missing.pem")
    assert not check.ok and "cannot be read" in check.problem
    (tmp_path / "empty.pem").write_text("nothing here")
    check = check_timestamp(token, DIGEST, tmp_path / "empty.pem")
    assert not check.ok and "no PEM certificates" in check.problem


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_authority():
    url = f"http://127.0.0.1:{_free_port()}/tsa"
    with pytest.raises(TimestampError, match="could not be reached"):
        request_timestamp(DIGEST, url, timeout=5)


def test_no_url_and_bad_scheme():
    with pytest.raises(TimestampError, match="No time-stamping authority"):
        request_timestamp(DIGEST, "")
    with pytest.raises(TimestampError, match="must start with http"):
        request_timestamp(DIGEST, "file:///etc/passwd")


def test_refused_request(tsa):
    with pytest.raises(TimestampError, match="refused to timestamp.*policy"):
        request_timestamp(DIGEST, tsa.url, policy="1.2.3.4.5")


def test_http_error(tsa, reset):
    tsa.mode = "http_error"
    with pytest.raises(TimestampError, match="refused the request \\(HTTP 500"):
        request_timestamp(DIGEST, tsa.url)


def test_garbled_answer(tsa, reset):
    tsa.mode = "garbage"
    with pytest.raises(TimestampError, match="not a timestamp response"):
        request_timestamp(DIGEST, tsa.url)


def test_answer_to_another_request_is_refused(tsa, reset):
    tsa.mode = "other_nonce"
    with pytest.raises(TimestampError, match="nonce differs"):
        request_timestamp(DIGEST, tsa.url)


def test_digest_must_be_sha256(tsa):
    with pytest.raises(ValueError):
        request_timestamp(b"short", tsa.url)
