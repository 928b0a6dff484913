"""A descriptor that reads and writes an encrypted text column through the owning case's cipher."""

from __future__ import annotations

from typing import Any

# The values seal_json stores as "" (kernel/crypto.py).
_EMPTY_JSON = (None, "", [], {})


class Sealed:
    """``description = Sealed("description_enc")``: ``obj.description`` reads plaintext, assignment seals.

    The model must provide ``get_cipher()`` returning a :class:`kernel.crypto.CaseCipher`.
    The purpose is ``<model name>.<attribute name>``. On a model with a ``uuid`` field, values are written in
    format v2, bound to the row (associated data ``<purpose>@<uuid>``): moved to another row, they no longer open.
    Values written in format v1 (bound to the purpose only; every value of a model without a uuid) keep opening.
    """

    def __init__(self, column: str, json: bool = False) -> None:
        self.column = column
        self.json = json
        self.name = ""
        self.purpose = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.purpose = f"{owner.__name__.lower()}.{name}"

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        cache = obj.__dict__.setdefault("_sealed_cache", {})
        token = getattr(obj, self.column)
        hit = cache.get(self.name)
        if hit is not None and hit[0] == token:
            return hit[1]
        cipher = obj.get_cipher()
        row = _row(obj)
        value = cipher.open_json(token, self.purpose, default=[], row=row) if self.json else cipher.open(token, self.purpose, row)
        cache[self.name] = (token, value)
        return value

    def __set__(self, obj: Any, value: Any) -> None:
        cipher = obj.get_cipher()
        if value in _EMPTY_JSON if self.json else not value:
            token = ""  # what seal and seal_json give for an absent value, without working out the row
        else:
            token = cipher.seal_json(value, self.purpose, _row(obj)) if self.json else cipher.seal(value, self.purpose, _row(obj))
        setattr(obj, self.column, token)
        obj.__dict__.setdefault("_sealed_cache", {})[self.name] = (token, value if value is not None else "")


def _row(obj: Any) -> str | None:
    """The row identity a v2 value is bound to: the row's uuid, or None (format v1) for models without one."""
    value = getattr(obj, "uuid", None)
    return str(value) if value else None
