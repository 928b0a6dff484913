"""Counts and dates in words, as Daybook writes them in findings, incidents and reports."""

from __future__ import annotations

import datetime as dt
import re


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


NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def number_word(n: int) -> str:
    """Numbers below ten in words ("one", "nine"), larger ones in figures ("10", "1,200"), as in plain English."""
    return NUMBER_WORDS[n] if 0 <= n < 10 else f"{n:,}"


def count_words(n: int, word: str, many: str | None = None) -> str:
    """ "one incident", "three messages", "12 incidents": a count in words, with the noun agreeing."""
    return f"{number_word(n)} {word if n == 1 else (many or word + 's')}"


def figure(x: float, places: int = 1) -> str:
    """A ratio or average without a needless ".0": 26.0 -> "26", 2.54 -> "2.5"."""
    text = f"{x:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def times(n: float) -> str:
    """How many times: "once", "twice", "23 times", "2.5 times" (never "1 times" or "26.0 times")."""
    if n == 1:
        return "once"
    if n == 2:
        return "twice"
    return f"{figure(n)} times"


ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


def moment_words(moment: dt.datetime | str | None, *, seconds: bool = False) -> str:
    """A date and time (often an ISO string read from a file: EXIF, a video's header) as people write it,
    "2 Dec 2026, 22:47" (with ``seconds``, "22:47:13"; "UTC" added when the text said so). Text that is not a
    date-time is returned unchanged."""
    if not moment:
        return ""
    utc = ""
    if isinstance(moment, str):
        text = moment.strip()
        if not ISO_MOMENT.match(text):
            return moment
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
        utc = " UTC" if text.endswith(("Z", "+00:00")) else ""
    clock = f"{moment:%H:%M:%S}" if seconds else f"{moment:%H:%M}"
    return f"{moment.day} {moment:%b %Y}, {clock}{utc}"
