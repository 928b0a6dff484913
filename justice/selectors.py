"""Reads of the justice side: the due list (reminders per member), a client's justice page, incoming referrals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.urls import reverse

from casework.models import Client
from casework.policy import hides_name, visible_clients
from justice.models import Assessment, CourtDate, Onward, OnwardKind, Order, OrderEvent, Review, StatusChange, Task, TaskKind
from justice.rules import today
from organisations.access import Can, Staff
from organisations.home import Notice

HORIZON = dt.timedelta(days=14)  # the due list shows what is overdue and what falls due within this


def open_tasks(staff: Staff) -> QuerySet[Task]:
    """Reminders of the clients this member may work on (a team lead also sees lowering reviews of everyone)."""
    if not staff.can(Can.SEE_CLIENTS):
        return Task.objects.none()
    clients = visible_clients(staff)
    return Task.objects.filter(client__in=clients, done_at__isnull=True).select_related("client", "client__organisation").order_by("due_on", "pk")


@dataclass(frozen=True)
class DueRow:
    task: Task
    words: str
    overdue: bool
    hidden: bool


def due_list(staff: Staff, limit: int = 300) -> list[DueRow]:
    horizon = today() + HORIZON
    rows = []
    for task in open_tasks(staff).filter(due_on__lte=horizon)[:limit]:
        if task.kind == TaskKind.LOWERING_REVIEW and staff.membership.role != "team_lead":
            continue
        rows.append(DueRow(task, TaskKind(task.kind).label, task.due_on < today(), hides_name(staff, task.client)))
    return rows


def home_notices(staff: Staff) -> list[Notice]:
    out = []
    if staff.can(Can.SEE_CLIENTS):
        tasks = open_tasks(staff).filter(due_on__lte=today() + HORIZON)
        late = tasks.filter(due_on__lt=today()).count()
        out.append(
            Notice(
                f"{tasks.count()} reminder(s) due in the next two weeks, {late} overdue",
                reverse("justice_due", args=[staff.organisation.slug]),
                urgent=late > 0,
            )
        )
    if staff.can(Can.TRIAGE):
        waiting = Onward.objects.filter(to_organisation=staff.organisation, state="sent").count()
        if waiting:
            out.append(
                Notice(
                    f"{waiting} referral(s) from other organisations waiting for an answer",
                    reverse("justice_incoming", args=[staff.organisation.slug]),
                    urgent=True,
                )
            )
    return out


OVERVIEW_SHOWN = 50


def client_overview(client: Client) -> dict[str, Any]:
    """What the justice page shows, each list bounded (a client with thousands of rows reads the same few)."""
    latest_step = OrderEvent.objects.filter(order=OuterRef("pk")).order_by("-on", "-pk").values("pk")[:1]
    orders = list(Order.objects.filter(client=client).annotate(n_steps=Count("events"), last_step_id=Subquery(latest_step)).order_by("-pk")[:OVERVIEW_SHOWN])
    last_steps = OrderEvent.objects.in_bulk([o.last_step_id for o in orders if o.last_step_id])
    for order in orders:
        order.last_step = last_steps.get(order.last_step_id)
    data = {
        "assessments": list(Assessment.objects.filter(client=client).select_related("by").order_by("-at", "-pk")[:50]),
        "awaiting": list(Assessment.objects.filter(client=client, review=Review.AWAITING).select_related("by")),
        "statuses": list(StatusChange.objects.filter(client=client).select_related("by")[:50]),
        "orders": orders,
        "court_dates": list(reversed(CourtDate.objects.filter(client=client).order_by("-on", "-pk")[:OVERVIEW_SHOWN])),
        "onwards": list(Onward.objects.filter(client=client).select_related("to_organisation")[:OVERVIEW_SHOWN]),
        "tasks": list(Task.objects.filter(client=client, done_at__isnull=True).order_by("due_on")[:50]),
    }
    # Each row holds the client itself, so sealed fields share its unwrapped key (not a query and an unwrap per row).
    for rows in data.values():
        for row in rows:
            row.client = client
    return data


def incoming(staff: Staff) -> QuerySet[Onward]:
    return Onward.objects.filter(to_organisation=staff.organisation, kind=OnwardKind.ORGANISATION).select_related("client__organisation").order_by("-at")
