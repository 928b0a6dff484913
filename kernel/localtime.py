"""Daybook's local time: the zone (settings.TIME_ZONE), now and today in it, a local day's bounds, the week's Monday.

Every app asks here; none computes these on its own.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone


def local_tz() -> ZoneInfo:
    """The zone the person's diary is kept in."""
    return ZoneInfo(settings.TIME_ZONE)


def now_local() -> dt.datetime:
    """Now, as an aware datetime in the local zone."""
    return timezone.now().astimezone(local_tz())


def today() -> dt.date:
    """Today's date in the local zone."""
    return now_local().date()


def local(moment: dt.datetime) -> dt.datetime:
    """An aware instant as the local wall clock shows it (aware, in the local zone)."""
    return moment.astimezone(local_tz())


def local_day(moment: dt.datetime) -> dt.date:
    """The local date of an aware instant."""
    return local(moment).date()


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day`` (aware)."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=local_tz())


def day_bounds(day_from: dt.date, day_to: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the local days from ``day_from`` to ``day_to`` (the same day when not given), for
    ``__gte`` and ``__lt`` filters."""
    return day_start(day_from), day_start((day_to or day_from) + dt.timedelta(days=1))


def week_start(d: dt.date) -> dt.date:
    """The Monday of the week of ``d``."""
    return d - dt.timedelta(days=d.weekday())


def week_of(moment: dt.datetime) -> dt.date:
    """The Monday of the local week of an aware instant."""
    return week_start(local_day(moment))
