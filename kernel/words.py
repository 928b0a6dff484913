"""Counts and dates in words, as Daybook writes them in findings, incidents and reports."""

from __future__ import annotations

import datetime as dt


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 message", "3 messages", "2 replies" (with ``many``)."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def day_text(d: dt.date) -> str:
    """ "3 March 2025"."""
    return f"{d.day} {d:%B %Y}"


def short_day(d: dt.date) -> str:
    """ "3 Mar 2025"."""
    return f"{d.day} {d:%b %Y}"


def weekday_day(d: dt.date) -> str:
    """ "Mon 3 Mar 2025"."""
    return f"{d:%a} {d.day} {d:%b %Y}"
