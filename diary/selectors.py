"""Reads of the diary: the timeline with filters, search and keyset paging, and weekly counts.

Keyset paging orders by (occurred_at, id) and continues after the last row seen, so the first and
the thousandth page cost the same, at 100 incidents or 100 000 (index ``incident_timeline``).
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from cases.models import Case
from diary.models import Incident, IncidentBehaviour, SearchToken, WeekCount
from kernel import crypto, localtime

PAGE_SIZE = 25


@dataclass
class TimelinePage:
    incidents: list[Incident]
    next_cursor: str | None
    newest_first: bool


def encode_cursor(incident: Incident) -> str:
    raw = f"{incident.occurred_at.timestamp():.6f}|{incident.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int] | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        stamp, pk = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        return dt.datetime.fromtimestamp(float(stamp), tz=dt.UTC), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def filtered(case: Case, filters: dict[str, Any]) -> QuerySet[Incident]:
    qs = Incident.objects.filter(case=case)
    code = filters.get("behaviour")
    if code:
        qs = qs.filter(Exists(IncidentBehaviour.objects.filter(case=case, code=code, incident=OuterRef("pk"))))
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("date_from"):
        qs = qs.filter(occurred_at__gte=localtime.day_start(filters["date_from"]))
    if filters.get("date_to"):
        qs = qs.filter(occurred_at__lt=localtime.day_bounds(filters["date_to"])[1])
    # "No" is an answer; "Not said" is a question never asked (quick notes, imported days) or left unanswered.
    never_asked = Q(reported__isnull=True) | Q(reported=False, needs_detail=True)
    reported = {"yes": Q(reported=True), "no": Q(reported=False, needs_detail=False), "not_said": never_asked}
    danger = {"yes": Q(felt_in_danger=True), "no": Q(felt_in_danger=False), "not_said": Q(felt_in_danger__isnull=True)}
    if filters.get("reported") in reported:
        qs = qs.filter(reported[filters["reported"]])
    if filters.get("danger") in danger:
        qs = qs.filter(danger[filters["danger"]])
    words = crypto.words(filters.get("q") or "")
    if words:
        cipher = case.get_cipher()
        for word in words[:10]:
            token = cipher.search_token(word)
            qs = qs.filter(Exists(SearchToken.objects.filter(case=case, token=token, incident=OuterRef("pk"))))
    return qs


def timeline_page(case: Case, filters: dict[str, Any], cursor: str | None = None, page_size: int = PAGE_SIZE) -> TimelinePage:
    newest_first = (filters.get("order") or "newest") != "oldest"
    qs = filtered(case, filters)
    position = decode_cursor(cursor) if cursor else None
    if position:
        when, pk = position
        if newest_first:
            qs = qs.filter(Q(occurred_at__lt=when) | Q(occurred_at=when, id__lt=pk))
        else:
            qs = qs.filter(Q(occurred_at__gt=when) | Q(occurred_at=when, id__gt=pk))
    ordering = ["-occurred_at", "-id"] if newest_first else ["occurred_at", "id"]
    rows = list(qs.order_by(*ordering).select_related("crime_reference", "breached_order")[: page_size + 1])
    for row in rows:
        row.case = case
    has_more = len(rows) > page_size
    rows = rows[:page_size]
    return TimelinePage(rows, encode_cursor(rows[-1]) if has_more and rows else None, newest_first)


@dataclass
class WeekBar:
    week: dt.date
    count: int
    height: int  # 0-100, share of the busiest week
    x: int = 0

    @property
    def bar(self) -> int:
        return max(self.height, 2)

    @property
    def y(self) -> int:
        return 105 - self.bar


def weekly_counts(case: Case, weeks: int = 26, until: dt.date | None = None) -> list[WeekBar]:
    """Incidents (not retracted) per week for the last ``weeks`` weeks up to the latest incident or today."""
    until = until or localtime.today()
    last_week = localtime.week_start(until)
    first_week = last_week - dt.timedelta(weeks=weeks - 1)
    counts = {wc.week: wc.count for wc in WeekCount.objects.filter(case=case, week__gte=first_week, week__lte=last_week)}
    peak = max(counts.values(), default=0) or 1
    out = []
    for i in range(weeks):
        week = first_week + dt.timedelta(weeks=i)
        n = max(counts.get(week, 0), 0)
        out.append(WeekBar(week, n, round(100 * n / peak), x=i * 10 + 1))
    return out


def total_incidents(case: Case) -> int:
    return WeekCount.objects.filter(case=case).aggregate(n=Sum("count"))["n"] or 0


def latest_incident_date(case: Case) -> dt.date | None:
    row = Incident.objects.filter(case=case, retracted=False).order_by("-occurred_at", "-id").only("occurred_at").first()
    return localtime.local_day(row.occurred_at) if row else None


def needing_detail(case: Case) -> int:
    return Incident.objects.filter(case=case, needs_detail=True, retracted=False).count()
