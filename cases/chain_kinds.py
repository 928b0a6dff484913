"""The chain kinds cases own (see chain.kinds):

* ``case.opened``, the first entry of every case;
* ``case.details`` (ref ``case/details``), a version of the case's facts (relationship, start, label, what is
  known about the person harassing them, notes): appended on every change;
* ``order.version`` (ref ``order/<uuid>``) and ``crime_reference.version`` (ref ``crime_reference/<uuid>``): a
  version of one order or crime reference, appended on every save.

The check keeps the latest payload hash of each ref and, at the end, recomputes the payload from the current rows:
each must equal its latest chained version (a case with no ``case.details`` entry was opened with no facts given),
no order or crime reference may exist outside the chain and none that the chain holds may be missing. A case
opened before these kinds existed and never changed since is reported as "not covered" (its facts are not in its chain), not as broken.
"""

from __future__ import annotations

from typing import Any

from cases.models import CrimeReference, Order
from cases.services import (
    DETAILS_REF,
    FACTS_CHAINED_SINCE,
    blank_details_payload,
    case_details_payload,
    case_opened_payload,
    crime_reference_payload,
    crime_reference_ref,
    order_payload,
    order_ref,
)
from chain import kinds
from chain.models import ChainEntry
from kernel.canonical import sha256_hex
from kernel.crypto import DecryptionError


class CaseFacts(kinds.Checker):
    """``case.opened``, ``case.details``, ``order.version`` and ``crime_reference.version``."""

    def __init__(self, case: Any) -> None:
        super().__init__(case)
        self.latest: dict[str, str] = {}  # ref -> payload hash of its latest entry
        self.opened_at = ""
        self.not_covered: list[str] = []

    def check(self, entry: ChainEntry) -> str | None:
        if entry.kind == "case.opened":
            if entry.seq != 1 or sha256_hex(case_opened_payload(self.case)) != entry.payload_sha256:
                return "The record of when this case was opened has been altered."
            self.opened_at = entry.at
            return None
        expected = {"case.details": "case/", "order.version": "order/", "crime_reference.version": "crime_reference/"}[entry.kind]
        if not entry.ref.startswith(expected) or (entry.kind == "case.details" and entry.ref != DETAILS_REF):
            return f"Entry {entry.seq} has the wrong kind for {entry.ref}."
        self.latest[entry.ref] = entry.payload_sha256
        return None

    def finish(self) -> str | None:
        covered = self.opened_at >= FACTS_CHAINED_SINCE or DETAILS_REF in self.latest
        stored = type(self.case).objects.get(pk=self.case.pk)  # the row as stored, not the caller's copy
        stored.__dict__["_cipher"] = self.case.get_cipher()
        try:
            details = sha256_hex(case_details_payload(stored))
        except (DecryptionError, ValueError):
            return "The case's details cannot be read: a stored value was altered or moved from another record."
        expected = self.latest.get(DETAILS_REF) or (sha256_hex(blank_details_payload(stored)) if covered else details)
        if details != expected:
            return "The case's details (who they are to you, what is known about them, its name or notes) have been changed outside Daybook."
        rows: list[tuple[str, str, Any]] = []
        for order in Order.objects.filter(case=self.case).order_by("pk"):
            order.case = self.case
            rows.append((order_ref(order), f"The order {order.get_order_type_display().lower()}", lambda o=order: order_payload(o)))
        for ref in CrimeReference.objects.filter(case=self.case).order_by("pk"):
            ref.case = self.case
            rows.append((crime_reference_ref(ref), "A crime reference", lambda r=ref: crime_reference_payload(r)))
        present = set()
        for ref, name, payload in rows:
            present.add(ref)
            try:
                digest = sha256_hex(payload())
            except (DecryptionError, ValueError):
                return f"{name} cannot be read: a stored value was altered or moved from another record."
            if ref in self.latest:
                if digest != self.latest[ref]:
                    return f"{name} has been changed outside Daybook: it no longer matches its recorded version."
            elif covered:
                return f"{name} is not in the chain: it was added outside Daybook."
        missing = sorted(set(self.latest) - present - {DETAILS_REF})
        if missing:
            what = "An order" if missing[0].startswith("order/") else "A crime reference"
            return f"{what} recorded in the chain has been deleted outside Daybook."
        if not covered:
            self.not_covered.append(
                "The case's details, orders and crime references: recorded before Daybook kept them in the chain, covered from their next change."
            )
        return None

    def notes(self) -> list[str]:
        return self.not_covered


kinds.register("case", ("case.opened", "case.details", "order.version", "crime_reference.version"), CaseFacts)
