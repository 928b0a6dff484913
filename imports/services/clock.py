"""The time zone the person confirms for an export, and wall-clock times read in it.

Exports carry the phone's wall-clock time without a zone. A wall time that happens twice (the hour the clocks go
back) is read as the FIRST of the two (summer time, Python's fold=0); a wall time that never happened (the hour the
clocks go forward) is read with the offset from before the change (01:30 on the spring day in London is taken as
01:30 GMT, which is 02:30 BST). Formats with absolute instants (``Record.utc_time``) are used as they are and shown
in the chosen zone.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings

from imports.errors import ImportRefused


def default_zone() -> str:
    """The zone offered first: the server's."""
    return getattr(settings, "TIME_ZONE", "Europe/London") or "Europe/London"


def zone(name: str) -> ZoneInfo:
    """The named zone; ``ImportRefused`` when Daybook does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ImportRefused(f"{name!r} is not a time zone Daybook knows.") from exc


class Clock:
    """Wall-clock times in the confirmed zone to UTC (see the module docstring for clock changes)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def utc(self, local: dt.datetime) -> dt.datetime:
        return local.replace(tzinfo=self.tz, fold=0).astimezone(dt.UTC)

    def local(self, instant: dt.datetime) -> dt.datetime:
        return instant.astimezone(self.tz).replace(tzinfo=None)
