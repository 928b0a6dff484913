"""Dates and counts in words, as the findings write them."""

from __future__ import annotations

import datetime as dt


def day_text(d: dt.date) -> str:
    return f"{d.day} {d:%B %Y}"


def short_day(d: dt.date) -> str:
    return f"{d.day} {d:%b %Y}"


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"
