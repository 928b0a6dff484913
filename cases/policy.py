"""The one access policy: who may see or do what to which case.

Every view that touches a case calls :func:`case_for` (or :func:`cases_for`). Today only the owner
has access; sharing with advocates, trusted contacts and officers plugs in here, and any access by
someone other than the owner is written to the audit log. A refusal is always a 404, so nobody
learns that a case or incident exists.
"""

from __future__ import annotations

import enum
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from audit.services import record
from cases.models import Case


class Action(enum.Enum):
    VIEW = "view"
    RECORD = "record"  # add incidents
    EDIT = "edit"  # change or retract incidents, edit case details
    MANAGE = "manage"  # sharing, deletion


def role_for(user: Any, case: Case) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    if case.owner_id == user.pk:
        return "owner"
    return None


ALLOWED: dict[str, set[Action]] = {
    "owner": {Action.VIEW, Action.RECORD, Action.EDIT, Action.MANAGE},
}


def can(user: Any, case: Case, action: Action) -> bool:
    role = role_for(user, case)
    return role is not None and action in ALLOWED.get(role, set())


def case_for(user: Any, case_id: Any, action: Action = Action.VIEW) -> Case:
    """Return the case if ``user`` may do ``action`` to it; otherwise raise Http404."""
    try:
        pk = int(case_id)
    except (TypeError, ValueError) as exc:
        raise Http404("No such case") from exc
    case = Case.objects.filter(pk=pk).first()
    if case is None or not can(user, case, action):
        raise Http404("No such case")
    if role_for(user, case) != "owner":
        record(user, f"case.{action.value}", case, "access by someone other than the owner")
    return case


def cases_for(user: Any) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(owner=user)
