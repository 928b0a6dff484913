"""Lone working: check-in on arrival, check-out when safe, and the escalation of a missed one.

``check_visits`` (run by ``manage.py check_visits`` every few minutes, and on each load of the duty screen) finds
visits whose check-in is later than the organisation's grace (``check_in_grace_minutes``, 15 by default: not checked
in after the start) or whose check-out is (checked in, not out, after the planned end), marks each escalated exactly
once (a conditional update, so two runs at the same moment raise one alert) and raises a ``missed_check_in`` alert to
the team leads, shown on the duty screen to the day's duty worker. The alert names the visit, the staff member and the
client by reference, never by content.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from casework.models import Alert, AlertKind
from cover.models import Visit
from organisations.access import Can, Staff

GRACE = dt.timedelta(minutes=15)  # when the organisation has no settings row; otherwise its check_in_grace_minutes
SHORTEST_GRACE = dt.timedelta(minutes=5)  # the least an organisation may set (organisations/forms.py)


def grace(organisation: object) -> dt.timedelta:
    settings = getattr(organisation, "settings", None)
    return dt.timedelta(minutes=int(settings.check_in_grace_minutes)) if settings is not None else GRACE


def _mine(staff: Staff, visit: Visit) -> None:
    if visit.organisation_id != staff.organisation.pk or visit.member_id != staff.membership.pk:
        raise ValidationError("Only the member on the visit can check in or out.")
    if visit.cancelled_at is not None:
        raise ValidationError("This visit was cancelled.")


@transaction.atomic
def check_in(*, staff: Staff, visit: Visit, now: dt.datetime | None = None) -> Visit:
    _mine(staff, visit)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.checked_in_at is not None:
        raise ValidationError("You have already checked in on this visit.")
    visit.checked_in_at = now or timezone.now()
    visit.save(update_fields=["checked_in_at"])
    record_staff(staff.user, AuditAction.VISIT_CHECKED_IN, organisation=staff.organisation, client=visit.client, target=visit.reference)
    return visit


@transaction.atomic
def check_out(*, staff: Staff, visit: Visit, now: dt.datetime | None = None) -> Visit:
    _mine(staff, visit)
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.checked_in_at is None:
        raise ValidationError("Check in first: nobody knows you arrived.")
    if visit.checked_out_at is not None:
        raise ValidationError("You have already checked out of this visit.")
    visit.checked_out_at = now or timezone.now()
    visit.save(update_fields=["checked_out_at"])
    record_staff(staff.user, AuditAction.VISIT_CHECKED_OUT, organisation=staff.organisation, client=visit.client, target=visit.reference)
    return visit


@transaction.atomic
def cancel(*, staff: Staff, visit: Visit) -> Visit:
    if visit.organisation_id != staff.organisation.pk or not (visit.member_id == staff.membership.pk or staff.can(Can.ALLOCATE)):
        raise ValidationError("Only the member on the visit or a team lead can cancel it.")
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.cancelled_at is not None or visit.checked_in_at is not None:
        raise ValidationError("Only a visit not yet started can be cancelled.")
    visit.cancelled_at = timezone.now()
    visit.save(update_fields=["cancelled_at"])
    record_staff(staff.user, AuditAction.VISIT_CANCELLED, organisation=staff.organisation, client=visit.client, target=visit.reference)
    return visit


def state(visit: Visit, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if visit.cancelled_at:
        return "cancelled"
    if visit.checked_out_at:
        return "done"
    if visit.escalated_at:
        return "escalated"
    if visit.checked_in_at:
        return "late_out" if now > visit.ends_at + grace(visit.organisation) else "in"
    return "late_in" if now > visit.starts_at + grace(visit.organisation) else "planned"


def missed(organisation: object | None = None, now: dt.datetime | None = None) -> Q:
    """Visits late by at least the shortest grace any organisation may set; each is then held to its own."""
    now = now or timezone.now()
    q = Q(cancelled_at__isnull=True, escalated_at__isnull=True, checked_out_at__isnull=True) & (
        Q(checked_in_at__isnull=True, starts_at__lt=now - SHORTEST_GRACE) | Q(checked_in_at__isnull=False, ends_at__lt=now - SHORTEST_GRACE)
    )
    return q & Q(organisation=organisation) if organisation is not None else q


def check_visits(organisation: object | None = None, now: dt.datetime | None = None) -> list[Alert]:
    """Escalate every missed check-in or check-out (of one organisation, or all): one alert per visit, ever."""
    now = now or timezone.now()
    raised = []
    for visit in Visit.objects.filter(missed(organisation, now)).select_related("member", "client", "organisation", "organisation__settings"):
        which = "check_in" if visit.checked_in_at is None else "check_out"
        late_after = grace(visit.organisation)
        if now <= (visit.starts_at if which == "check_in" else visit.ends_at) + late_after:
            continue  # late, but within this organisation's own grace
        with transaction.atomic():
            if not Visit.objects.filter(pk=visit.pk, escalated_at__isnull=True).update(escalated_at=now, escalation=which):
                continue  # another run escalated it first
            due = visit.starts_at if which == "check_in" else visit.ends_at
            words = "check in" if which == "check_in" else "check out"
            message = (
                f"{visit.reference}: {visit.member.display_name} did not {words} by {timezone.localtime(due + late_after):%H:%M} "
                f"({visit.get_kind_display().lower()}, client {visit.client.reference}). Call them now; if they do not answer, "
                "follow the lone-working procedure, and call 999 if you think they are in danger."
            )
            alert = Alert.objects.create(organisation=visit.organisation, kind=AlertKind.MISSED_CHECK_IN, client=visit.client, message=message[:300])
            record_staff(None, AuditAction.VISIT_ESCALATED, organisation=visit.organisation, client=visit.client, target=f"{visit.reference}: alert {alert.pk}")
            record_staff(None, AuditAction.ALERT_RAISED, organisation=visit.organisation, client=visit.client, target=f"alert {alert.pk} (missed_check_in)")
            raised.append(alert)
    return raised
