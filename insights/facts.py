"""The compact facts the analysis works on: one query, no decryption.

Only columns that are stored in clear (dates, codes, flags, counts) are read: the analysis never
needs what happened in the person's words. Retracted incidents are counted and left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings


class Fact(NamedTuple):
    """One incident, as the analysis sees it. ``hour`` is None when only the date is known."""

    number: int
    t: float  # start, seconds since the epoch
    end: float | None  # end, if given
    day: dt.date  # local date
    hour: int | None  # local hour (0-23), None when only the date is known
    codes: tuple[str, ...]
    channel: str
    place: str
    how_many: int  # contacts in this incident (1 when not given)
    danger: bool
    reported: bool
    order: int | None  # id of the order it breached, if marked
    quick: bool  # a quick note not yet completed


@dataclass
class FactSet:
    facts: list[Fact]  # not retracted, in the order they happened
    retracted: int


COLUMNS = (
    "number",
    "occurred_at",
    "ended_at",
    "time_precision",
    "behaviours",
    "channel",
    "location_kind",
    "how_many",
    "felt_in_danger",
    "reported",
    "breached_order_id",
    "needs_detail",
    "retracted",
)


def local_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def make_fact(
    number: int,
    occurred_at: dt.datetime,
    ended_at: dt.datetime | None = None,
    precision: str = "exact",
    codes: tuple[str, ...] | list[str] | str = (),
    channel: str = "",
    place: str = "",
    how_many: int | None = None,
    danger: bool = False,
    reported: bool = False,
    order: int | None = None,
    quick: bool = False,
    tz: ZoneInfo | None = None,
) -> Fact:
    local = occurred_at.astimezone(tz or local_tz())
    if isinstance(codes, str):
        codes = tuple(codes.split())
    return Fact(
        number,
        occurred_at.timestamp(),
        ended_at.timestamp() if ended_at else None,
        local.date(),
        None if precision == "date" else local.hour,
        tuple(codes),
        channel or "",
        place or "",
        how_many if how_many and how_many > 0 else 1,
        bool(danger),
        bool(reported),
        order,
        bool(quick),
    )


def from_rows(rows: Any) -> FactSet:
    """Facts from rows of :data:`COLUMNS`, already in time order."""
    tz = local_tz()
    facts: list[Fact] = []
    append = facts.append
    retracted = 0
    for number, occurred, ended, precision, behaviours, channel, place, how_many, danger, reported, order, quick, gone in rows:
        if gone:
            retracted += 1
            continue
        local = occurred.astimezone(tz)
        append(
            Fact(
                number,
                occurred.timestamp(),
                ended.timestamp() if ended is not None else None,
                local.date(),
                None if precision == "date" else local.hour,
                tuple(behaviours.split()) if behaviours else (),
                channel,
                place,
                how_many if how_many else 1,
                danger,
                reported,
                order,
                quick,
            )
        )
    return FactSet(facts, retracted)


def load(case: Any) -> FactSet:
    """Every incident of ``case`` in one query over the timeline index, as facts."""
    from diary.models import Incident  # noqa: PLC0415

    rows = Incident.objects.filter(case=case).order_by("occurred_at", "id").values_list(*COLUMNS)
    return from_rows(rows.iterator(chunk_size=5000))
