"""Reads of care: a client's overview, the safeguarding lead's list, what is due and overdue per caseworker and
for the team (the organisation), and the staff home page's counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max, Min, Q
from django.urls import reverse

from care import rules
from care.models import ConcernStatus, Goal, GoalStatus, NeedsAssessment, PlanAction, SafeguardingConcern, SafeguardingReferral, SafetyPlan
from casework.models import Client, ClientStatus
from organisations.access import Can, Staff
from organisations.home import Notice
from organisations.models import Membership

FIRST_REVIEW_DAYS = 28  # a support plan with no review yet is due one this long after its first goal (Daybook's choice)
ACTIVE = (ClientStatus.REFERRED, ClientStatus.OPEN)


@dataclass
class Item:
    """One thing due: what, for which client (by reference), when, and whether it is overdue."""

    what: str
    client: Client
    due: dt.date
    overdue: bool
    owner_id: int | None


@dataclass
class Row:
    member: Membership | None
    overdue: int = 0
    soon: int = 0


@dataclass
class Due:
    rows: list[Row] = field(default_factory=list)
    team: Row = field(default_factory=lambda: Row(None))
    items: list[Item] = field(default_factory=list)


def _scope(staff: Staff) -> Q:
    if staff.can(Can.SEE_ALL_CLIENTS):
        return Q(organisation=staff.organisation)
    return Q(organisation=staff.organisation, allocated_to=staff.membership)


def due(staff: Staff, limit: int = 200) -> Due:
    """Actions, plan reviews, safety plan reviews and safeguarding outcomes due within a week or overdue, for the
    member's own clients (a caseworker) or the whole team (team lead, duty worker), counted per caseworker."""
    today = rules.today()
    soon = today + dt.timedelta(days=rules.DUE_SOON_DAYS)
    clients = Client.objects.filter(_scope(staff), status__in=ACTIVE)
    items: list[Item] = []
    acts = PlanAction.objects.filter(client__in=clients, done_on__isnull=True, due_on__lte=soon, goal__status=GoalStatus.OPEN)
    if not staff.can(Can.SEE_ALL_CLIENTS):
        acts = acts.filter(owner=staff.membership)  # their own actions, on clients they see
    for a in acts.select_related("client").order_by("due_on")[:limit]:
        items.append(Item("Support plan action", a.client, a.due_on, a.due_on < today, a.owner_id))
    planned = clients.annotate(last=Max("plan_reviews__next_review_on"), first=Min("goals__created_on")).filter(first__isnull=False)
    for c in planned[:limit]:
        when = c.last or c.first + dt.timedelta(days=FIRST_REVIEW_DAYS)
        if when <= soon:
            items.append(Item("Support plan review", c, when, when < today, c.allocated_to_id))
    for p in SafetyPlan.objects.filter(client__in=clients, review_on__lte=soon).select_related("client")[:limit]:
        items.append(Item("Safety plan review", p.client, p.review_on, p.review_on < today, p.client.allocated_to_id))
    refs = SafeguardingReferral.objects.filter(client__in=clients, outcome_on__isnull=True, outcome_due__lte=soon).select_related("client")
    for r in refs[:limit]:
        items.append(Item(f"Safeguarding outcome from {r.get_agency_display()}", r.client, r.outcome_due, r.outcome_due < today, r.client.allocated_to_id))
    items.sort(key=lambda i: (not i.overdue, i.due, i.client.pk))
    members = Membership.objects.filter(organisation=staff.organisation, active=True, role__in=["caseworker", "duty_worker", "team_lead"])
    if not staff.can(Can.SEE_ALL_CLIENTS):
        members = members.filter(pk=staff.membership.pk)
    rows = {m.pk: Row(m) for m in members.order_by("display_name")}
    out = Due(rows=list(rows.values()), items=items[:limit])
    for i in items:
        target = rows.get(i.owner_id) if i.owner_id else None
        for row in [r for r in (target, out.team) if r is not None]:
            if i.overdue:
                row.overdue += 1
            else:
                row.soon += 1
    return out


def concerns_for_lead(staff: Staff, limit: int = 200) -> list[SafeguardingConcern]:
    """Open concerns of the organisation, those waiting for review first (the safeguarding lead's list)."""
    qs = SafeguardingConcern.objects.filter(organisation=staff.organisation, status=ConcernStatus.OPEN)
    return list(qs.select_related("client", "raised_by").prefetch_related("referrals").order_by("reviewed_at", "raised_at")[:limit])


def overview(client: Client) -> dict[str, object]:
    today = rules.today()
    concerns = list(SafeguardingConcern.objects.filter(client=client).prefetch_related("referrals"))
    for c in concerns:
        c.overdue_referrals = sum(1 for r in c.referrals.all() if r.outcome_on is None and r.outcome_due < today)  # type: ignore[attr-defined]
    return {
        "concerns": concerns,
        "assessments": list(NeedsAssessment.objects.filter(client=client).select_related("by")[:20]),
        "goals": Goal.objects.filter(client=client).count(),
        "open_actions": PlanAction.objects.filter(client=client, done_on__isnull=True).count(),
        "overdue_actions": PlanAction.objects.filter(client=client, done_on__isnull=True, due_on__lt=today).count(),
        "safety_plan": SafetyPlan.objects.filter(client=client).first(),
        "today": today,
    }


def home_notices(staff: Staff) -> list[Notice]:
    org = staff.organisation
    out: list[Notice] = []
    today = rules.today()
    if staff.can(Can.REVIEW_SAFEGUARDING):
        waiting = SafeguardingConcern.objects.filter(organisation=org, status=ConcernStatus.OPEN, reviewed_at__isnull=True).count()
        late = SafeguardingReferral.objects.filter(client__organisation=org, outcome_on__isnull=True, outcome_due__lt=today).count()
        out.append(
            Notice(
                f"{waiting} safeguarding concern(s) waiting for your review, {late} referral outcome(s) overdue",
                reverse("care_safeguarding", args=[org.slug]),
                urgent=bool(waiting or late),
            )
        )
    if staff.can(Can.SEE_CLIENTS):
        d = due(staff, limit=500)
        row = d.team
        out.append(Notice(f"{row.overdue} plan item(s) overdue, {row.soon} due within a week", reverse("care_due", args=[org.slug]), urgent=row.overdue > 0))
    return out
