"""Shared checks of care's writes: text lengths, dates in order, and the named numbers care uses."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from casework import deadlines

SHORT = 200  # a name, a school, a reference
MEDIUM = 1_000  # a step, a note
LONG = 8_000  # a summary, a safety plan section

# Working days before a safeguarding referral's outcome is chased, when the caseworker gives no date. Children's
# social care are expected to decide on next steps within one working day of a referral (Working Together to
# Safeguard Children; check the paragraph in the edition in force); using the same day for the MASH and the LADO,
# and five working days for adult safeguarding (no statutory clock: Care Act 2014 s.42 enquiries follow local
# procedures), are Daybook's choices. The caseworker can set any date.
OUTCOME_DAYS = {"children": 1, "mash": 1, "lado": 1, "adults": 5}
# A day is "out of hours" outside 09:00-17:00 on a working day of the organisation's nation.
OFFICE_HOURS = (dt.time(9, 0), dt.time(17, 0))
DUE_SOON_DAYS = 7  # the dashboard's "due soon"


def today() -> dt.date:
    return timezone.localdate()


def text(value: str, name: str, limit: int, errors: dict[str, str], *, required: str = "") -> str:
    """The stripped text; an error in ``errors`` when it is required and empty, or too long."""
    value = (value or "").strip()
    if required and not value:
        errors[name] = required
    elif len(value) > limit:
        errors[name] = f"Keep this to {limit:,} characters or fewer (it has {len(value):,})."
    return value


def not_future(value: dt.date | None, name: str, errors: dict[str, str], words: str) -> None:
    if value and value > today():
        errors[name] = f"{words} cannot be in the future."


def raise_if(errors: dict[str, str]) -> None:
    if errors:
        raise ValidationError(errors)


def out_of_hours(at: dt.datetime, nation: str) -> bool:
    local = timezone.localtime(at)
    start, end = OFFICE_HOURS
    return not deadlines.is_working_day(local.date(), nation) or not (start <= local.time() < end)


def default_outcome_due(agency: str, made: dt.date, nation: str) -> dt.date:
    return deadlines.add_working_days(made, OUTCOME_DAYS.get(agency, 5), nation)
