"""First-contact deadlines in working days, with the bank holidays of the organisation's nation.

The deadline is the organisation's contract setting per risk level (organisations.OrganisationSettings), not the
police's two working days of the Victims' Code (their time to pass details on). Counting: the day the referral
arrives does not count; the deadline is the end (23:59:59, local time) of the Nth working day after it. Zero days
means the end of the day it arrives, or of the next working day if it arrives on a weekend or bank holiday.
Bank holidays differ by nation (Scotland: 2 January, St Andrew's Day, the first Monday of August; Northern Ireland:
St Patrick's Day, the Battle of the Boyne; England and Wales: Easter Monday, the last Monday of August), so they
come from the ``holidays`` package for the organisation's subdivision.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays
from django.utils import timezone


@lru_cache(maxsize=64)
def bank_holidays(nation: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("GB", subdiv=nation, years=year).keys())


def is_working_day(day: dt.date, nation: str) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(nation, day.year)


def add_working_days(start: dt.date, days: int, nation: str) -> dt.date:
    """The Nth working day after ``start`` (``start`` itself not counted)."""
    day = start
    if days <= 0:
        while not is_working_day(day, nation):
            day += dt.timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return day


def due_at(received_at: dt.datetime, days: int, nation: str) -> dt.datetime:
    """The end of the deadline day, as an aware datetime."""
    tz = timezone.get_current_timezone()
    return _end_of_due_day(timezone.localtime(received_at, tz).date(), days, nation, tz)


@lru_cache(maxsize=1024)
def _end_of_due_day(received: dt.date, days: int, nation: str, tz: dt.tzinfo) -> dt.datetime:
    """The same for every referral received that day (a daily file works it out once, not once a row)."""
    end = dt.datetime.combine(add_working_days(received, days, nation), dt.time(23, 59, 59))
    return timezone.make_aware(end, tz)


def working_days_between(start: dt.date, end: dt.date, nation: str) -> int:
    """Working days after ``start`` up to and including ``end`` (for reports of time to first contact)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, nation):
            count += 1
    return count
