"""Normalised forms for the blind index: names, dates of birth and phone numbers (through ``phonenumbers``).

Two spellings a caseworker would call "the same" normalise alike: case, accents, punctuation, extra spaces and
word order ("SMITH, Jane" and "jane smith") do not matter."""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata

import phonenumbers

_NOT_LETTERS = re.compile(r"[^\w\s]|_|\d", re.UNICODE)


def normal_name(name: str) -> str:
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    words = _NOT_LETTERS.sub(" ", text).split()
    return " ".join(sorted(words))


def normal_date(value: dt.date | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError:
        return ""


@functools.lru_cache(maxsize=4096)  # a referral's numbers are checked, then indexed: parsed once
def normal_phone(number: str, region: str = "GB") -> str:
    """E.164 form of a valid number, or "" when ``phonenumbers`` cannot make sense of it."""
    try:
        parsed = phonenumbers.parse(number or "", region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normal_email(address: str) -> str:
    """An e-mail address as a caseworker would compare it: trimmed, case ignored; "" when it is not one."""
    text = unicodedata.normalize("NFKC", address or "").strip().casefold()
    return text if text.count("@") == 1 and "." in text.rsplit("@", 1)[1] and " " not in text else ""
