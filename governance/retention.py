"""Retention by record type (design 3.9): how long a closed client's record is kept (an organisation setting per
type; safeguarding far longer), the review list before anything is deleted, and the deletion itself: the client's
data key destroyed and the rows removed in one transaction, refused while a legal hold stands, leaving a
:class:`~governance.models.Deletion` row without content. The fact table is untouched, so past returns stay.

The clock is passed in (``today``) so that retention can be tested on a frozen date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from care.models import SafeguardingConcern
from casework.models import Client, ClientStatus
from governance.closure import settings_for
from governance.models import Closure, ClosureState, Deletion, Feedback, GovernanceSettings, LegalHold, RecordsRequest
from justice.models import CourtDate, Onward, Order
from kernel.localtime import local_day
from organisations.access import Staff
from organisations.models import Organisation

RECORD_TYPES = {
    "safeguarding": "Safeguarding record",
    "justice": "Justice record (orders, court, onward referral)",
    "client": "Client record",
}
SOON_DAYS = 90


def record_type(client: Client) -> str:
    """The longest-kept type the record holds: safeguarding, then justice, then a plain client record."""
    if SafeguardingConcern.objects.filter(client=client).exists():
        return "safeguarding"
    if Order.objects.filter(client=client).exists() or CourtDate.objects.filter(client=client).exists() or Onward.objects.filter(client=client).exists():
        return "justice"
    return "client"


def years_for(settings: GovernanceSettings, kind: str) -> int:
    return {"safeguarding": settings.keep_safeguarding_years, "justice": settings.keep_justice_years}.get(kind, settings.keep_client_years)


def closed_on(client: Client) -> dt.date | None:
    last = Closure.objects.filter(client=client, state=ClosureState.CLOSED).exclude(decided_at=None).order_by("-decided_at").first()
    return local_day(last.decided_at) if last and last.decided_at else None


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class ReviewItem:
    client: Client
    record_type: str
    closed_on: dt.date
    delete_on: dt.date
    held: bool

    @property
    def due(self) -> bool:
        return not self.held and self.delete_on <= self._today

    _today: dt.date = dt.date.min


def item_for(client: Client, settings: GovernanceSettings, today: dt.date) -> ReviewItem | None:
    closed = closed_on(client) if client.status == ClientStatus.CLOSED else None
    if closed is None:
        return None
    kind = record_type(client)
    held = LegalHold.objects.filter(client=client, lifted_at__isnull=True).exists()
    return ReviewItem(client=client, record_type=kind, closed_on=closed, delete_on=add_years(closed, years_for(settings, kind)), held=held, _today=today)


def review_list(organisation: Organisation, today: dt.date) -> list[ReviewItem]:
    """Closed records whose retention has ended or ends within 90 days, soonest first (held ones included, marked)."""
    settings = settings_for(organisation)
    out = []
    for client in Client.objects.filter(organisation=organisation, status=ClientStatus.CLOSED).select_related("organisation"):
        item = item_for(client, settings, today)
        if item is not None and item.delete_on <= today + dt.timedelta(days=SOON_DAYS):
            out.append(item)
    return sorted(out, key=lambda i: (i.delete_on, i.client.pk))


@transaction.atomic
def delete_client(*, staff: Staff, client: Client, today: dt.date) -> Deletion:
    """Destroy the client's data key and remove its rows, or refuse with the reason and change nothing."""
    client = Client.objects.select_for_update().select_related("organisation").get(pk=client.pk, organisation=staff.organisation)
    item = item_for(client, settings_for(staff.organisation), today)
    if item is None:
        raise ValidationError("Only a closed record can be deleted.")
    if item.held:
        raise ValidationError("A legal hold stands on this record: nothing was deleted. Lift the hold first if it is no longer needed.")
    if item.delete_on > today:
        raise ValidationError(f"This record is kept until {item.delete_on:%-d %B %Y}: nothing was deleted.")
    reference = client.reference
    # What must outlive the record keeps its decision and dates, never the sealed text.
    RecordsRequest.objects.filter(client=client).update(requester_enc="", answer_enc="", client=None)
    Feedback.objects.filter(client=client).update(summary_enc="", response_enc="", client=None)
    # The key first (no save signal: nothing may try to read the record now), then the rows.
    Client.objects.filter(pk=client.pk).update(wrapped_key=b"")
    removed, _ = Client.objects.filter(pk=client.pk).delete()
    deletion = Deletion.objects.create(
        organisation=staff.organisation,
        reference=reference,
        record_type=item.record_type,
        closed_on=item.closed_on,
        deleted_at=timezone.now(),
        deleted_by=staff.membership,
        rows_removed=removed,
    )
    record_staff(staff.user, AuditAction.RECORD_DELETED, organisation=staff.organisation, target=f"{reference} ({item.record_type})")
    return deletion
