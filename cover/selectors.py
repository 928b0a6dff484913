"""What cover's pages and the staff home read: the duty screen's rows, a member's visits, the home notices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from casework.models import Alert, AlertKind
from cover import visits
from cover.models import CoverGrant, DutyDay, Visit
from cover.reach import on_duty
from organisations.access import Can, Staff
from organisations.home import Notice
from organisations.models import Role

ROTA_DAYS = 14
SHOWN = 50


def may_see_duty(staff: Staff) -> bool:
    """The duty screen: team leads, members with the duty worker role, and the day's duty worker."""
    return staff.can(Can.ALLOCATE) or staff.membership.role == Role.DUTY_WORKER or (staff.can(Can.SEE_CLIENTS) and on_duty(staff))


def rota(staff: Staff) -> list[dict[str, Any]]:
    today = timezone.localdate()
    days = {
        d.on: d
        for d in DutyDay.objects.filter(organisation=staff.organisation, on__gte=today, on__lt=today + dt.timedelta(days=ROTA_DAYS)).select_related("member")
    }
    return [{"on": today + dt.timedelta(days=i), "duty": days.get(today + dt.timedelta(days=i))} for i in range(ROTA_DAYS)]


def visits_today(staff: Staff) -> list[dict[str, Any]]:
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    qs = (
        Visit.objects.filter(organisation=staff.organisation, cancelled_at__isnull=True, starts_at__lt=start + dt.timedelta(days=1))
        .exclude(checked_out_at__lt=start)
        .exclude(checked_out_at__isnull=False, starts_at__lt=start)
        .select_related("member", "client")
        .order_by("starts_at")[:SHOWN]
    )
    return [{"visit": v, "state": visits.state(v, now)} for v in qs]


def open_missed(staff: Staff) -> list[Alert]:
    return list(Alert.objects.filter(organisation=staff.organisation, kind=AlertKind.MISSED_CHECK_IN, closed_at__isnull=True).select_related("client")[:SHOWN])


def my_visits(staff: Staff) -> list[dict[str, Any]]:
    now = timezone.now()
    qs = (
        Visit.objects.filter(organisation=staff.organisation, member=staff.membership, cancelled_at__isnull=True, checked_out_at__isnull=True)
        .select_related("client")
        .order_by("starts_at")[:SHOWN]
    )
    return [{"visit": v, "state": visits.state(v, now)} for v in qs]


def my_covers(staff: Staff) -> list[CoverGrant]:
    now = timezone.now()
    return list(
        CoverGrant.objects.filter(organisation=staff.organisation, covering=staff.membership, ends_at__gt=now, ended_at__isnull=True).select_related("absent")
    )


def home_notices(staff: Staff) -> list[Notice]:
    out: list[Notice] = []
    slug = staff.organisation.slug
    if staff.can(Can.SEE_CLIENTS) and on_duty(staff):
        out.append(Notice("You are the duty worker today: the duty screen shows visits and missed check-ins.", reverse("cover_duty", args=[slug]), urgent=True))
    if may_see_duty(staff) and Alert.objects.filter(organisation=staff.organisation, kind=AlertKind.MISSED_CHECK_IN, closed_at__isnull=True).exists():
        out.append(Notice("A lone worker has missed a check-in. Act now.", reverse("cover_duty", args=[slug]), urgent=True))
    if staff.can(Can.SEE_CLIENTS):
        for grant in my_covers(staff):
            out.append(
                Notice(
                    f"You cover {grant.absent.display_name}'s clients until {timezone.localtime(grant.ends_at):%d %b %Y %H:%M}.",
                    reverse("staff_clients", args=[slug]),
                )
            )
    return out
