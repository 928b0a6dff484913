"""The suspect's status, orders through their life, court dates and the Victim Personal Statement (design 3.6).

Each change of the suspect's status prompts a risk review (a reminder due today); bail and licence end dates,
hearings and expiry dates make reminders before the day. Dates out of order are refused with a clear message
and nothing is saved. Every row is one entry in the client's chain with its audit row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from casework.models import Client
from justice import ledger
from justice.models import CourtDate, Order, OrderEvent, OrderKind, OrderStep, StatusChange, SuspectState, TaskKind, VpsEvent, VpsStep
from justice.rules import clean_text, may_work_on, not_before, not_future, remind, today
from organisations.access import Staff

REMIND_BEFORE = dt.timedelta(days=3)  # reminders of an end date or a hearing come this long before it
# Steps that happen on a day already past; hearings and expiry may be booked ahead.
PAST_STEPS = {
    OrderStep.REQUESTED,
    OrderStep.POLICE_DECISION,
    OrderStep.APPLIED,
    OrderStep.INTERIM_MADE,
    OrderStep.MADE,
    OrderStep.REFUSED,
    OrderStep.SERVED,
    OrderStep.VARIED,
    OrderStep.BREACH,
}
NEEDS_ORDER_IN_FORCE = {OrderStep.SERVED, OrderStep.VARIED, OrderStep.BREACH, OrderStep.EXPIRED}


def _before(day: dt.date) -> dt.date:
    return max(today(), day - REMIND_BEFORE)


def status_record(*, staff: Staff, client: Client, state: str, on: dt.date, until: dt.date | None = None, conditions: str = "", note: str = "") -> StatusChange:
    may_work_on(staff, client)
    if state not in SuspectState.values:
        raise ValidationError("Choose the suspect's status from the list.")
    not_future(on, "the date of the change")
    conditions = clean_text(conditions, "the conditions")
    note = clean_text(note, "the note")
    if state == SuspectState.BAILED:
        if until is None:
            raise ValidationError("Give the date bail runs to.")
        if not conditions:
            raise ValidationError("Write the bail conditions (or 'none known').")
    not_before(until, on, "The end date cannot be before the date of the change.")
    with transaction.atomic():
        locked = ledger.lock(client)
        row = StatusChange(client=locked, by=staff.membership, at=timezone.now(), state=state, on=on, until=until)
        row.conditions, row.note = conditions, note
        row.save()
        ledger.append(locked, row, staff=staff, action=AuditAction.SUSPECT_STATUS_RECORDED)
        remind(locked, TaskKind.RISK_REVIEW, today(), f"status/{row.uuid}")
        if until is not None and state in (SuspectState.BAILED, SuspectState.LICENCE):
            kind = TaskKind.BAIL_ENDS if state == SuspectState.BAILED else TaskKind.LICENCE_ENDS
            remind(locked, kind, _before(until), f"status/{row.uuid}")
    return row


def order_open(*, staff: Staff, client: Client, kind: str) -> Order:
    may_work_on(staff, client)
    if kind not in OrderKind.values:
        raise ValidationError("Choose the kind of order from the list.")
    with transaction.atomic():
        locked = ledger.lock(client)
        order = Order.objects.create(client=locked, by=staff.membership, at=timezone.now(), kind=kind)
        ledger.append(locked, order, staff=staff, action=AuditAction.ORDER_RECORDED)
    return order


def _check_step(order: Order, step: str, on: dt.date, decision: str, note: str, expires_on: dt.date | None) -> None:
    events = list(order.events.all())
    first = events[0].on if events else None
    if first is not None and on < first:
        raise ValidationError(f"This date is before the order's first step ({first:%d/%m/%Y}): check the dates.")
    if step in PAST_STEPS:
        not_future(on, "the date of this step")
    steps = {e.step for e in events}
    if order.kind == OrderKind.SPO and step == OrderStep.POLICE_DECISION and OrderStep.REQUESTED not in steps:
        raise ValidationError("Record the request to the police before their decision.")
    if step == OrderStep.POLICE_DECISION:
        if decision not in ("apply", "refuse"):
            raise ValidationError("Say whether the police will apply or have refused.")
        if not note:
            raise ValidationError("Write the reason the police gave for their decision.")
    if step in NEEDS_ORDER_IN_FORCE and not steps & {OrderStep.MADE, OrderStep.INTERIM_MADE}:
        raise ValidationError("Record the order being made (interim or full) first.")
    if step in (OrderStep.MADE, OrderStep.INTERIM_MADE, OrderStep.VARIED) and expires_on is not None:
        not_before(expires_on, on, "An order cannot expire before the day it was made.")
    if step == OrderStep.REFUSED and not note:
        raise ValidationError("Write why the court refused the order.")


def order_event_record(
    *, staff: Staff, order: Order, step: str, on: dt.date, decision: str = "", expires_on: dt.date | None = None, conditions: str = "", note: str = ""
) -> OrderEvent:
    client = order.client
    may_work_on(staff, client)
    if step not in OrderStep.values:
        raise ValidationError("Choose the step from the list.")
    conditions = clean_text(conditions, "the conditions")
    note = clean_text(note, "the note or reason")
    decision = decision if step == OrderStep.POLICE_DECISION else ""
    with transaction.atomic():
        locked = ledger.lock(client)
        _check_step(order, step, on, decision, note, expires_on)
        row = OrderEvent(client=locked, by=staff.membership, at=timezone.now(), order=order, step=step, on=on, decision=decision, expires_on=expires_on)
        row.conditions, row.note = conditions, note
        row.save()
        ledger.append(locked, row, staff=staff, action=AuditAction.ORDER_STEP_RECORDED)
        about = f"order-event/{row.uuid}"
        if step in (OrderStep.INTERIM_HEARING, OrderStep.FULL_HEARING) and on >= today():
            remind(locked, TaskKind.HEARING, _before(on), about)
        if expires_on is not None:
            remind(locked, TaskKind.ORDER_EXPIRES, _before(expires_on), about)
        if step == OrderStep.BREACH:
            remind(locked, TaskKind.RISK_REVIEW, today(), about)
    return row


def court_date_record(*, staff: Staff, client: Client, on: dt.date, purpose: str, court: str = "") -> CourtDate:
    may_work_on(staff, client)
    if purpose not in dict(CourtDate._meta.get_field("purpose").choices):
        raise ValidationError("Choose what the hearing is for.")
    court = clean_text(court, "the court", limit=200)
    with transaction.atomic():
        locked = ledger.lock(client)
        row = CourtDate(client=locked, by=staff.membership, at=timezone.now(), on=on, purpose=purpose)
        row.court = court
        row.save()
        ledger.append(locked, row, staff=staff, action=AuditAction.COURT_DATE_RECORDED)
        if on >= today():
            remind(locked, TaskKind.HEARING, _before(on), f"court/{row.uuid}")
    return row


def vps_record(*, staff: Staff, client: Client, step: str, on: dt.date) -> VpsEvent:
    """The Victim Personal Statement is taken by the police and disclosed to the defence; the service records that
    it was offered, made, updated, and that the person was told the suspect will read it."""
    may_work_on(staff, client)
    if step not in VpsStep.values:
        raise ValidationError("Choose what happened from the list.")
    not_future(on, "the date")
    with transaction.atomic():
        locked = ledger.lock(client)
        done = set(VpsEvent.objects.filter(client=client).values_list("step", flat=True))
        if step == VpsStep.UPDATED and VpsStep.MADE not in done:
            raise ValidationError("Record the statement being made before an update.")
        earliest = VpsEvent.objects.filter(client=client).order_by("on").values_list("on", flat=True).first()
        if step in (VpsStep.MADE, VpsStep.UPDATED) and earliest is not None and on < earliest:
            raise ValidationError("This date is before the statement was first offered: check the dates.")
        row = VpsEvent.objects.create(client=locked, by=staff.membership, at=timezone.now(), step=step, on=on)
        ledger.append(locked, row, staff=staff, action=AuditAction.VPS_RECORDED)
    return row


def vps_summary(client: Client) -> dict[str, dt.date | None]:
    out: dict[str, dt.date | None] = {s: None for s in VpsStep.values}
    for e in VpsEvent.objects.filter(client=client).order_by("on", "pk"):
        out[e.step] = e.on
    return out
