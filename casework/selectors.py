"""Reads of the service side: the triage queue, a client's access log, the auditor's search."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework.models import Client, ClientStatus, Referral, ReferralStatus
from organisations.access import Can, Staff
from organisations.home import Notice
from organisations.models import Membership, Organisation

QUEUE_PAGE = 50
# Deeper pages than this are not offered: nobody triages the 10 000th referral before the first.
QUEUE_MAX_PAGE = 200


def queue(org: Organisation, limit: int = QUEUE_PAGE, page: int = 1) -> QuerySet[Referral]:
    """Referrals waiting for triage, most urgent first: by risk rank, then the first-contact deadline. Read in the
    order of the index ``casework_referral_queue``, one page at a time, so the page costs the same however long
    the queue is (benchmarks/intake.py)."""
    start = (max(1, min(page, QUEUE_MAX_PAGE)) - 1) * QUEUE_PAGE
    return (
        Referral.objects.filter(organisation=org, status=ReferralStatus.NEW)
        .select_related("client", "client__organisation")
        .order_by("queue_rank", "due_at", "received_at", "pk")[start : start + limit]
    )


def awaiting_allocation(org: Organisation, limit: int = 100) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(organisation=org, status=ReferralStatus.ACCEPTED, client__allocated_to__isnull=True)
        .select_related("client", "client__organisation")
        .order_by("queue_rank", "due_at", "pk")[:limit]
    )


def is_overdue(referral: Referral, now: dt.datetime | None = None) -> bool:
    return referral.first_contact_at is None and referral.due_at is not None and referral.due_at < (now or timezone.now())


@dataclass(frozen=True)
class Look:
    at: dt.datetime
    who: str
    what: str


def who_looked(client: Client, limit: int = 200) -> list[Look]:
    """Every staff read and change of this client, newest first, with the staff member's name."""
    from audit.actions import label  # noqa: PLC0415

    events = list(AuditEvent.objects.filter(client=client).select_related("actor").order_by("-at", "-id")[:limit])
    names = dict(
        Membership.objects.filter(organisation=client.organisation, user__in=[e.actor_id for e in events if e.actor_id]).values_list("user_id", "display_name")
    )
    return [Look(e.at, names.get(e.actor_id, "Someone no longer on the staff list"), label(e.action)) for e in events]


def access_log(org: Organisation, *, member: Membership | None, date_from: dt.date | None, date_to: dt.date | None, limit: int = 500) -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.filter(organisation=org).select_related("client")
    if member is not None:
        qs = qs.filter(actor=member.user)
    tz = timezone.get_current_timezone()
    if date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(date_from, dt.time.min, tzinfo=tz))
    if date_to:
        qs = qs.filter(at__lt=dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    return qs.order_by("-at", "-id")[:limit]


def home_notices(staff: Staff) -> list[Notice]:
    """Counts for the staff home page: the queue and what is overdue, open alerts, one's own clients."""
    org = staff.organisation
    now = timezone.now()
    out: list[Notice] = []
    slug = org.slug
    overdue = Q(first_contact_at__isnull=True, due_at__lt=now)
    if staff.can(Can.SEE_QUEUE):
        waiting = Referral.objects.filter(organisation=org, status=ReferralStatus.NEW)
        late = waiting.filter(overdue).count()
        out.append(
            Notice(f"{waiting.count()} referral(s) waiting for triage, {late} overdue for first contact", reverse("staff_queue", args=[slug]), urgent=late > 0)
        )
    if staff.can(Can.SEE_ALERTS):
        alerts = org.alerts.filter(closed_at__isnull=True).count()
        out.append(Notice(f"{alerts} open alert(s)", reverse("staff_alerts", args=[slug]), urgent=alerts > 0))
    if staff.can(Can.SEE_CLIENTS):
        mine = Client.objects.filter(allocated_to=staff.membership, status__in=[ClientStatus.REFERRED, ClientStatus.OPEN])
        late = Referral.objects.filter(client__in=mine).filter(overdue).count()
        out.append(
            Notice(f"{mine.count()} client(s) allocated to you, {late} overdue for first contact", reverse("staff_clients", args=[slug]), urgent=late > 0)
        )
    return out
