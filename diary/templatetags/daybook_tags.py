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
    local = localtime.local(incident.occurred_at)
    text = weekday_day(local)
    if incident.time_precision == "exact":
        text += local.strftime(", %H:%M")
    elif incident.time_precision == "approx":
        text += local.strftime(", about %H:%M")
    elif incident.time_precision == "recorded":
        text += local.strftime(", written at %H:%M (time of writing, not said when it happened)")
    else:
        text += ", time not known"
    if incident.ended_at:
        end = localtime.local(incident.ended_at)
        text += " to " + (end.strftime("%H:%M") if end.date() == local.date() else end.strftime("%-d %b %Y %H:%M"))
    return text


@register.filter
def local_dt(value: dt.datetime | str | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return localtime.local(value).strftime("%-d %b %Y, %H:%M")


@register.filter
def channel_label(code: str) -> str:
    return dict(taxonomy.CHANNELS).get(code, code)


@register.filter
def place_label(code: str) -> str:
    return dict(taxonomy.LOCATION_KINDS).get(code, code)


@register.filter
def get(mapping: dict, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None
