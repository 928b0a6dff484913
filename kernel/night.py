"""What Daybook calls night-time, defined once.

The diary's findings (``insights.analysis``), the flags set on imported messages and calls (``imports.flags``) and
every page, incident text and report that says "at night" read this module, so one case never shows two
definitions. Daybook's choice: the hours when most people are asleep.
"""

from __future__ import annotations

import datetime as dt

FROM_HOUR = 23  # night starts at 11pm...
TO_HOUR = 6  # ...and ends at 6am (exclusive: 05:59 is night, 06:00 is not)

WORDS = "between 11pm and 6am"  # as the findings and pages say it
SPAN = "11pm to 6am"  # short form, in brackets after "at night"
SOURCE = "Daybook's choice: the hours when most people are asleep. Incidents with only a date (no time) are left out."


def is_night_hour(hour: int) -> bool:
    """Whether a local hour (0-23) is at night."""
    return hour >= FROM_HOUR or hour < TO_HOUR


def is_night(local: dt.datetime) -> bool:
    """Whether a wall-clock time is at night."""
    return is_night_hour(local.hour)


def night_minutes() -> tuple[int, int]:
    """Night as minutes of the day: (from, to), the night being ``minute >= from or minute < to``."""
    return FROM_HOUR * 60, TO_HOUR * 60
