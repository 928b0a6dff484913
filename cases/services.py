"""Writes to cases, crime references and orders. Each is one transaction with an audit row."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from audit.services import record
from cases.models import Case, CrimeReference, Order
from chain import refs
from chain import services as chain
from kernel.canonical import sha256_hex, ts

# Cases opened from this moment on have their facts, orders and crime references in the chain from the start
# (``case.details``, ``order.version``, ``crime_reference.version``). An older case is "not covered" until its
# first change of any of them, which first chains all of them as they stand (see :func:`_cover`).
FACTS_CHAINED_SINCE = "2026-12-05T00:00:00.000000Z"
DETAILS_REF = "case/details"

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
        if facts_covered(case) and case_details_payload(case) != blank_details_payload(case):
            chain.append(case, "case.details", DETAILS_REF, sha256_hex(case_details_payload(case)), case.created_at)
    return case


def case_opened_payload(case: Case) -> dict[str, Any]:
    """The payload of a case's first chain entry (``case.opened``)."""
    return {"schema": "daybook.case.v1", "case": str(case.uuid), "opened_at": ts(case.created_at)}


def case_details_payload(case: Case) -> dict[str, Any]:
    """The payload of a ``case.details`` entry: every fact of the case that can reach a report."""
    payload: dict[str, Any] = {
        "schema": "daybook.case-details.v1",
        "case": str(case.uuid),
        "relationship": case.relationship,
        "started_on": case.started_on.isoformat() if case.started_on else None,
    }
    for name in CASE_TEXT_FIELDS:
        payload[name] = getattr(case, name)
    return payload


def blank_details_payload(case: Case) -> dict[str, Any]:
    """The facts of a case opened with none given: what a case with no ``case.details`` entry must hold."""
    return {**{name: "" for name in CASE_TEXT_FIELDS}, "schema": "daybook.case-details.v1", "case": str(case.uuid), "relationship": "", "started_on": None}


def order_ref(order: Order) -> str:
    return f"order/{order.uuid}"


def crime_reference_ref(ref: CrimeReference) -> str:
    return f"crime_reference/{ref.uuid}"


def order_payload(order: Order) -> dict[str, Any]:
    """The payload of an ``order.version`` entry: the order as it is printed in a report."""
    return {
        "schema": "daybook.order.v1",
        "order": str(order.uuid),
        "order_type": order.order_type,
        "starts_on": order.starts_on.isoformat() if order.starts_on else None,
        "ends_on": order.ends_on.isoformat() if order.ends_on else None,
        "conditions": order.conditions,
        "court": order.court,
    }


def crime_reference_payload(ref: CrimeReference) -> dict[str, Any]:
    """The payload of a ``crime_reference.version`` entry."""
    return {
        "schema": "daybook.crime-reference.v1",
        "crime_reference": str(ref.uuid),
        "force": ref.force,
        "given_on": ref.given_on.isoformat() if ref.given_on else None,
        "reference": ref.reference,
        "officer": ref.officer,
        "notes": ref.notes,
    }


def facts_covered(case: Case) -> bool:
    """Whether the case's facts are in its chain: opened since the facts kinds exist, or chained since."""
    opened = case.chain.filter(seq=1).values_list("at", flat=True).first()
    return bool(opened and opened >= FACTS_CHAINED_SINCE) or case.chain.filter(kind="case.details").exists()


def _cover(case: Case) -> None:
    """Chain an older case's facts, orders and crime references as they stand, once (before its first change)."""
    if facts_covered(case):
        return
    chain.append(case, "case.details", DETAILS_REF, sha256_hex(case_details_payload(case)))
    for order in Order.objects.filter(case=case).order_by("pk"):
        order.case = case
        chain.append(case, "order.version", order_ref(order), sha256_hex(order_payload(order)))
    for ref in CrimeReference.objects.filter(case=case).order_by("pk"):
        ref.case = case
        chain.append(case, "crime_reference.version", crime_reference_ref(ref), sha256_hex(crime_reference_payload(ref)))


def update_case(case: Case, user: Any, **fields: Any) -> Case:
    with transaction.atomic():
        locked = chain.lock(case)
        _cover(locked)
        _set_fields(case, fields)
        case.chain_seq, case.chain_head = locked.chain_seq, locked.chain_head
        case.save()
        chain.append(case, "case.details", DETAILS_REF, sha256_hex(case_details_payload(case)))
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
        locked = chain.lock(case)
        _cover(locked)
        ref.save()
        chain.append(locked, "crime_reference.version", crime_reference_ref(ref), sha256_hex(crime_reference_payload(ref)))
        case.chain_seq, case.chain_head = locked.chain_seq, locked.chain_head
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
        locked = chain.lock(case)
        _cover(locked)
        order.save()
        chain.append(locked, "order.version", order_ref(order), sha256_hex(order_payload(order)))
        case.chain_seq, case.chain_head = locked.chain_seq, locked.chain_head
        record(user, "order.added" if created else "order.changed", case)
    return order
