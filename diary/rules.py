"""Rules for what an incident may say. Plain Python, used by the forms and by any import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from diary import taxonomy
from kernel.limits import EARLIEST, MAX_SHORT, MAX_TEXT
from kernel.localtime import local_tz, now_local

# Stated limits (shown on the forms); the ones every app shares (MAX_TEXT, MAX_SHORT, EARLIEST) are in kernel.limits.
MAX_DESCRIPTION = 10_000
MAX_HOW_MANY = 100_000
MAX_WITNESSES = 10
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


def combine(date: dt.date, time: dt.time | None, unknown: dt.time = dt.time(12, 0)) -> dt.datetime:
    """A local date and optional time as an aware datetime.

    When the time is not known it stands at ``unknown`` (midday for a start, the day's last minute for an end), but
    never later than now: a day-only note written this morning is not "in the future"."""
    if time is not None:
        return dt.datetime.combine(date, time, tzinfo=local_tz())
    when = dt.datetime.combine(date, unknown, tzinfo=local_tz())
    now = now_local().replace(second=0, microsecond=0)
    return min(when, now) if date == now.date() else when


def check_when(occurred_at: dt.datetime, ended_at: dt.datetime | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    now = timezone.now()
    if occurred_at.date() < EARLIEST:
        errors["date"] = "The date must be after 1900."
    elif occurred_at > now + FUTURE_TOLERANCE:
        errors["date"] = "The date and time cannot be in the future. Check the date, or use today."
    if ended_at is not None:
        if ended_at < occurred_at:
            errors["end_date"] = "The end must be after the start."
        elif ended_at > now + FUTURE_TOLERANCE:
            errors["end_date"] = "The end cannot be in the future."
    return errors


def check_behaviours(codes: list[str]) -> list[str]:
    return [c for c in codes if not taxonomy.is_known(c)]


TEXT_LIMITS = {
    "description": MAX_DESCRIPTION,
    "feelings": MAX_TEXT,
    "impact": MAX_TEXT,
    "notes": MAX_TEXT,
    "location": MAX_SHORT,
    "report_how": MAX_SHORT,
    "report_officer": MAX_SHORT,
}


def check_incident(data: Any, case_id: int) -> dict[str, str]:
    """Everything the forms refuse, checked again on the way in, whoever writes: the forms, an import, an API.

    ``data`` is a diary.services.IncidentData; returns {field: the person's words} for each problem."""
    errors = check_when(data.occurred_at, data.ended_at)
    if not (data.description or "").strip():
        errors["description"] = "Say what happened"
    for name, limit in TEXT_LIMITS.items():
        if len(getattr(data, name) or "") > limit:
            errors[name] = f"Keep this under {limit:,} characters"
    choices = {"time_precision": taxonomy.TIME_PRECISIONS, "channel": taxonomy.CHANNELS, "location_kind": taxonomy.LOCATION_KINDS}
    for name, options in choices.items():
        value = getattr(data, name)
        if value and value not in {code for code, _ in options}:
            errors[name] = "Choose one of the options"
    if data.how_many is not None and not 1 <= data.how_many <= MAX_HOW_MANY:
        errors["how_many"] = f"Enter a whole number from 1 to {MAX_HOW_MANY:,}"
    unknown = check_behaviours(list(data.behaviours))
    if unknown:
        errors["behaviours"] = "Choose behaviours from the list"
    if len(data.witnesses or []) > MAX_WITNESSES:
        errors["witnesses"] = f"Up to {MAX_WITNESSES} witnesses"
    for name in ("crime_reference", "breached_order"):
        linked = getattr(data, name)
        if linked is not None and linked.case_id != case_id:
            errors[name] = "Choose one from this case"
    return errors
