"""The columns stored in clear of a case's incidents and imported messages, loaded for the analysis: one query for
the incidents, three small ones for the imports' flags, and nothing decrypted.

Only columns that are stored in clear (dates, codes, flags, counts) are read: the analysis never needs what happened
in the person's words. Retracted incidents are counted and left out. Local day and hour come from a clock that looks
the zone's offset up once per UTC day (exact across clock changes). The values it makes (``Fact``, ``Imported``) are
defined with the analysis, in ``insights.analysis.inputs``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast

from diary.models import Incident
from imports.models import ImportDay, ImportedItem
from insights import thresholds as T
from insights.analysis import no_gc
from insights.analysis.inputs import UNTIMED, Fact, Imported, ImportedBurst
from kernel import night
from kernel.localtime import local_tz


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


class LocalClock:
    """UTC timestamps to local (date, hour), fast: the zone's offset is looked up once per UTC day and reused for
    every incident that day, except on the rare days when the offset changes (then each time is converted)."""

    def __init__(self, tz: ZoneInfo | None = None) -> None:
        self.tz = tz or local_tz()
        self.offsets: dict[int, Any] = {}
        self.dates: dict[int, dt.date] = {}

    def _offset(self, utc_day: int) -> int | None:
        start = dt.datetime.fromtimestamp(utc_day * 86400, self.tz).utcoffset()
        end = dt.datetime.fromtimestamp(utc_day * 86400 + 86399, self.tz).utcoffset()
        if start != end or start is None:
            return None  # the clocks change this day
        return int(start.total_seconds())

    def local(self, t: float) -> tuple[dt.date, int]:
        utc_day = int(t // 86400)
        offset = self.offsets.get(utc_day, _UNKNOWN)
        if offset is _UNKNOWN:
            offset = self.offsets[utc_day] = self._offset(utc_day)
        if offset is None:
            moment = dt.datetime.fromtimestamp(t, self.tz)
            return moment.date(), moment.hour
        shifted = int(t // 1) + offset
        day_number, seconds = divmod(shifted, 86400)
        day = self.dates.get(day_number)
        if day is None:
            day = self.dates[day_number] = dt.date.fromordinal(EPOCH_ORDINAL + day_number)
        return day, seconds // 3600


EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_UNKNOWN: Any = object()


def _timestamp(value: Any) -> float | None:
    """A stored datetime as a UTC timestamp: SQLite gives naive UTC text, PostgreSQL aware datetimes."""
    if value is None:
        return None
    if isinstance(value, str):
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC).timestamp()
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC).timestamp()
    return value.timestamp()


class UTCText:
    """SQLite's stored text ``YYYY-MM-DD HH:MM:SS[.ffffff]`` (naive UTC) to a timestamp, parsing each hour once."""

    def __init__(self) -> None:
        self.hours: dict[str, float] = {}

    def __call__(self, text: str) -> float:
        if len(text) not in (19, 26):
            return _timestamp(text)  # type: ignore[return-value]
        base = self.hours.get(text[:13])
        if base is None:
            base = self.hours[text[:13]] = dt.datetime.fromisoformat(text[:13] + ":00:00").replace(tzinfo=dt.UTC).timestamp()
        return base + int(text[14:16]) * 60 + float(text[17:])


def from_rows(rows: Any) -> FactSet:
    """Facts from raw database rows of :data:`COLUMNS` (or the same values from the ORM), already in time order."""
    clock = LocalClock()
    local = clock.local
    utc_text = UTCText()
    new = tuple.__new__
    codes_of: dict[str, tuple[str, ...]] = {}
    facts: list[Fact] = []
    append = facts.append
    retracted = 0
    for number, occurred, ended, precision, behaviours, channel, place, how_many, danger, reported, order, quick, gone in rows:
        if gone:
            retracted += 1
            continue
        t = utc_text(occurred) if occurred.__class__ is str else _timestamp(occurred)
        day, hour = local(t)  # type: ignore[arg-type]
        codes = codes_of.get(behaviours)
        if codes is None:
            codes = codes_of[behaviours] = tuple(behaviours.split()) if behaviours else ()
        append(
            new(
                Fact,
                (
                    number,
                    t,
                    _timestamp(ended) if ended is not None else None,
                    day,
                    None if precision in UNTIMED else hour,
                    codes,
                    channel or "",
                    place or "",
                    how_many or 1,
                    bool(danger),
                    None if reported is None else bool(reported),
                    order,
                    bool(quick),
                ),
            )
        )
    return FactSet(facts, retracted)


