from __future__ import annotations

from typing import TYPE_CHECKING

from audit.models import AuditEvent

if TYPE_CHECKING:
    from cases.models import Case


def record(actor: object, action: str, case: Case | None = None, target: str = "") -> AuditEvent:
    """Write one audit row. Called inside the same transaction as the change it records."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    by_owner = case is None or user is None or case.owner_id == user.pk
    return AuditEvent.objects.create(actor=user, case=case, action=action, target=target[:128], by_owner=by_owner)
