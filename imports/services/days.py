"""Phase C of a run, the day incidents: one incident per local day per diary channel for the suspect's messages and
calls ("31 WhatsApp messages and 6 calls, 03:10 to 23:45", flags, the first and the flagged messages quoted).

A day no import has touched gets a new incident (``diary.services.create_incidents``); a day an earlier import made
gets a new version of its incident, written from all the imports' items of that day (``read_day``), keeping what the
person added. Every incident is linked to the export exhibit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from cases.models import Case
from diary import rules
from diary import services as diary
from diary.models import Incident
from evidence import names
from evidence import services as evidence
from evidence.models import Exhibit, ExhibitLink
from imports import flags, phrases
from imports.models import Import, ImportDay, ImportedItem
from imports.services.channels import CHANNEL_CODES, CHANNEL_NAMES, source_of
from imports.services.stats import Stats
from kernel import night
from kernel.words import plural

EXCERPTS = 3  # first messages quoted in a day's incident, and flagged ones
EXCERPT_CHARS = 160
BATCH = 1000  # rows per bulk insert

Quote = tuple[dt.datetime, int, int, str, str]  # (at, seq, minute, text, position)


@dataclass
class DayFacts:
    """What one local day on one diary channel holds of the suspect's contact (kept while importing, or read back)."""

    day: dt.date
    channel: str
    messages: int = 0
    calls: int = 0
    first_at: dt.datetime | None = None
    last_at: dt.datetime | None = None
    first_minute: int = 24 * 60
    last_minute: int = -1
    night: int = 0
    burst: int = 0
    threats: int = 0
    threat_codes: set[str] = field(default_factory=set)
    call_seconds: int = 0
    sources: set[str] = field(default_factory=set)
    senders: set[str] = field(default_factory=set)
    first: list[Quote] = field(default_factory=list)
    flagged: list[Quote] = field(default_factory=list)

    def add(self, at: dt.datetime, seq: int, minute: int, kind: str, source: str, sender: str, text: str, position: str,
            threats: list[str], night: bool, call_seconds: int | None) -> None:  # fmt: skip
        if kind == "call":
            self.calls += 1
            self.call_seconds += call_seconds or 0
        else:
            self.messages += 1
        if self.first_at is None or at < self.first_at:
            self.first_at = at
        if self.last_at is None or at > self.last_at:
            self.last_at = at
        self.first_minute = min(self.first_minute, minute)
        self.last_minute = max(self.last_minute, minute)
        self.night += night
        if len(self.sources) < 5:
            self.sources.add(source)
        if sender and len(self.senders) < 3:
            self.senders.add(sender)
        quote = (at, seq, minute, _excerpt(text), position)
        if kind == "message" and text:
            _keep_earliest(self.first, quote)
        if threats:
            self.threats += 1
            self.threat_codes.update(threats)
            _keep_earliest(self.flagged, quote)


