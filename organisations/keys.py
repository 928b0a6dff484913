"""Key hierarchy of the service side.

master key (environment) -> organisation key (wrapped by the master key, context ``organisation:<uuid>``)
-> client data key (wrapped by the organisation key, context ``client:<uuid>``).

The organisation key also derives (HKDF) the key of the organisation's blind index, so equal names, dates of
birth and phone numbers match across the organisation's clients and reveal nothing across organisations.
Re-wrapping an organisation key under a new master key changes no client key and no field.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kernel import crypto

NONCE_BYTES = 12


def wrap_under(kek: bytes, data_key: bytes, context: str) -> bytes:
    """Wrap ``data_key`` with a key-encryption key (AES-256-GCM, the context as associated data)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(kek).encrypt(nonce, data_key, b"daybook.datakey:" + context.encode())


def unwrap_under(kek: bytes, wrapped: bytes, context: str) -> bytes:
    raw = bytes(wrapped)
    try:
        return AESGCM(kek).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], b"daybook.datakey:" + context.encode())
    except Exception as exc:
        raise crypto.DecryptionError(f"The key for {context} could not be unwrapped") from exc


def index_key(org_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"daybook.organisation.blind-index.v1").derive(org_key)


def blind_token(key: bytes, kind: str, normalised: str) -> str:
    """HMAC-SHA256 of ``kind:value`` under the organisation's index key (hex, 32 characters)."""
    return hmac.new(key, f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()[:32]


def token_hash(token: str) -> str:
    """How invitation tokens are stored: SHA-256 (the token is 32 random bytes, so no slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def rewrap_organisations() -> tuple[int, int]:
    """Re-wrap every organisation key with the current master key (client keys and fields are unchanged).

    Called by ``manage.py rotate_master_key`` after the case keys. Returns (re-wrapped, already current)."""
    from django.db import transaction  # noqa: PLC0415

    from organisations.models import Organisation  # noqa: PLC0415

    done = already = 0
    for pk in Organisation.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            org = Organisation.objects.select_for_update().get(pk=pk)
            wrapped, key_id, changed = crypto.rewrap_key(bytes(org.wrapped_key), org.key_context)
            if changed or org.key_id != key_id:
                Organisation.objects.filter(pk=pk).update(wrapped_key=wrapped, key_id=key_id)
                done += 1
            else:
                already += 1
    return done, already
