"""RFC 3161 trusted timestamps: ask a time-stamping authority (TSA) to sign "this SHA-256 existed at this time",
and check such a token later.

Only the 32-byte hash leaves Daybook; the TSA never sees the manifest or anything personal.

* :func:`request_timestamp` sends a ``TimeStampReq`` (SHA-256 imprint, a random 64-bit nonce, ``certReq`` true)
  by HTTP POST (``application/timestamp-query``) and returns the DER ``TimeStampResp`` after checking that the
  status is granted and that the token is for this hash and this nonce.
* :func:`check_timestamp` takes a response (or a bare token), checks the imprint, the CMS signature over the
  signed attributes (whose ``messageDigest`` must be the hash of the encapsulated ``TSTInfo``) with the TSA
  certificate's key, and, given a CA file, that the TSA certificate chains to one of its certificates, was valid at
  the time stamped and carries the critical ``timeStamping`` extended key usage.

ASN.1 parsing uses ``asn1crypto`` (a parser only); every signature check uses the ``cryptography`` package.
``openssl ts -verify -data manifest.json -in manifest.json.tsr -CAfile ca.pem`` checks the same token.

Settings: ``DAYBOOK_TSA_URL`` (empty: no timestamps), ``DAYBOOK_TSA_CA_FILE`` (PEM file of trusted TSA roots).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

MAX_RESPONSE_BYTES = 1 << 20
HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TimeStampResp(core.Sequence):
    """RFC 3161 TimeStampResp. (asn1crypto's own class makes the token mandatory, so a refusal would not parse.)"""

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


class TimestampError(Exception):
    """A timestamp could not be obtained: the authority was unreachable, refused, or answered something unusable."""


@dataclass
class TimestampCheck:
    ok: bool
    gen_time: dt.datetime | None = None
    tsa_name: str = ""
    serial: int | None = None
    problem: str = ""
    # True when the TSA certificate was checked against a trusted CA file (not just against itself).
    trusted: bool = False
    policy: str = ""

    @property
    def serial_hex(self) -> str:
        return f"0x{self.serial:X}" if self.serial is not None else ""


# ---------------------------------------------------------------------------------------------- requesting


def build_request(digest: bytes, nonce: int, policy: str | None = None) -> bytes:
    if len(digest) != 32:
        raise ValueError("A SHA-256 digest is 32 bytes.")
    fields: dict[str, Any] = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": "sha256"}, "hashed_message": digest},
        "nonce": nonce,
        "cert_req": True,
    }
    if policy:
        fields["req_policy"] = policy
    return tsp.TimeStampReq(fields).dump()


def request_timestamp(digest: bytes, url: str, *, timeout: float = 20, policy: str | None = None) -> bytes:
    """Ask the TSA at ``url`` to timestamp a SHA-256 ``digest``. Returns the DER TimeStampResp (a ``.tsr``)."""
    if not url:
        raise TimestampError("No time-stamping authority is set up (DAYBOOK_TSA_URL is empty).")
    if not url.lower().startswith(("http://", "https://")):
        raise TimestampError(f"The time-stamping authority's address must start with http:// or https:// (it is {url!r}).")
    nonce = secrets.randbits(63) | 1
    body = build_request(digest, nonce, policy)
    headers = {"Content-Type": "application/timestamp-query", "Accept": "application/timestamp-reply"}
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            answer = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(f"The time-stamping authority at {url} refused the request (HTTP {exc.code} {exc.reason}).") from exc
    except urllib.error.URLError as exc:
        raise TimestampError(f"The time-stamping authority at {url} could not be reached ({exc.reason}).") from exc
    except (TimeoutError, OSError) as exc:
        raise TimestampError(f"The time-stamping authority at {url} could not be reached ({exc}).") from exc
    if len(answer) > MAX_RESPONSE_BYTES:
        raise TimestampError(f"The time-stamping authority at {url} sent an answer too large to be a timestamp.")
    try:
        resp = TimeStampResp.load(answer, strict=True)
        status = resp["status"]["status"].native
        texts = resp["status"]["status_string"].native or []
        failure = resp["status"]["fail_info"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"The time-stamping authority at {url} answered with something that is not a timestamp response.") from exc
    if status not in ("granted", "granted_with_mods"):
        detail = "; ".join(str(t) for t in texts) or (", ".join(sorted(failure)) if failure else "")
        raise TimestampError(f"The time-stamping authority at {url} refused to timestamp ({status}{': ' + detail if detail else ''}).")
    try:
        info = _tst_info(resp["time_stamp_token"])
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(f"The time-stamping authority at {url} sent a damaged timestamp ({exc}).") from exc
    if info["message_imprint"]["hashed_message"].native != digest or info["message_imprint"]["hash_algorithm"]["algorithm"].native != "sha256":
        raise TimestampError(f"The time-stamping authority at {url} sent a timestamp for different data.")
    if info["nonce"].native != nonce:
        raise TimestampError(f"The time-stamping authority at {url} sent a timestamp that does not answer this request (its nonce differs).")
    return answer