def write_days(job: Import, user: Any, days: dict[tuple[dt.date, str], DayFacts], stats: Stats) -> dict[tuple[dt.date, str], Incident]:
    """Make or update the incident of each day touched and link them to the export; the incident of each day."""
    case = job.case
    exhibit = job.exhibit
    exhibit.case = case
    export_name = names.display_name(exhibit.original_name, "export")
    linked: list[Incident] = []
    by_day: dict[tuple[dt.date, str], Incident] = {}
    # A day dated after now cannot be a diary incident (diary.rules): its items are kept, and the person is told.
    latest = timezone.now() + rules.FUTURE_TOLERANCE
    future = {key for key, facts in days.items() if facts.last_at > latest}
    stats.days_in_future = len(future)
    keys_ = sorted(key for key in days if key not in future)
    existing: dict[tuple[dt.date, str], ImportDay] = {}
    if keys_:
        for row in ImportDay.objects.filter(case=case, day__gte=keys_[0][0], day__lte=keys_[-1][0]).select_related("incident"):
            existing[(row.day, row.channel)] = row
    # Days no import has touched: what was kept while importing is the whole day. Their incidents are recorded
    # together (diary.services.create_incidents: one lock, bulk inserts, the same chain as one by one).
    fresh = [key for key in keys_ if key not in existing]
    made = diary.create_incidents(case, user, [incident_data(days[key], exhibit, export_name) for key in fresh])
    pairs = list(zip(fresh, made, strict=True))
    ImportDay.objects.bulk_create([ImportDay(case=case, day=d, channel=c, incident=i, created_by_import=job) for (d, c), i in pairs], batch_size=BATCH)
    by_day.update(pairs)
    linked += made
    stats.incidents_created += len(made)
    for key in keys_:
        row = existing.get(key)
        if row is None:
            continue
        incident = row.incident
        incident.case = case
        if incident.retracted:
            stats.incidents_kept_retracted += 1
            continue
        data = describe_day(case, exhibit, *key)  # this import's items and the earlier ones
        if data is None:
            continue
        update_incident(incident, user, data)
        stats.incidents_updated += 1
        by_day[key] = incident
        linked.append(incident)
    stats.days = len(by_day)
    if linked:
        current = list(Incident.objects.filter(pk__in=ExhibitLink.objects.filter(exhibit=exhibit).values("incident")))
        wanted = {i.pk: i for i in current}
        wanted.update({i.pk: i for i in linked})
        evidence.set_links(exhibit, user, list(wanted.values()))
    return by_day


def update_incident(incident: Incident, user: Any, data: diary.IncidentData) -> None:
    """A new version of a day's imported incident: the imported facts change; what the person added stays."""
    current = diary.IncidentData.from_incident(incident)
    current.occurred_at = data.occurred_at
    current.ended_at = data.ended_at
    current.time_precision = data.time_precision
    current.how_many = data.how_many
    current.description = data.description
    current.channel = data.channel
    current.location_kind = current.location_kind or data.location_kind
    current.behaviours = sorted(set(current.behaviours) | set(data.behaviours))
    diary.edit_incident(incident, user, current)


def describe_day(case: Case, exhibit: Exhibit, day: dt.date, channel: str) -> diary.IncidentData | None:
    """The incident for one day and channel from all the imports' stored items; None when none is left."""
    facts = read_day(case, day, channel)
    if facts is None:
        return None
    return incident_data(facts, exhibit, names.display_name(exhibit.original_name, "export"))


def read_day(case: Case, day: dt.date, channel: str) -> DayFacts | None:
    """The suspect's stored items (all imports) for one day and channel, read back from the database."""
    qs = ImportedItem.objects.filter(case=case, suspect=True, local_day=day, channel=channel)
    agg = qs.aggregate(
        messages=Count("id", filter=Q(kind="message")),
        calls=Count("id", filter=Q(kind="call")),
        first_at=Min("at"),
        last_at=Max("at"),
        first_minute=Min("local_minute"),
        last_minute=Max("local_minute"),
        night=Count("id", filter=Q(night=True)),
        burst=Count("id", filter=Q(burst=True)),
        threats=Count("id", filter=~Q(threats="")),
        call_seconds=Sum("call_seconds"),
    )
    if not (agg["messages"] + agg["calls"]):
        return None
    facts = DayFacts(day, channel, **{k: v or 0 for k, v in agg.items() if k not in ("first_at", "last_at")})
    facts.first_at, facts.last_at = agg["first_at"], agg["last_at"]
    facts.sources = set(qs.values_list("source", flat=True).distinct()[:5])
    for codes in qs.exclude(threats="").values_list("threats", flat=True).distinct()[:50]:
        facts.threat_codes.update(codes.split())
    for i in _with_case(qs.only("id", "case_id", "sender_enc").order_by("at", "id")[:50], case):
        if i.sender and len(facts.senders) < 3:
            facts.senders.add(i.sender)
    first = _with_case(qs.filter(kind="message").exclude(text_enc="").order_by("at", "id")[:EXCERPTS], case)
    facts.first = [(i.at, i.seq, i.local_minute, _excerpt(i.text), i.position) for i in first]
    flagged = _with_case(qs.exclude(threats="").order_by("at", "id")[:EXCERPTS], case)
    facts.flagged = [(i.at, i.seq, i.local_minute, _excerpt(i.text), i.position) for i in flagged]
    return facts


