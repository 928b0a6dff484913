"""Closing a client record (design 3.9): the checklist, outcome measures at exit (or why none), approval by a team
lead where the organisation wants it, and reopening with the history kept. A closure is refused while plan actions
or reminders are open, or a safeguarding concern or referral has no outcome."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from care.models import ConcernStatus, NeedsAssessment, PlanAction, SafeguardingConcern, SafeguardingReferral, SafetyPlan, Stage
from casework.models import Client, ClientStatus
from governance.models import Closure, ClosureState, GovernanceSettings
from justice.models import Task
from organisations.access import Can, Staff
from organisations.models import Organisation

MIN_REASON = 10


def settings_for(organisation: Organisation) -> GovernanceSettings:
    found, _ = GovernanceSettings.objects.get_or_create(organisation=organisation)
    return found


def blockers(client: Client) -> list[str]:
    """Why this record cannot be closed yet, in words (empty when it can)."""
    out: list[str] = []
    if client.status != ClientStatus.OPEN:
        out.append("Only an open record can be closed." if client.status != ClientStatus.CLOSED else "This record is already closed.")
    if Closure.objects.filter(client=client, state=ClosureState.WAITING).exists():
        out.append("A closure is already waiting for a team lead's approval.")
    actions = PlanAction.objects.filter(client=client, done_on__isnull=True).count()
    if actions:
        out.append(f"{actions} support plan action{'s are' if actions != 1 else ' is'} still open: mark {'them' if actions != 1 else 'it'} done first.")
    tasks = Task.objects.filter(client=client, done_at__isnull=True).count()
    if tasks:
        out.append(f"{tasks} reminder{'s are' if tasks != 1 else ' is'} still open on the due list.")
    concerns = SafeguardingConcern.objects.filter(client=client, status=ConcernStatus.OPEN).count()
    if concerns:
        out.append(
            f"{concerns} safeguarding concern{'s are' if concerns != 1 else ' is'} still open: close {'them' if concerns != 1 else 'it'} with an outcome first."
        )
    waiting = SafeguardingReferral.objects.filter(concern__client=client, outcome_on__isnull=True).count()
    if waiting:
        out.append(f"{waiting} safeguarding referral{'s have' if waiting != 1 else ' has'} no outcome recorded yet.")
    return out


def has_exit_measures(client: Client) -> bool:
    return NeedsAssessment.objects.filter(client=client, stage=Stage.EXIT).exists()


@transaction.atomic
def closure_request(
    *,
    staff: Staff,
    client: Client,
    needs_met: bool,
    safety_plan_reviewed: bool,
    told_can_return: bool,
    reason: str,
    no_measures_reason: str = "",
) -> Closure:
    client = Client.objects.select_for_update().get(pk=client.pk)
    found = blockers(client)
    if found:
        raise ValidationError(found)
    errors: dict[str, str] = {}
    if not needs_met:
        errors["needs_met"] = "Confirm the person's needs were met or they were referred on."
    if not safety_plan_reviewed and SafetyPlan.objects.filter(client=client).exists():
        errors["safety_plan_reviewed"] = "Review the safety plan with the person before closing."
    if not told_can_return:
        errors["told_can_return"] = "Tell the person they can come back, and confirm you did."
    if len(reason.strip()) < MIN_REASON:
        errors["reason"] = f"Say why support is ending (at least {MIN_REASON} characters)."
    measures = has_exit_measures(client)
    if not measures and len(no_measures_reason.strip()) < MIN_REASON:
        errors["no_measures_reason"] = f"Record the outcome measures at the end of support, or say why none were taken (at least {MIN_REASON} characters)."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    approve_now = not settings_for(staff.organisation).closure_needs_approval or staff.can(Can.APPROVE_CLOSURE)
    closure = Closure(
        organisation=staff.organisation,
        client=client,
        state=ClosureState.CLOSED if approve_now else ClosureState.WAITING,
        needs_met=True,
        safety_plan_reviewed=safety_plan_reviewed,
        safeguarding_closed=True,
        told_can_return=True,
        exit_measures_taken=measures,
        requested_at=now,
        requested_by=staff.membership,
        decided_at=now if approve_now else None,
        decided_by=staff.membership if approve_now else None,
    )
    closure.reason = reason.strip()
    closure.no_measures_reason = "" if measures else no_measures_reason.strip()
    closure.save()
    record_staff(staff.user, AuditAction.CLOSURE_REQUESTED, organisation=staff.organisation, client=client, target=f"closure {closure.pk}")
    if approve_now:
        _close(client)
        record_staff(staff.user, AuditAction.CLOSURE_DECIDED, organisation=staff.organisation, client=client, target=f"closure {closure.pk} approved")
    return closure


def _close(client: Client) -> None:
    client.status = ClientStatus.CLOSED
    client.save(update_fields=["status"])


@transaction.atomic
def closure_decide(*, staff: Staff, closure: Closure, approve: bool, note: str = "") -> Closure:
    if not staff.can(Can.APPROVE_CLOSURE):
        raise ValidationError("Only a team lead can approve a closure.")
    closure = Closure.objects.select_for_update().select_related("client", "client__organisation").get(pk=closure.pk)
    if closure.state != ClosureState.WAITING:
        raise ValidationError("This closure is not waiting for a decision.")
    client = closure.client
    if approve:
        found = [b for b in blockers(client) if "waiting for a team lead" not in b]
        if found:
            raise ValidationError(found)
    elif len(note.strip()) < MIN_REASON:
        raise ValidationError({"note": f"Say why the closure is refused (at least {MIN_REASON} characters)."})
    closure.state = ClosureState.CLOSED if approve else ClosureState.REFUSED
    closure.decided_at = timezone.now()
    closure.decided_by = staff.membership
    closure.decision_note = note.strip()
    closure.save()
    if approve:
        _close(client)
    record_staff(
        staff.user,
        AuditAction.CLOSURE_DECIDED,
        organisation=staff.organisation,
        client=client,
        target=f"closure {closure.pk} {'approved' if approve else 'refused'}",
    )
    return closure


@transaction.atomic
def closure_reopen(*, staff: Staff, client: Client, reason: str) -> Closure:
    if not staff.can(Can.APPROVE_CLOSURE):
        raise ValidationError("Only a team lead can reopen a closed record.")
    client = Client.objects.select_for_update().get(pk=client.pk)
    closure = Closure.objects.filter(client=client, state=ClosureState.CLOSED).order_by("-decided_at", "-pk").first()
    if client.status != ClientStatus.CLOSED or closure is None:
        raise ValidationError("Only a closed record can be reopened.")
    if len(reason.strip()) < MIN_REASON:
        raise ValidationError({"reason": f"Say why the record is reopened (at least {MIN_REASON} characters)."})
    closure.client = client
    closure.state = ClosureState.REOPENED
    closure.reopened_at = timezone.now()
    closure.reopened_by = staff.membership
    closure.reopen_reason = reason.strip()
    closure.save()
    client.status = ClientStatus.OPEN
    client.save(update_fields=["status"])
    record_staff(staff.user, AuditAction.CLOSURE_REOPENED, organisation=staff.organisation, client=client, target=f"closure {closure.pk}")
    return closure
