"""Victims' Code rights delivered (issue 16 item 4): the caseworker records, on a client, which rights' information
or support the service gave and when. The return counts them from the fact table (governance/facts.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from casework.models import Client
from governance.facts import fact_key
from governance.models import Fact, FactKind, RightDelivered, VictimsCodeRight
from kernel.localtime import today
from organisations.access import Staff

EARLIEST = dt.date(2021, 4, 1)  # the 2020 Code (12 rights) came into force on 1 April 2021


def _rights(values: Iterable[object]) -> list[int]:
    out: set[int] = set()
    for value in values:
        try:
            n = int(str(value))
        except ValueError:
            raise ValidationError({"rights": "Choose rights from the list."}) from None
        if n not in VictimsCodeRight.values:
            raise ValidationError({"rights": "Choose rights from the list."})
        out.add(n)
    if not out:
        raise ValidationError({"rights": "Choose at least one right."})
    return sorted(out)


@transaction.atomic
def record(*, staff: Staff, client: Client, rights: Iterable[object], delivered_on: dt.date) -> list[RightDelivered]:
    """Record the rights delivered on one day; a right already recorded for that day is not recorded twice."""
    if client.organisation_id != staff.organisation.pk:
        raise ValidationError("No such client.")
    chosen = _rights(rights)
    if delivered_on > today():
        raise ValidationError({"delivered_on": "The day cannot be in the future."})
    if delivered_on < EARLIEST:
        raise ValidationError({"delivered_on": "The Code's 12 rights apply from 1 April 2021: give a day from then on."})
    have = set(RightDelivered.objects.filter(client=client, delivered_on=delivered_on).values_list("right", flat=True))
    made = []
    for right in chosen:
        if right in have:
            continue
        made.append(
            RightDelivered.objects.create(
                organisation=staff.organisation,
                client=client,
                right=right,
                delivered_on=delivered_on,
                recorded_at=timezone.now(),
                recorded_by=staff.membership,
            )
        )
    if made:
        target = f"rights {','.join(str(r.right) for r in made)} on {delivered_on}"
        record_staff(staff.user, AuditAction.RIGHTS_RECORDED, organisation=staff.organisation, client=client, target=target)
    return made


@transaction.atomic
def remove(*, staff: Staff, client: Client, item_id: int) -> bool:
    """Take away a right recorded in error (and its fact, so the return no longer counts it); False when the
    client has no such entry (another client's id included)."""
    row = RightDelivered.objects.select_for_update().filter(client=client, organisation=staff.organisation, pk=item_id).first()
    if row is None:
        return False
    Fact.objects.filter(kind=FactKind.RIGHT, key=fact_key(FactKind.RIGHT, row.uuid)).delete()
    target = f"right {row.right} on {row.delivered_on} removed"
    row.delete()
    record_staff(staff.user, AuditAction.RIGHTS_REMOVED, organisation=staff.organisation, client=client, target=target)
    return True
