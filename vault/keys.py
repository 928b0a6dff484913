"""The keys sealed storage needs, all derived from the case's data key (see kernel/crypto.py).

* File keys: one per blob, HKDF-SHA256(data key, random salt, info = the blob's context); see vault/stream.py.
* The duplicate token: HMAC-SHA256(HKDF(data key, info="daybook.evidence-dedupe.v1"), SHA-256 of the file),
  truncated to 128 bits. Equal files in one case have equal tokens; nothing is learnt across cases.
* The reference token: HMAC-SHA256(HKDF(data key, info="daybook.exhibit-reference.v1"), normalised reference),
  truncated to 128 bits, so references are unique per case while the reference itself stays sealed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from typing import Protocol

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kernel import crypto


class SealedCase(Protocol):
    """What the keys need of a case (cases.models.Case): its id and its wrapped data key."""

    uuid: object
    wrapped_key: bytes | memoryview

    def ensure_key(self) -> None: ...


def data_key(case: SealedCase) -> bytes:
    key = case.__dict__.get("_evidence_data_key")
    if key is None:
        case.ensure_key()
        key = crypto.unwrap_key(bytes(case.wrapped_key), str(case.uuid))
        case.__dict__["_evidence_data_key"] = key
    return key


def _subkey(case: SealedCase, info: bytes) -> bytes:
    cache = case.__dict__.setdefault("_evidence_subkeys", {})
    if info not in cache:
        cache[info] = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(data_key(case))
    return cache[info]


def dedupe_token(case: SealedCase, sha256_hex: str) -> str:
    return hmac.new(_subkey(case, b"daybook.evidence-dedupe.v1"), bytes.fromhex(sha256_hex), hashlib.sha256).hexdigest()[:32]


def normalise_reference(reference: str) -> str:
    text = unicodedata.normalize("NFKC", reference or "").casefold()
    return re.sub(r"\s+", "", text)


def reference_token(case: SealedCase, reference: str) -> str:
    return hmac.new(_subkey(case, b"daybook.exhibit-reference.v1"), normalise_reference(reference).encode("utf-8"), hashlib.sha256).hexdigest()[:32]
