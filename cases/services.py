"""Writes to cases, crime references and orders. Each is one transaction with an audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import record
from cases.models import Case, CrimeReference, Order
from chain import refs
from chain import services as chain
from kernel.canonical import sha256_hex, ts

CASE_TEXT_FIELDS = [
    "label",
    "suspect_name",
    "suspect_aliases",
    "suspect_description",
    "suspect_addresses",
    "suspect_vehicles",
    "suspect_phones",
    "suspect_accounts",
    "notes",
]


def create_case(owner: Any, *, is_sample: bool = False, **fields: Any) -> Case:
    with transaction.atomic():
        case = Case(owner=owner, is_sample=is_sample)
        case.ensure_key()
        _set_fields(case, fields)
        case.save()
        audit = (owner, "case.opened", "sample case" if is_sample else "")
        chain.append(case, "case.opened", refs.CASE, sha256_hex(case_opened_payload(case)), case.created_at, audit=audit)
    return case


def case_opened_payload(case: Case) -> dict[str, Any]:
    """The payload of a case's first chain entry (``case.opened``)."""
    return {"schema": "daybook.case.v1", "case": str(case.uuid), "opened_at": ts(case.created_at)}


def update_case(case: Case, user: Any, **fields: Any) -> Case:
    with transaction.atomic():
        _set_fields(case, fields)
        case.save()
        record(user, "case.details_changed", case, ", ".join(sorted(fields))[:128])
    return case


def _set_fields(case: Case, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        if name in CASE_TEXT_FIELDS:
            setattr(case, name, (value or "").strip())
        elif name in {"relationship", "started_on"}:
            setattr(case, name, value)
        else:
            raise ValueError(f"Unknown case field {name}")


def save_crime_reference(case: Case, user: Any, ref: CrimeReference | None, **fields: Any) -> CrimeReference:
    with transaction.atomic():
        ref = ref or CrimeReference(case=case)
        ref.case = case
        ref.force = (fields.get("force") or "").strip()
        ref.given_on = fields.get("given_on")
        ref.reference = (fields.get("reference") or "").strip()
        ref.officer = (fields.get("officer") or "").strip()
        ref.notes = (fields.get("notes") or "").strip()
        created = ref.pk is None
        ref.save()
        record(user, "crime_reference.added" if created else "crime_reference.changed", case)
    return ref


def save_order(case: Case, user: Any, order: Order | None, **fields: Any) -> Order:
    with transaction.atomic():
        order = order or Order(case=case)
        order.case = case
        order.order_type = fields["order_type"]
        order.starts_on = fields.get("starts_on")
        order.ends_on = fields.get("ends_on")
        order.conditions = (fields.get("conditions") or "").strip()
        order.court = (fields.get("court") or "").strip()
        created = order.pk is None
        order.save()
        record(user, "order.added" if created else "order.changed", case)
    return order
