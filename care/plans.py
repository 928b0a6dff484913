"""Needs assessments and the support plan (design 3.5): the needs areas, the person's own words, outcome measures
at the start (and at reviews and the end); goals and actions with an owner and a due date, and reviews.

Each write is one transaction with its chained snapshot and audit row (care/ledger.py): an assessment is its own
subject (``needs.assessment``); the support plan is one subject per client (``support_plan.version``), chained
whole after every change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from audit.actions import AuditAction
from care import ledger, rules
from care.models import Goal, GoalStatus, NeedArea, NeedsAssessment, PlanAction, PlanReview, Stage, attach
from casework.models import Client
from kernel.canonical import day
from organisations.access import Staff
from organisations.models import Membership

NEEDS_KIND = "needs.assessment"
PLAN_KIND = "support_plan.version"
PLAN_SUBJECT = "support-plan"
LEVELS = {"none": "No need", "some": "Some need", "high": "High need"}
# Outcome measures in the style of the Ministry of Justice's victim services outcomes ("cope and recover"): each
# asked as "how much ..." on 1 (not at all) to 5 (completely), 0 when not asked. The wording is Daybook's own.
OUTCOMES = {
    "safe": "How safe they feel",
    "cope": "How well they cope with everyday life",
    "health": "Their health and wellbeing",
    "informed": "How informed they feel about what happens next",
    "supported": "How supported they feel by people around them",
}


def needs_subject(assessment: NeedsAssessment) -> str:
    return f"needs/{assessment.uuid}"


def needs_state(a: NeedsAssessment) -> dict[str, Any]:
    return {
        "assessment": str(a.uuid),
        "stage": a.stage,
        "assessed_on": day(a.assessed_on),
        "by": str(a.by_id) if a.by_id else None,
        "areas": a.areas or {},
        "own_words": a.own_words,
        "outcomes": a.outcomes or {},
    }


def plan_state(client: Client) -> dict[str, Any]:
    goals = attach(Goal.objects.filter(client=client).order_by("created_on", "pk"), client)
    actions: dict[int, list[PlanAction]] = {}
    for act in attach(PlanAction.objects.filter(client=client).order_by("due_on", "pk"), client):
        actions.setdefault(act.goal_id, []).append(act)
    return {
        "goals": [
            {
                "goal": str(g.uuid),
                "area": g.area,
                "status": g.status,
                "created_on": day(g.created_on),
                "text": g.text,
                "actions": [
                    {
                        "action": str(a.uuid),
                        "owner": str(a.owner_id),
                        "created_on": day(a.created_on),
                        "due_on": day(a.due_on),
                        "done_on": day(a.done_on),
                        "text": a.text,
                    }
                    for a in actions.get(g.pk, [])
                ],
            }
            for g in goals
        ],
        "reviews": [
            {
                "review": str(r.uuid),
                "reviewed_on": day(r.reviewed_on),
                "next_review_on": day(r.next_review_on),
                "by": str(r.by_id) if r.by_id else None,
                "note": r.note,
            }
            for r in attach(PlanReview.objects.filter(client=client).order_by("reviewed_on", "pk"), client)
        ],
    }


def current_needs(client: Client) -> dict[str, dict[str, Any]]:
    return {needs_subject(a): needs_state(a) for a in attach(NeedsAssessment.objects.filter(client=client), client)}


def current_plan(client: Client) -> dict[str, dict[str, Any]]:
    if not Goal.objects.filter(client=client).exists() and not PlanReview.objects.filter(client=client).exists():
        return {}
    return {PLAN_SUBJECT: plan_state(client)}


def start_of(client: Client) -> NeedsAssessment | None:
    return NeedsAssessment.objects.filter(client=client, stage=Stage.START).first()


@transaction.atomic
def needs_assess(
    *, staff: Staff, client: Client, stage: str, assessed_on: dt.date, areas: dict[str, dict[str, str]], own_words: str, outcomes: dict[str, int]
) -> NeedsAssessment:
    errors: dict[str, str] = {}
    if stage not in Stage.values:
        errors["stage"] = "Choose when this assessment is."
    rules.not_future(assessed_on, "assessed_on", errors, "The assessment date")
    ledger.lock(client)
    start = start_of(client)
    if stage == Stage.START and start is not None:
        errors["stage"] = "This client already has a start assessment: record a review or the end of support."
    if stage in (Stage.REVIEW, Stage.EXIT) and start is None:
        errors["stage"] = "Record the start assessment first: a review cannot come before it."
    elif stage in (Stage.REVIEW, Stage.EXIT) and start is not None and assessed_on < start.assessed_on:
        errors["assessed_on"] = f"A review cannot be dated before the start assessment ({start.assessed_on:%-d %B %Y})."
    clean_areas: dict[str, dict[str, str]] = {}
    for area in NeedArea.values:
        level = (areas.get(area) or {}).get("level", "none")
        if level not in LEVELS:
            errors[f"{area}_level"] = "Choose a level of need."
        note = rules.text((areas.get(area) or {}).get("note", ""), f"{area}_note", rules.MEDIUM, errors)
        clean_areas[area] = {"level": level, "note": note}
    unknown = set(areas) - set(NeedArea.values)
    if unknown:
        errors["__all__"] = "Unknown needs areas."
    words = rules.text(own_words, "own_words", rules.LONG, errors, required="Write what the person wants, in their own words." if stage == Stage.START else "")
    clean_outcomes: dict[str, int] = {}
    for key in OUTCOMES:
        value = outcomes.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 5:
            errors[f"outcome_{key}"] = "Choose 1 to 5, or not asked."
        else:
            clean_outcomes[key] = value
    rules.raise_if(errors)
    a = NeedsAssessment(client=client, stage=stage, assessed_on=assessed_on, by=staff.membership, outcomes=clean_outcomes)
    a.areas = clean_areas
    a.own_words = words
    a.save()
    ledger.append(
        client,
        staff=staff,
        kind=NEEDS_KIND,
        subject=needs_subject(a),
        action=stage,
        state=needs_state(a),
        audit=AuditAction.NEEDS_ASSESSED,
        target=f"needs {stage}",
    )
    return a


def _chain_plan(staff: Staff, client: Client, action: str, audit: str = AuditAction.SUPPORT_PLAN_CHANGED) -> None:
    ledger.append(
        client, staff=staff, kind=PLAN_KIND, subject=PLAN_SUBJECT, action=action, state=plan_state(client), audit=audit, target=f"support plan: {action}"
    )


@transaction.atomic
def goal_add(*, staff: Staff, client: Client, area: str, text: str) -> Goal:
    errors: dict[str, str] = {}
    if area not in NeedArea.values:
        errors["area"] = "Choose the needs area."
    text = rules.text(text, "text", rules.MEDIUM, errors, required="Write the goal, in the person's words where you can.")
    rules.raise_if(errors)
    ledger.lock(client)
    goal = Goal(client=client, area=area, created_on=rules.today())
    goal.text = text
    goal.save()
    _chain_plan(staff, client, "goal_added")
    return goal


@transaction.atomic
def goal_status(*, staff: Staff, goal: Goal, status: str) -> Goal:
    if status not in GoalStatus.values:
        rules.raise_if({"status": "Choose where the goal stands."})
    ledger.lock(goal.client)
    goal.status = status
    goal.save(update_fields=["status"])
    _chain_plan(staff, goal.client, f"goal_{status}")
    return goal


@transaction.atomic
def action_add(*, staff: Staff, goal: Goal, text: str, owner: Membership | None, due_on: dt.date | None) -> PlanAction:
    errors: dict[str, str] = {}
    text = rules.text(text, "text", rules.MEDIUM, errors, required="Write the action.")
    if owner is None or owner.organisation_id != goal.client.organisation_id or not owner.active:
        errors["owner"] = "Choose who owns the action, from your organisation."
    if due_on is None:
        errors["due_on"] = "Enter the date the action is due."
    elif due_on < rules.today():
        errors["due_on"] = "The due date cannot be in the past."
    elif due_on < goal.created_on:
        errors["due_on"] = "An action cannot be due before its goal was set."
    if goal.status != GoalStatus.OPEN:
        errors["__all__"] = "This goal is no longer open."
    rules.raise_if(errors)
    ledger.lock(goal.client)
    assert owner is not None and due_on is not None
    act = PlanAction(client=goal.client, goal=goal, owner=owner, created_on=rules.today(), due_on=due_on)
    act.text = text
    act.save()
    _chain_plan(staff, goal.client, "action_added")
    return act


@transaction.atomic
def action_done(*, staff: Staff, action: PlanAction, done_on: dt.date | None) -> PlanAction:
    errors: dict[str, str] = {}
    done_on = done_on or rules.today()
    rules.not_future(done_on, "done_on", errors, "The date it was done")
    if done_on < action.created_on:
        errors["done_on"] = "An action cannot be done before it was set."
    if action.done_on:
        errors["__all__"] = "This action is already marked done."
    rules.raise_if(errors)
    ledger.lock(action.client)
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    _chain_plan(staff, action.client, "action_done")
    return action


@transaction.atomic
def plan_review(*, staff: Staff, client: Client, reviewed_on: dt.date, next_review_on: dt.date, note: str) -> PlanReview:
    errors: dict[str, str] = {}
    note = rules.text(note, "note", rules.MEDIUM, errors, required="Write what the review found.")
    rules.not_future(reviewed_on, "reviewed_on", errors, "The review date")
    first = Goal.objects.filter(client=client).order_by("created_on").first()
    if first is None:
        errors["__all__"] = "There is no plan to review yet: set a goal first."
    elif reviewed_on < first.created_on:
        errors["reviewed_on"] = f"A review cannot be dated before the plan began ({first.created_on:%-d %B %Y})."
    if next_review_on <= reviewed_on:
        errors["next_review_on"] = "The next review must come after this one."
    rules.raise_if(errors)
    ledger.lock(client)
    review = PlanReview(client=client, reviewed_on=reviewed_on, next_review_on=next_review_on, by=staff.membership)
    review.note = note
    review.save()
    _chain_plan(staff, client, "reviewed", AuditAction.SUPPORT_PLAN_REVIEWED)
    return review
