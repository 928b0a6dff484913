"""The safety plan (design 3.5): versioned, made with the person, in sections, with a review date. Sections the
suspect must never see (a new address, routes, plans to leave) are marked, and leave the service only when a
member chooses so for that copy (the printable page; the person's own view when their link arrives).

Saving sends the version the form was opened at; if someone saved since, the save is refused with
:class:`PlanConflict` naming the newer version, so two people editing at once never overwrite each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from care import ledger, rules
from care.models import SafetyPlan, attach
from casework.models import Client
from kernel.canonical import day
from organisations.access import Staff

KIND = "safety_plan.version"
SUBJECT = "safety-plan"
MAX_REVIEW_DAYS = 366


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    hint: str
    marked: bool  # marked as never-to-be-seen by the suspect, unless changed


SECTIONS = [
    Section("emergency", "In an emergency", "999 (55 on a silent call), where to go, who to call first.", False),
    Section("home", "At home", "Locks, lights, cameras, who answers the door, keys ready.", False),
    Section(
        "digital", "Phones, accounts and online", "Passwords, two-step sign-in, location sharing, trackers, what to check before changing settings.", False
    ),
    Section("travel", "Travel and daily routines", "Routes, times, safe places on the way, varying routines.", True),
    Section("work", "Work or school", "Who knows there, reception and security, getting in and out.", False),
    Section("children", "Children and pets", "School pick-up, who may collect, contact arrangements, pets.", False),
    Section("trusted", "Trusted people", "Who to tell, who can help, and how to reach them.", False),
    Section("code_word", "Code word", "The word that means 'call the police' to trusted people.", True),
    Section("evidence", "Keeping evidence", "Keep the diary up to date, save messages, photograph damage, note crime references.", False),
    Section("leaving", "Moving or leaving", "A new address, plans to leave, refuge: never shared with anyone the suspect could reach.", True),
]
KEYS = [s.key for s in SECTIONS]


class PlanConflict(Exception):
    """Someone saved a newer version while this one was being edited."""

    def __init__(self, plan: SafetyPlan) -> None:
        self.plan = plan
        who = plan.updated_by.display_name if plan.updated_by else "someone"
        super().__init__(
            f"{who} saved version {plan.version} of this plan at {timezone.localtime(plan.updated_at):%H:%M on %-d %B} while you were editing. "
            "Nothing of yours was saved over it: read their version, then make your changes again."
        )


def state(plan: SafetyPlan) -> dict[str, Any]:
    return {
        "plan": str(plan.uuid),
        "version": plan.version,
        "made_with_person": plan.made_with_person,
        "made_on": day(plan.made_on),
        "review_on": day(plan.review_on),
        "sections": {k: plan.sections.get(k, {"text": "", "marked": False}) for k in KEYS},
    }


def current(client: Client) -> dict[str, dict[str, Any]]:
    plan = SafetyPlan.objects.filter(client=client).first()
    return {SUBJECT: state(attach([plan], client)[0])} if plan else {}


def plan_of(client: Client) -> SafetyPlan | None:
    plan = SafetyPlan.objects.filter(client=client).select_related("updated_by").first()
    if plan is not None:
        plan.client = client
    return plan


def save(
    *, staff: Staff, client: Client, base_version: int, made_with_person: bool, review_on: dt.date | None, sections: dict[str, dict[str, Any]]
) -> SafetyPlan:
    """Save a new version. Refused with PlanConflict (and an audit row) when ``base_version`` is not the latest."""
    errors: dict[str, str] = {}
    clean: dict[str, dict[str, Any]] = {}
    for s in SECTIONS:
        given = sections.get(s.key) or {}
        clean[s.key] = {"text": rules.text(given.get("text", ""), f"{s.key}_text", rules.LONG, errors), "marked": bool(given.get("marked"))}
    if set(sections) - set(KEYS):
        errors["__all__"] = "Unknown sections."
    elif not any(v["text"] for v in clean.values()):
        errors["__all__"] = "Write at least one section of the plan."
    today = rules.today()
    if review_on is None:
        errors["review_on"] = "Enter the date to review the plan."
    elif review_on <= today:
        errors["review_on"] = "The review date must come after the plan is made (after today)."
    elif review_on > today + dt.timedelta(days=MAX_REVIEW_DAYS):
        errors["review_on"] = "Review the plan within a year."
    rules.raise_if(errors)
    assert review_on is not None
    try:
        with transaction.atomic():
            return _save(staff, client, base_version, made_with_person, review_on, clean)
    except PlanConflict as conflict:
        with transaction.atomic():
            record_staff(
                staff.user,
                AuditAction.SAFETY_PLAN_CONFLICT,
                organisation=client.organisation,
                client=client,
                target=f"from v{base_version}, now v{conflict.plan.version}",
            )
        raise


def _save(staff: Staff, client: Client, base: int, made_with_person: bool, review_on: dt.date, sections: dict[str, dict[str, Any]]) -> SafetyPlan:
    ledger.lock(client)
    plan = plan_of(client)
    latest = plan.version if plan else 0
    if base != latest:
        assert plan is not None
        raise PlanConflict(plan)
    now = timezone.now()
    if plan is None:
        plan = SafetyPlan(client=client)
    plan.version = latest + 1
    plan.made_with_person = made_with_person
    plan.made_on = rules.today()
    plan.review_on = review_on
    plan.updated_at, plan.updated_by = now, staff.membership
    plan.sections = sections
    plan.save()
    ledger.append(
        client,
        staff=staff,
        kind=KIND,
        subject=SUBJECT,
        action="saved",
        state=state(plan),
        audit=AuditAction.SAFETY_PLAN_SAVED,
        target=f"safety plan v{plan.version}",
        at=now,
    )
    return plan


SHOWN_VERSIONS = 20


def versions(client: Client, latest: int = SHOWN_VERSIONS) -> list[dict[str, Any]]:
    """The latest versions, newest first, read back from the chained snapshots (only these are decrypted)."""
    return [
        {"version": s.payload["state"]["version"], "at": s.at, "by": s.by.display_name if s.by else "", "state": s.payload["state"]}
        for s in reversed(ledger.history(client, SUBJECT, latest=latest))
    ]


@transaction.atomic
def printed(*, staff: Staff, client: Client, plan: SafetyPlan, with_marked: bool) -> None:
    what = "with marked sections (chosen)" if with_marked else "without marked sections"
    record_staff(staff.user, AuditAction.SAFETY_PLAN_PRINTED, organisation=client.organisation, client=client, target=f"safety plan v{plan.version} {what}")


def shown_sections(plan: SafetyPlan, *, with_marked: bool) -> list[dict[str, Any]]:
    """The sections to show or print: marked ones only when chosen."""
    out = []
    for s in SECTIONS:
        value = plan.sections.get(s.key) or {}
        if not value.get("text"):
            continue
        if value.get("marked") and not with_marked:
            continue
        out.append({"key": s.key, "title": s.title, "text": value["text"], "marked": bool(value.get("marked"))})
    return out
