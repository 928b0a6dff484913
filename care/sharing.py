"""A safety plan shared back with the person (design section 4): only when the caseworker chooses it for that plan,
one version at a time, and never its marked sections. The person's Daybook (circle/safety_plans.py) reads
:func:`plans_shared_with`; the client is reached only through a diary share the person made and has not ended.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from audit.actions import AuditAction
from audit.services import record_staff
from care import ledger, safety
from care.models import SafetyPlan, Snapshot
from casework.models import Client
from organisations.access import Staff


@dataclass(frozen=True)
class SharedPlan:
    organisation: str
    version: int
    made_on: str
    review_on: str
    sections: tuple[tuple[str, str], ...]  # (title, text), marked sections left out

    def __str__(self) -> str:
        body = " ".join(f"{title}: {text}" for title, text in self.sections)
        return f"{self.organisation}, version {self.version} (made {self.made_on}, review {self.review_on}). {body}"


def shareable(state: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The sections of a chained plan state that may leave the service: written and not marked."""
    out = []
    for s in safety.SECTIONS:
        value = state["sections"].get(s.key) or {}
        if value.get("text") and not value.get("marked"):
            out.append((s.title, value["text"]))
    return tuple(out)


@transaction.atomic
def share(*, staff: Staff, client: Client, plan: SafetyPlan, shared: bool) -> SafetyPlan:
    """Share the current version with the person (its unmarked sections), or stop sharing."""
    ledger.lock(client)
    plan.shared_version = plan.version if shared else None
    plan.save(update_fields=["shared_version"])
    what = f"safety plan v{plan.version} shared without marked sections" if shared else "safety plan sharing stopped"
    record_staff(staff.user, AuditAction.SAFETY_PLAN_SHARED, organisation=client.organisation, client=client, target=what)
    return plan


def plans_shared_with(user: Any) -> list[SharedPlan]:
    """Each plan a service chose to share with this person, through a diary share still in force."""
    if not getattr(user, "is_authenticated", False):
        return []
    clients = Client.objects.filter(diary_shares__case__owner=user, diary_shares__ended_at__isnull=True).distinct().select_related("organisation")
    out = []
    for client in clients:
        plan = SafetyPlan.objects.filter(client=client, shared_version__isnull=False).first()
        if plan is None:
            continue
        snap = Snapshot.objects.filter(client=client, subject=safety.SUBJECT, n=plan.shared_version).first()
        if snap is None:
            continue
        snap.client = client
        state = snap.payload["state"]
        out.append(SharedPlan(client.organisation.name, state["version"], state["made_on"], state["review_on"], shareable(state)))
    return out
