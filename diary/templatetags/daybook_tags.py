from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from diary import taxonomy
from kernel import localtime
from kernel.words import weekday_day

register = template.Library()


@register.filter
def is_group(value: Any) -> bool:
    return isinstance(value, list | tuple)


@register.filter
def when(incident: Any) -> str:
    """The incident's date and time as the person gave it (approximate times marked)."""
    local = incident.occurred_at.astimezone(localtime.local_tz())
    text = weekday_day(local)
    if incident.time_precision == "exact":
        text += local.strftime(", %H:%M")
    elif incident.time_precision == "approx":
        text += local.strftime(", about %H:%M")
    else:
        text += ", time not known"
    if incident.ended_at:
        end = incident.ended_at.astimezone(localtime.local_tz())
        text += " to " + (end.strftime("%H:%M") if end.date() == local.date() else end.strftime("%-d %b %Y %H:%M"))
    return text


@register.filter
def local_dt(value: dt.datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(localtime.local_tz()).strftime("%-d %b %Y, %H:%M")


@register.filter
def channel_label(code: str) -> str:
    return dict(taxonomy.CHANNELS).get(code, code)


@register.filter
def place_label(code: str) -> str:
    return dict(taxonomy.LOCATION_KINDS).get(code, code)


@register.filter
def get(mapping: dict, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