def incident_data(facts: DayFacts, exhibit: Exhibit, export_name: str) -> diary.IncidentData:
    """The incident for one day and channel: "31 WhatsApp messages and 6 calls, 03:10 to 23:45", flags, quotes."""
    channel = facts.channel
    sources = sorted(facts.sources)
    label = source_of(sources[0])[0] if len(sources) == 1 else CHANNEL_NAMES.get(channel, channel)
    parts = []
    if facts.messages:
        parts.append(plural(facts.messages, f"{label} message"))
    if facts.calls:
        parts.append(plural(facts.calls, "call" if label == "phone" or facts.messages else f"{label} call"))
    first_time, last_time = clock_text(facts.first_minute), clock_text(facts.last_minute)
    span = first_time if first_time == last_time else f"{first_time} to {last_time}"
    headline = f"{' and '.join(parts)}, {span}"
    if facts.senders:
        headline += f", from {', '.join(sorted(facts.senders))}"
    lines = [headline + f". Imported from exhibit {exhibit.reference} ({export_name})."]
    marks = []
    if facts.threats:
        marks.append(f"{plural(facts.threats, 'message')} with threatening words ({', '.join(phrases.label(c) for c in sorted(facts.threat_codes))})")
    if facts.night:
        marks.append(f"{facts.night} at night ({night.SPAN})")
    if facts.burst:
        marks.append(
            f"{facts.burst} in bursts ({flags.BURST_MESSAGES} or more messages within {flags.BURST_MESSAGE_MINUTES} minutes, "
            f"or {flags.BURST_CALLS} or more calls within {flags.BURST_CALL_MINUTES} minutes)"
        )
    if marks:
        lines.append("Flagged: " + "; ".join(marks) + ".")
    if facts.first:
        lines.append("First messages:")
        lines += [_quote(q) for q in facts.first]
    shown = {q[:2] for q in facts.first}
    extra = [q for q in facts.flagged if q[:2] not in shown]
    if extra:
        lines.append("Flagged messages:")
        lines += [_quote(q) for q in extra]
    if facts.calls and facts.call_seconds:
        lines.append(f"Calls lasted {facts.call_seconds // 60} min {facts.call_seconds % 60} s in all.")
    behaviours = set()
    if facts.messages:
        behaviours.add("CONT.MSG")
    if facts.calls:
        behaviours.add("CONT.CALL")
    for code in facts.threat_codes:
        b = phrases.behaviour(code)
        if b:
            behaviours.add(b)
    return diary.IncidentData(
        occurred_at=facts.first_at,
        ended_at=facts.last_at if facts.last_at != facts.first_at else None,
        time_precision="exact",
        channel=channel if channel in CHANNEL_CODES else "other",
        location_kind="online" if channel in ("messaging_app", "social_media", "email") else "",
        how_many=facts.messages + facts.calls,
        behaviours=sorted(behaviours),
        description="\n".join(lines),
    )


def clock_text(minute: int) -> str:
    """A minute of the day as "03:10"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


# ---------------------------------------------------------------- private helpers


def _keep_earliest(quotes: list[Quote], quote: Quote) -> None:
    if len(quotes) < EXCERPTS or quote[:2] < quotes[-1][:2]:
        quotes.append(quote)
        quotes.sort(key=lambda q: q[:2])
        del quotes[EXCERPTS:]


def _excerpt(text: str) -> str:
    text = " ".join((text or "")[: EXCERPT_CHARS * 4].split())
    if len(text) > EXCERPT_CHARS:
        text = text[: EXCERPT_CHARS - 1].rstrip() + "…"
    return text


def _quote(quote: Quote) -> str:
    _at, _seq, minute, text, position = quote
    where = f" ({position})" if position else ""
    return f"- {clock_text(minute)} “{text}”{where}"


def _with_case(rows: Iterable[ImportedItem], case: Case) -> Iterator[ImportedItem]:
    for row in rows:
        row.case = case
        yield row