# ---------------------------------------------------------------------------------------------- checking


def load_token(data: bytes) -> cms.ContentInfo:
    """The TimeStampToken (CMS ContentInfo) from a DER TimeStampResp or a bare token. Raises ValueError."""
    if not data:
        raise ValueError("the timestamp is empty")
    try:
        info = cms.ContentInfo.load(data, strict=True)
        if info["content_type"].native == "signed_data":
            return info
    except (ValueError, TypeError, KeyError):
        pass
    resp = TimeStampResp.load(data, strict=True)
    status = resp["status"]["status"].native
    if status not in ("granted", "granted_with_mods"):
        raise ValueError(f"the time-stamping authority's answer was {status}, not a timestamp")
    token = resp["time_stamp_token"]
    if isinstance(token, core.Void) or not token.contents:
        raise ValueError("the answer holds no timestamp token")
    return token


def _tst_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    if token["content_type"].native != "signed_data":
        raise ValueError("the token is not CMS SignedData")
    encap = token["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise ValueError("the token does not hold a TSTInfo")
    return encap["content"].parsed


def imprint_of(data: bytes) -> bytes | None:
    """The hash a timestamp is for (without checking anything else), or None if unreadable."""
    try:
        return _tst_info(load_token(data))["message_imprint"]["hashed_message"].native
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


def check_timestamp(token: bytes, digest: bytes, ca_file: Path | str | None = None) -> TimestampCheck:
    """Check that ``token`` (a TimeStampResp or TimeStampToken) timestamps ``digest`` and is signed by its TSA;
    with ``ca_file``, also that the TSA's certificate chains to a certificate in that PEM file."""
    try:
        return _check(token, digest, Path(ca_file) if ca_file else None)
    except Exception as exc:  # noqa: BLE001 (hostile input: any parser error means "not a valid timestamp")
        return TimestampCheck(False, problem=f"The timestamp cannot be read: it is damaged or not a timestamp ({exc}).")


def _check(data: bytes, digest: bytes, ca_file: Path | None) -> TimestampCheck:
    token = load_token(data)
    signed = token["content"]
    info = _tst_info(token)
    gen_time: dt.datetime = info["gen_time"].native
    serial = int(info["serial_number"].native)
    policy = str(info["policy"].native)
    result = TimestampCheck(False, gen_time=gen_time, serial=serial, policy=policy)

    if signed["version"].native != "v3":
        result.problem = "The timestamp is malformed (its SignedData version is not 3)."
        return result
    listed = [a["algorithm"].native for a in signed["digest_algorithms"]]
    if not listed or any(name not in HASHES for name in listed):
        result.problem = "The timestamp lists an unknown digest algorithm."
        return result
    signers = signed["signer_infos"]
    if len(signers) != 1:
        result.problem = f"The timestamp should have one signature; it has {len(signers)}."
        return result
    signer = signers[0]
    certs = [c.chosen for c in signed["certificates"] if c.name == "certificate"] if signed["certificates"].contents else []
    cert_asn1 = _find_signer_cert(signer["sid"], certs)
    if cert_asn1 is None:
        result.problem = "The timestamp does not include the certificate of the authority that signed it."
        return result
    cert = x509.load_der_x509_certificate(cert_asn1.dump())
    tsa_name = info["tsa"].native if info["tsa"].native else None
    result.tsa_name = _name_text(tsa_name) if tsa_name else cert.subject.rfc4514_string()

    imprint = info["message_imprint"]
    if imprint["hash_algorithm"]["algorithm"].native != "sha256" or imprint["hashed_message"].native != digest:
        result.problem = "The timestamp is for different data: its hash does not match."
        return result

    if signer["digest_algorithm"]["algorithm"].native not in listed:
        result.problem = "The timestamp's signature uses a digest algorithm it does not list."
        return result
    problem = _check_signature(signer, info, signed["encap_content_info"]["content"], cert)
    if problem:
        result.problem = problem
        return result

    problem = _check_signing_certificate(signer, cert_asn1.dump())
    if problem:
        result.problem = problem
        return result

    if ca_file is not None:
        problem = _check_chain(cert, [x509.load_der_x509_certificate(c.dump()) for c in certs], ca_file, gen_time)
        if problem:
            result.problem = problem
            return result
        result.trusted = True
    result.ok = True
    return result


def _name_text(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _find_signer_cert(sid: cms.SignerIdentifier, certs: list[Any]) -> Any:
    for cert in certs:
        if sid.name == "issuer_and_serial_number":
            wanted = sid.chosen
            if cert.issuer == wanted["issuer"] and cert.serial_number == wanted["serial_number"].native:
                return cert
        elif sid.name == "subject_key_identifier" and cert.key_identifier == sid.chosen.native:
            return cert
    return None


def _attribute(attrs: Any, name: str) -> Any:
    values = [a["values"] for a in attrs if a["type"].native == name]
    if len(values) != 1 or len(values[0]) != 1:
        return None
    return values[0][0]


def _check_signature(signer: Any, info: tsp.TSTInfo, content: Any, cert: x509.Certificate) -> str:
    digest_name = signer["digest_algorithm"]["algorithm"].native
    if digest_name not in HASHES or digest_name == "sha1":
        return f"The timestamp is signed with a hash Daybook does not accept ({digest_name})."
    problem = _check_structure(signer, cert)
    if problem:
        return problem
    attrs = signer["signed_attrs"]
    if not attrs.contents:
        return "The timestamp's signature has no signed attributes."
    if _attribute(attrs, "content_type") is None or _attribute(attrs, "content_type").native != "tst_info":
        return "The timestamp's signed content type is wrong."
    recorded = _attribute(attrs, "message_digest")
    tst_bytes = content.contents
    if recorded is None or recorded.native != hashlib.new(digest_name, tst_bytes).digest():
        return "The timestamp has been altered: its contents do not match the signed digest."
    signed_bytes = b"\x31" + attrs.dump()[1:]  # signed attributes are signed as a SET OF (RFC 5652 5.4)
    signature = signer["signature"].native
    hash_cls = HASHES[digest_name]
    key = cert.public_key()
    algo = signer["signature_algorithm"]
    try:
        if isinstance(key, rsa.RSAPublicKey):
            if algo["algorithm"].native == "rsassa_pss":
                params = algo["parameters"]
                pss_hash = HASHES.get(params["hash_algorithm"]["algorithm"].native, hash_cls)()
                key.verify(signature, signed_bytes, padding.PSS(mgf=padding.MGF1(pss_hash), salt_length=params["salt_length"].native), pss_hash)
            else:
                key.verify(signature, signed_bytes, padding.PKCS1v15(), hash_cls())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed_bytes, ec.ECDSA(hash_cls()))
        elif isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(signature, signed_bytes)
        else:
            return "The timestamp is signed with a kind of key Daybook cannot check."
    except InvalidSignature:
        return "The timestamp's signature is not valid: it has been altered or was not made by its authority."
    return ""


KEY_ALGOS: dict[str, type] = {
    "rsassa_pkcs1v15": rsa.RSAPublicKey,
    "rsassa_pss": rsa.RSAPublicKey,
    "ecdsa": ec.EllipticCurvePublicKey,
    "ed25519": ed25519.Ed25519PublicKey,
    "ed448": ed448.Ed448PublicKey,
}


def _check_structure(signer: Any, cert: x509.Certificate) -> str:
    """The unsigned framing must be what RFC 3161 and RFC 5652 say: no field may hold something unexpected."""
    expected_version = "v1" if signer["sid"].name == "issuer_and_serial_number" else "v3"
    if signer["version"].native != expected_version:
        return "The timestamp's signature block is malformed (wrong version)."
    algo = signer["signature_algorithm"]
    try:
        kind = algo.signature_algo
    except ValueError:
        return "The timestamp's signature uses an unknown algorithm."
    if kind not in KEY_ALGOS or not isinstance(cert.public_key(), KEY_ALGOS[kind]):
        return "The timestamp's signature algorithm does not match its certificate's key."
    if algo["algorithm"].native not in ("rsassa_pkcs1v15", "rsassa_pss", "ed25519", "ed448"):
        try:
            if algo.hash_algo != signer["digest_algorithm"]["algorithm"].native:
                return "The timestamp's signature algorithm does not match its digest algorithm."
        except ValueError:
            return "The timestamp's signature uses an unknown algorithm."
    return ""


def _check_signing_certificate(signer: Any, cert_der: bytes) -> str:
    """The ESS signingCertificate(V2) attribute binds the signature to one certificate (RFC 5816 / RFC 2634)."""
    attrs = signer["signed_attrs"]
    v2 = _attribute(attrs, "signing_certificate_v2")
    v1 = _attribute(attrs, "signing_certificate")
    if v2 is not None:
        ids = v2["certs"]
        if not len(ids):
            return "The timestamp names no signing certificate."
        algo = ids[0]["hash_algorithm"]["algorithm"].native or "sha256"
        if algo not in HASHES:
            return f"The timestamp's certificate hash uses an unknown algorithm ({algo})."
        if ids[0]["cert_hash"].native != hashlib.new(algo, cert_der).digest():
            return "The certificate in the timestamp is not the one its authority signed with: it has been altered or swapped."
    elif v1 is not None:
        ids = v1["certs"]
        if not len(ids) or ids[0]["cert_hash"].native != hashlib.sha1(cert_der).digest():  # noqa: S324 (ESS v1 is SHA-1 by definition)
            return "The certificate in the timestamp is not the one its authority signed with: it has been altered or swapped."
    return ""


def _check_chain(cert: x509.Certificate, included: list[x509.Certificate], ca_file: Path, when: dt.datetime) -> str:
    try:
        roots = x509.load_pem_x509_certificates(ca_file.read_bytes())
    except OSError as exc:
        return f"The CA file {ca_file} cannot be read ({exc.strerror or exc})."
    except ValueError:
        return f"The CA file {ca_file} holds no PEM certificates."
    if not (cert.not_valid_before_utc <= when <= cert.not_valid_after_utc):
        return "The time-stamping authority's certificate was not valid at the time stamped."
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        return "The time-stamping authority's certificate is not for timestamping (no extended key usage)."
    if ExtendedKeyUsageOID.TIME_STAMPING not in eku.value or not eku.critical:
        return "The time-stamping authority's certificate is not for timestamping (it needs the critical timeStamping key usage)."
    if not _chains(cert, included, roots):
        return "The time-stamping authority's certificate does not come from a trusted authority in the CA file."
    # Every other certificate carried in the token must be genuine too (an altered copy is an altered token).
    for other in included:
        if other != cert and not _chains(other, included, roots):
            return "The timestamp carries a certificate that has been altered or does not come from a trusted authority."
    return ""


def _chains(cert: x509.Certificate, included: list[x509.Certificate], roots: list[x509.Certificate]) -> bool:
    current = cert
    for _ in range(8):
        for root in roots:
            if root == current or _issued_by(current, root):
                return True
        parent = next((c for c in included if c != current and _issued_by(current, c) and _is_ca(c)), None)
        if parent is None:
            return False
        current = parent
    return False


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False