def load(case: Any, incidents: QuerySet[Incident] | None = None) -> FactSet:
    """Every incident of ``case`` (or only ``incidents``, a queryset of the case's incidents: a report's selection) in
    one query over the timeline index, as facts in time order.

    The query is built by the ORM (``values_list`` of the columns stored in clear) and run on a cursor, so the
    rows skip the per-value converters; :func:`from_rows` reads SQLite's and PostgreSQL's values alike."""

    qs = Incident.objects.all() if incidents is None else incidents
    qs = qs.filter(case=case).order_by("occurred_at", "id")
    if connections[qs.db].vendor == "sqlite":
        # As text: SQLite's datetime converter (a Python call per value) is skipped and UTCText parses each hour once.
        qs = qs.annotate(occurred_text=Cast("occurred_at", CharField()), ended_text=Cast("ended_at", CharField()))
        columns = ["occurred_text" if c == "occurred_at" else "ended_text" if c == "ended_at" else c for c in COLUMNS]
    else:
        columns = list(COLUMNS)
    sql, params = qs.values_list(*columns).query.sql_with_params()
    with no_gc(), connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        return from_rows(_chain(cursor))


def _chain(cursor: Any) -> Any:
    while True:
        rows = cursor.fetchmany(5000)
        if not rows:
            return
        yield from rows


# --- Imported messages and calls (imports app): their night and burst flags ------------------------------------


def imported_bursts(rows: Any, message_minutes: int, call_minutes: int) -> list[ImportedBurst]:
    """Runs of burst-flagged items from rows of (kind, instant, local day, channel) in (kind, instant) order: a new run
    starts when the gap to the previous flagged item of that kind is more than that kind's window."""
    out: list[ImportedBurst] = []
    current: ImportedBurst | None = None
    last_kind, last_t = "", 0.0
    for kind, at, day, channel in rows:
        t = _timestamp(at)
        window = (message_minutes if kind == "message" else call_minutes) * 60
        if current is None or kind != last_kind or t - last_t > window:
            current = ImportedBurst(kind, 0, [])
            out.append(current)
        current.items += 1
        if not current.days or current.days[-1] != (day, channel):
            current.days.append((day, channel))
        last_kind, last_t = kind, t  # type: ignore[assignment]
    return out


def night_only() -> Q:
    """Imported items at night by the one definition (kernel.night), from the local minute stored in clear: the same
    rule for every import, whatever rule set the item's own ``night`` flag when it was imported."""
    start, end = night.night_minutes()
    return Q(local_minute__gte=start) | Q(local_minute__lt=end)


def load_imported(case: Any) -> Imported:
    """The suspect's imported night-time contact and bursts for ``case`` (three small queries over flags)."""

    suspect = ImportedItem.objects.filter(case=case, suspect=True)
    items = suspect.count()
    if not items:
        return Imported()
    incidents = {(d, c): n for d, c, n in ImportDay.objects.filter(case=case, incident__retracted=False).values_list("day", "channel", "incident__number")}
    night = [
        (d, c, n)
        for d, c, n in suspect.filter(night_only()).values_list("local_day", "channel").annotate(n=Count("id")).order_by("local_day", "channel")
        if (d, c) in incidents
    ]
    rows = suspect.filter(burst=True).order_by("kind", "at", "id").values_list("kind", "at", "local_day", "channel")
    found = imported_bursts(rows.iterator(chunk_size=5000), T.IMPORT_BURST_MESSAGE_MINUTES.value, T.IMPORT_BURST_CALL_MINUTES.value)
    for burst in found:
        burst.days = [key for key in burst.days if key in incidents]
    bursts = sorted((b for b in found if b.days), key=lambda b: b.days[0])
    return Imported(items, night, bursts, incidents)
