from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from audit.actions import check
from audit.models import AuditEvent

if TYPE_CHECKING:
    from cases.models import Case
    from casework.models import Client
    from organisations.models import Organisation


def record(actor: object, action: str, case: Case | None = None, target: str = "", *, by_owner: bool | None = None) -> AuditEvent:
    """Write one audit row. Called inside the same transaction as the change it records.

    ``by_owner=False`` marks an action by someone without an account (a download through a hand-over link)."""
    action = check(action).value
    user = actor if getattr(actor, "is_authenticated", False) else None
    if by_owner is None:
        by_owner = case is None or user is None or case.owner_id == user.pk
    return AuditEvent.objects.create(actor=user, case=case, action=action, target=target[:128], by_owner=by_owner)


def record_staff(actor: object, action: str, *, organisation: Organisation, client: Client | None = None, target: str = "") -> AuditEvent:
    """Write one audit row of the service side (a staff member's read or change), inside the caller's transaction.

    ``target`` names what was acted on ("referral 12"), never personal text."""
    action = check(action).value
    user = actor if getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(actor=user, organisation=organisation, client=client, action=action, target=target[:128], by_owner=False)


def record_many(actor: object, case: Case | None, rows: Iterable[tuple[str, str]]) -> list[AuditEvent]:
    """Write many audit rows by one actor in one case with one insert, each (action, target) exactly as
    :func:`record` would write it. Called inside the same transaction as the changes they record."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    by_owner = case is None or user is None or case.owner_id == user.pk
    events = [AuditEvent(actor=user, case=case, action=check(action).value, target=target[:128], by_owner=by_owner) for action, target in rows]
    return AuditEvent.objects.bulk_create(events)
