"""The one access policy: who may see or do what to which case.

Every view that touches a case calls :func:`case_for` (or :func:`cases_for`). Today only the owner
has access; sharing with advocates, trusted contacts and officers plugs in here, and any access by
someone other than the owner is written to the audit log. A refusal is always a 404, so nobody
learns that a case or incident exists.
"""

from __future__ import annotations

import enum
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
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
    if case is None and _deleted_by(user, pk):
        raise CaseGone("This case was deleted")
    if case is None or not can(user, case, action):
        raise Http404("No such case")
    if role_for(user, case) != "owner":
        record(user, f"case.{action.value}", case, "access by someone other than the owner")
    return case


class CaseGone(Http404):
    """The case was deleted by this very person: "gone" (410, takeout.middleware), never shown to anyone else."""


def _deleted_by(user: Any, pk: int) -> bool:
    """Whether ``user`` deleted the case that had id ``pk`` (the record of it, by name: takeout sits above cases)."""
    if not getattr(user, "is_authenticated", False):
        return False
    from django.apps import apps  # noqa: PLC0415

    if not apps.is_installed("takeout"):
        return False
    return apps.get_model("takeout", "Deletion").objects.filter(kind="case", user_id_was=user.pk, case_id_was=pk).exists()


def child_or_404(rows: type[Model] | QuerySet[Any], case: Case, **lookup: Any) -> Any:
    """The one row of ``rows`` that belongs to ``case`` and matches ``lookup``, or Http404.

    Call it after :func:`case_for`. Values that cannot be the field's type (a word where a number or a UUID belongs)
    are missing too, never an error. The row's ``case`` is set to the case already loaded."""
    queryset = rows.objects.all() if isinstance(rows, type) else rows
    model = queryset.model
    clean: dict[str, Any] = {}
    for name, value in lookup.items():
        field = model._meta.pk if name == "pk" else model._meta.get_field(name.split("__")[0])
        try:
            clean[name] = field.to_python(value)
        except (ValidationError, TypeError, ValueError) as exc:
            raise Http404("Not found") from exc
    row = queryset.filter(case=case, **clean).first()
    if row is None:
        raise Http404("Not found")
    row.case = case
    return row


def cases_for(user: Any) -> QuerySet[Case]:
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    return Case.objects.filter(owner=user)
