"""The reach cover gives (registered with casework.policy's hooks in apps.py): a cover grant in force lets the
covering member see the absent colleague's clients; the day's duty worker sees every client of the organisation."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from casework.models import Client
from cover.models import CoverGrant, DutyDay
from organisations.access import Staff


def grants_in_force(staff: Staff) -> list[int]:
    """Membership ids of the colleagues this member covers now."""
    now = timezone.now()
    return list(
        CoverGrant.objects.filter(
            organisation=staff.organisation, covering=staff.membership, starts_at__lte=now, ends_at__gt=now, ended_at__isnull=True, absent__active=True
        ).values_list("absent_id", flat=True)
    )


def on_duty(staff: Staff) -> bool:
    return DutyDay.objects.filter(organisation=staff.organisation, on=timezone.localdate(), member=staff.membership).exists()


def sees(staff: Staff, client: Client) -> bool:
    if client.organisation_id != staff.organisation.pk:
        return False
    if client.allocated_to_id is not None and client.allocated_to_id in grants_in_force(staff):
        return True
    return on_duty(staff)


def visible(staff: Staff) -> Q:
    if on_duty(staff):
        return Q(organisation=staff.organisation)
    covered = grants_in_force(staff)
    return Q(allocated_to__in=covered) if covered else Q(pk__in=[])
