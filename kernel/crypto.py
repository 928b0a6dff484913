"""Envelope encryption with the `cryptography` package only.

* The master key (32 bytes) comes from DAYBOOK_MASTER_KEY or the git-ignored local secrets file.
* Each case has its own random 32-byte data key, stored wrapped (AES-256-GCM) by the master key,
  with the case's UUID as associated data, so a wrapped key cannot be moved to another case.
* Sensitive text fields are sealed with the case's data key (AES-256-GCM, random 96-bit nonce) and
  stored as ``<version>.<base64(nonce || ciphertext || tag)>``. Format ``v1``: the associated data is the
  field's purpose (``<model>.<field>``), so a ciphertext cannot be swapped into a different field. Format ``v2``
  (every new write to a row that has a uuid): the associated data is ``<model>.<field>@<row uuid>``, so a
  ciphertext cannot be moved to another row either. ``v1`` values keep opening (rows written before ``v2``).
* Search uses a blind index: HMAC-SHA256 of each normalised word under a search key derived (HKDF)
  from the data key, so equal words match within one case and reveal nothing across cases.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import unicodedata
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "v1."  # associated data: the purpose
PREFIX_V2 = "v2."  # associated data: the purpose, "@" and the row's identity (see bound_aad)
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted: wrong key, or the ciphertext was altered."""


@lru_cache(maxsize=4)
def _decode_master(raw: str) -> bytes:
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise ValueError("DAYBOOK_MASTER_KEY must be 32 bytes, base64-encoded") from exc
    if len(key) != 32:
        raise ValueError("DAYBOOK_MASTER_KEY must be 32 bytes, base64-encoded")
    return key


def master_key() -> bytes:
    return _decode_master(settings.DAYBOOK_MASTER_KEY)


def master_key_id() -> str:
    """A short fingerprint of the master key, stored beside wrapped keys (for rotation)."""
    return key_id_of(master_key())


def key_id_of(key: bytes) -> str:
    return hashlib.sha256(b"daybook-master-key-id" + key).hexdigest()[:16]


def old_master_keys() -> list[bytes]:
    """Earlier master keys (DAYBOOK_OLD_MASTER_KEYS), kept only to unwrap until everything is re-wrapped."""
    return [_decode_master(raw.strip()) for raw in getattr(settings, "DAYBOOK_OLD_MASTER_KEYS", []) or [] if raw.strip()]


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_key(data_key: bytes, context: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master_key()).encrypt(nonce, data_key, b"daybook.datakey:" + context.encode())


def unwrap_key(wrapped: bytes, context: str) -> bytes:
    """Unwrap with the master key, or (during a rotation) with one of the old master keys."""
    return _unwrap_with_any(wrapped, context)[0]


def _unwrap_with_any(wrapped: bytes, context: str) -> tuple[bytes, bytes]:
    nonce, body, aad = bytes(wrapped[:NONCE_BYTES]), bytes(wrapped[NONCE_BYTES:]), b"daybook.datakey:" + context.encode()
    for key in [master_key(), *old_master_keys()]:
        try:
            return AESGCM(key).decrypt(nonce, body, aad), key
        except Exception:  # noqa: S112 - cryptography raises InvalidTag; try the next key
            continue
    raise DecryptionError("The case key could not be unwrapped with this master key")


def rewrap_key(wrapped: bytes, context: str) -> tuple[bytes, str, bool]:
    """Re-wrap a data key with the current master key (the data key itself, and so every file, is unchanged).

    Returns (wrapped, key id, changed); ``changed`` is False when it was already under the current key."""
    data_key, used = _unwrap_with_any(wrapped, context)
    if used == master_key():
        return bytes(wrapped), master_key_id(), False
    return wrap_key(data_key, context), master_key_id(), True


class CaseCipher:
    """Seals and opens the text fields of one case with that case's data key."""

    def __init__(self, data_key: bytes) -> None:
        self._aead = AESGCM(data_key)
        self._search_key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"daybook.search-index.v1").derive(data_key)

    def seal(self, value: str | None, purpose: str, row: str | None = None) -> str:
        """Seal ``value`` for ``purpose``; with ``row`` (the row's uuid), in format v2, bound to that row."""
        if value is None or value == "":
            return ""
        nonce = os.urandom(NONCE_BYTES)
        prefix, aad = (PREFIX, purpose) if row is None else (PREFIX_V2, bound_aad(purpose, row))
        ct = self._aead.encrypt(nonce, value.encode("utf-8"), aad.encode())
        return prefix + base64.b64encode(nonce + ct).decode("ascii")

    def open(self, token: str | None, purpose: str, row: str | None = None) -> str:
        """Open a v1 value (bound to ``purpose``) or a v2 value (bound to ``purpose`` and ``row``)."""
        if not token:
            return ""
        if token.startswith(PREFIX):
            prefix, aad = PREFIX, purpose
        elif token.startswith(PREFIX_V2) and row is not None:
            prefix, aad = PREFIX_V2, bound_aad(purpose, row)
        else:
            raise DecryptionError(f"Stored value for {purpose} has an unknown format")
        try:
            raw = base64.b64decode(token[len(prefix) :])
            return self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad.encode()).decode("utf-8")
        except Exception as exc:
            raise DecryptionError(f"Stored value for {purpose} could not be decrypted (altered, or moved from another record)") from exc

    def seal_json(self, value: Any, purpose: str, row: str | None = None) -> str:
        if value in (None, "", [], {}):
            return ""
        return self.seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")), purpose, row)

    def open_json(self, token: str | None, purpose: str, default: Any = None, row: str | None = None) -> Any:
        text = self.open(token, purpose, row)
        if not text:
            return default
        return json.loads(text)

    def search_tokens(self, *texts: str) -> set[str]:
        """Keyed hashes of every word in the texts (see module docstring)."""
        tokens: set[str] = set()
        for text in texts:
            for word in words(text):
                tokens.add(self.search_token(word))
        return tokens

    def search_token(self, word: str) -> str:
        return hmac.new(self._search_key, word.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def bound_aad(purpose: str, row: str) -> str:
    """The associated data of a v2 value: ``<model>.<field>@<row uuid>``."""
    return f"{purpose}@{row}"


_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    """Normalised words for search: NFKC, case-folded, at least two characters, at most 64."""
    if not text:
        return []
    normal = unicodedata.normalize("NFKC", text).casefold()
    return [w for w in _WORD.findall(normal) if 2 <= len(w) <= 64]
