"""Canonical serialisation for hashing.

The payload is JSON with: keys sorted by code point, no insignificant whitespace
(separators "," and ":"), UTF-8 without escaping non-ASCII, and only strings, integers,
booleans, null, lists and objects (no floats). Timestamps are strings in UTC,
``YYYY-MM-DDTHH:MM:SS.ffffffZ``; dates ``YYYY-MM-DD``. For this subset the output equals
RFC 8785 (JSON Canonicalization Scheme), so any JCS library recomputes the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any


def canonical_bytes(payload: Any) -> bytes:
    _check(payload)
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(payload: Any) -> str:
    return hashlib.sha256(canonical_bytes(payload)).hexdigest()


def ts(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _check(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("floats are not allowed in canonical payloads")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("object keys must be strings")
            _check(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check(item)
    elif not (value is None or isinstance(value, str | int | bool)):
        raise TypeError(f"{type(value).__name__} is not allowed in canonical payloads")
