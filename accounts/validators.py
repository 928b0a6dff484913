"""Passphrase rules that suit frightened people: length over complexity, and an offline check
against common passwords (Django's bundled list of 20 000), never a network look-up."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

DEFAULT_MIN_LENGTH = 12
SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl", "zxcvbnm")
# The whole passphrase is one short piece said again and again ("dogdogdogdog", "abcdabcdabcd").
REPEATED_UNIT = re.compile(r"(.{1,6}?)\1+")


class PassphraseLengthValidator:
    def __init__(self, min_length: int = DEFAULT_MIN_LENGTH, max_length: int = 200) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"Use at least {self.min_length} characters. Three or four ordinary words are easy to remember "
                "and hard to guess, for example ‘kettle orange bicycle harbour’.",
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(f"Use at most {self.max_length} characters.", code="password_too_long")

    def get_help_text(self) -> str:
        return f"At least {self.min_length} characters. Several ordinary words work well. No need for symbols or numbers."


class NotRepetitiveValidator:
    """Refuse passphrases made of a few repeated characters, one short piece repeated, or a simple sequence."""

    def validate(self, password: str, user: Any = None) -> None:
        lowered = password.lower()
        squashed = re.sub(r"\s+", "", lowered)
        if len(set(squashed)) <= 3 or (len(squashed) >= 2 and REPEATED_UNIT.fullmatch(squashed)):
            raise ValidationError("This passphrase repeats the same few characters. Try a few different words.", code="password_repetitive")
        if len(squashed) >= 8:
            for seq in SEQUENCES:
                if squashed in seq * 3 or squashed in seq[::-1] * 3:
                    raise ValidationError("This passphrase is a simple sequence. Try a few different words.", code="password_sequence")

    def get_help_text(self) -> str:
        return "Not a repeated character or a keyboard sequence."


def min_passphrase_length() -> int:
    for validator in settings.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith("PassphraseLengthValidator"):
            return int(validator.get("OPTIONS", {}).get("min_length", DEFAULT_MIN_LENGTH))
    return DEFAULT_MIN_LENGTH


def passphrase_rule() -> str:
    """The rule, said once and plainly, shown before the person starts typing."""
    return (
        f"Use at least {min_passphrase_length()} characters. Three or four ordinary words work well, "
        "for example ‘kettle orange bicycle harbour’. You do not need symbols or numbers. "
        "Avoid common passwords and anything that repeats."
    )
