"""The compact facts the analysis works on: one query, no decryption.

Only columns that are stored in clear (dates, codes, flags, counts) are read: the analysis never
needs what happened in the person's words. Retracted incidents are counted and left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
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
                    None if precision == "date" else hour,
                    codes,
                    channel or "",
                    place or "",
                    how_many or 1,
                    bool(danger),
                    bool(reported),
                    order,
                    bool(quick),
                ),
            )
        )
    return FactSet(facts, retracted)


def load(case: Any) -> FactSet:
    """Every incident of ``case`` in one query over the timeline index, as facts.

    The query is built by the ORM (``values_list`` of the columns stored in clear) and run on a cursor, so the
    rows skip the per-value converters; :func:`from_rows` reads SQLite's and PostgreSQL's values alike."""
    from django.db import connections  # noqa: PLC0415
    from django.db.models import CharField  # noqa: PLC0415
    from django.db.models.functions import Cast  # noqa: PLC0415

    from diary.models import Incident  # noqa: PLC0415
    from insights.analysis import no_gc  # noqa: PLC0415

    qs = Incident.objects.filter(case=case).order_by("occurred_at", "id")
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


@dataclass
class ImportedBurst:
    """A run of the suspect's imported messages (or calls) flagged as a burst when imported."""

    kind: str  # "message" or "call"
    items: int
    days: list[tuple[dt.date, str]]  # (local day, diary channel) the run falls on, in order


@dataclass
class Imported:
    """What the findings use of imported messages and calls: flags and counts stored in clear, nothing decrypted.

    Days whose imported incident was retracted are left out, as retracted incidents are."""

    items: int = 0  # the suspect's imported messages and calls (0: nothing imported)
    night: list[tuple[dt.date, str, int]] = field(default_factory=list)  # (day, channel, messages or calls at night)
    bursts: list[ImportedBurst] = field(default_factory=list)
    incidents: dict[tuple[dt.date, str], int] = field(default_factory=dict)  # (day, channel) -> incident number

    def only(self, numbers: set[int]) -> Imported:
        """The same, limited to the days whose incident is one of ``numbers`` (a report's selection)."""
        keep = {key: n for key, n in self.incidents.items() if n in numbers}
        night = [row for row in self.night if (row[0], row[1]) in keep]
        bursts = [ImportedBurst(b.kind, b.items, [d for d in b.days if d in keep]) for b in self.bursts]
        return Imported(self.items if keep else 0, night, [b for b in bursts if b.days], keep)


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


def load_imported(case: Any) -> Imported:
    """The suspect's imported night-time contact and bursts for ``case`` (three small queries over flags)."""
    from django.db.models import Count  # noqa: PLC0415

    from imports.models import ImportDay, ImportedItem  # noqa: PLC0415
    from insights import thresholds as T  # noqa: PLC0415

    suspect = ImportedItem.objects.filter(case=case, suspect=True)
    items = suspect.count()
    if not items:
        return Imported()
    incidents = {(d, c): n for d, c, n in ImportDay.objects.filter(case=case, incident__retracted=False).values_list("day", "channel", "incident__number")}
    night = [
        (d, c, n)
        for d, c, n in suspect.filter(night=True).values_list("local_day", "channel").annotate(n=Count("id")).order_by("local_day", "channel")
        if (d, c) in incidents
    ]
    rows = suspect.filter(burst=True).order_by("kind", "at", "id").values_list("kind", "at", "local_day", "channel")
    found = imported_bursts(rows.iterator(chunk_size=5000), T.IMPORT_BURST_MESSAGE_MINUTES.value, T.IMPORT_BURST_CALL_MINUTES.value)
    for burst in found:
        burst.days = [key for key in burst.days if key in incidents]
    bursts = sorted((b for b in found if b.days), key=lambda b: b.days[0])
    return Imported(items, night, bursts, incidents)
