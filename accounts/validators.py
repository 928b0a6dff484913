"""Passphrase rules that suit frightened people: length over complexity, and an offline check
against common passwords (Django's bundled list of 20 000), never a network look-up."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


class PassphraseLengthValidator:
    def __init__(self, min_length: int = 12, max_length: int = 200) -> None:
        self.min_length = min_length
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"Use at least {self.min_length} characters. Three or four ordinary words are easy to remember and hard to guess, for example 'kettle orange bicycle harbour'.",
                code="password_too_short",
            )
        if len(password) > self.max_length:
            raise ValidationError(f"Use at most {self.max_length} characters.", code="password_too_long")

    def get_help_text(self) -> str:
        return f"At least {self.min_length} characters. Several ordinary words work well. No need for symbols or numbers."


class NotRepetitiveValidator:
    """Refuse passphrases made of one repeated character or a simple sequence."""

    def validate(self, password: str, user: Any = None) -> None:
        distinct = set(password.lower())
        if len(distinct) <= 3:
            raise ValidationError("This passphrase repeats the same few characters. Try a few different words.", code="password_repetitive")
        lowered = password.lower()
        for seq in ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiop", "asdfghjkl"):
            if len(lowered) >= 8 and lowered in (seq * 3):
                raise ValidationError("This passphrase is a simple sequence. Try a few different words.", code="password_sequence")

    def get_help_text(self) -> str:
        return "Not a repeated character or a keyboard sequence."
