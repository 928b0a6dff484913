"""Reads for the evidence locker."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from cases.models import Case
from cases.policy import child_or_404
from diary.models import Incident
from evidence import facts, names, snapshots
from evidence.models import EVENT_ACTIONS, Exhibit, ExhibitEvent, UploadSession
from kernel.words import moment_words


def exhibits(case: Case) -> list[Exhibit]:
    rows = list(Exhibit.objects.filter(case=case).annotate(incident_count=Count("links")).select_related("photo_of").order_by("number"))
    for row in rows:
        row.case = case
    return rows


def exhibit(case: Case, number: Any) -> Exhibit:
    return child_or_404(Exhibit.objects.select_related("original", "preview", "photo_of"), case, number=number)


def for_incident(incident: Incident) -> list[Exhibit]:
    rows = list(Exhibit.objects.filter(links__incident=incident).order_by("number"))
    for row in rows:
        row.case = incident.case
    return rows


def linked_incidents(item: Exhibit) -> QuerySet[Incident]:
    return Incident.objects.filter(exhibit_links__exhibit=item).order_by("number")


def photos(item: Exhibit) -> list[Exhibit]:
    rows = list(Exhibit.objects.filter(photo_of=item).order_by("number"))
    for row in rows:
        row.case = item.case
    return rows


def open_uploads(case: Case) -> QuerySet[UploadSession]:
    return UploadSession.objects.filter(case=case, status="open").select_related("case").order_by("-updated_at")


ACTION_LABELS = dict(EVENT_ACTIONS)


def history(item: Exhibit) -> list[dict[str, Any]]:
    rows = []
    for event in ExhibitEvent.objects.filter(exhibit=item).order_by("seq"):
        payload = snapshots.event_payload(event, item.case)
        label = ACTION_LABELS.get(event.action, event.action)
        if event.action == "handed_over" and (payload.get("state") or {}).get("custody") == "police":
            label = "Given to the police"
        rows.append({"event": event, "label": label, "continuity": payload.get("continuity"), "changed": event.changed_fields})
    return rows


def fact_rows(item: Exhibit) -> list[tuple[str, Any]]:
    data = item.facts or {}
    if not isinstance(data, dict):
        return []
    return [(facts.FACT_LABELS.get(k, k), moment_words(v, seconds=True) if isinstance(v, str) else v) for k, v in data.items()]


def shown_name(item: Exhibit) -> str:
    return names.display_name(item.original_name, fallback=f"exhibit-{item.number}")
