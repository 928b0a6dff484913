"""Writes of cover, supervision and staff safety. Every write checks who may do it here (whoever calls it), runs in
one transaction and writes its audit row; a refusal is a ValidationError with a sentence, nothing half-saved."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from casework import services as casework_services
from casework.models import Client, ClientStatus
from casework.policy import Sight, sight
from cover.models import CoverGrant, DutyDay, HandoverNote, Reallocation, StaffRisk, StaffRiskKind, Supervision, Visit, VisitKind
from organisations.access import Can, Staff, can
from organisations.models import Membership

MAX_TEXT = 5000
MAX_COVER_DAYS = 92  # when the organisation has no settings row; otherwise its own cover_max_days


def max_cover_days(organisation: object) -> int:
    settings = getattr(organisation, "settings", None)
    return int(settings.cover_max_days) if settings is not None else MAX_COVER_DAYS


MAX_VISIT_HOURS = 12
ACTIVE = (ClientStatus.REFERRED, ClientStatus.OPEN)
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def _text(value: str | None, what: str, *, required: bool = True, minimum: int = 3, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if _BIDI.search(text):
        raise ValidationError(f"Remove the invisible direction-control characters from {what}.")
    if required and len(text) < minimum:
        raise ValidationError(f"Write {what}.")
    if len(text) > limit:
        raise ValidationError(f"Keep {what} under {limit} characters.")
    return text


def is_lead(staff: Staff) -> bool:
    return staff.can(Can.ALLOCATE)


def _lead_only(staff: Staff) -> None:
    if not is_lead(staff):
        raise ValidationError("Only a team lead can do this.")


def _colleague(staff: Staff, member: Membership | None, what: str) -> Membership:
    if member is None or member.organisation_id != staff.organisation.pk or not member.active or not can(member, Can.SEE_CLIENTS):
        raise ValidationError({what: "Choose a caseworker, duty worker or team lead of your organisation."})
    return member


def works_on(staff: Staff, client: Client) -> None:
    """The service layer's own check: full sight of the client under casework/policy.py."""
    if client.organisation_id != staff.organisation.pk or not staff.can(Can.SEE_CLIENTS) or sight(staff, client) is not Sight.FULL:
        raise ValidationError("You cannot work on this client record.")


# --- the duty rota ---


def duty_on(organisation: object, day: dt.date | None = None) -> DutyDay | None:
    return DutyDay.objects.select_related("member").filter(organisation=organisation, on=day or timezone.localdate()).first()


@transaction.atomic
def duty_set(*, staff: Staff, on: dt.date, member: Membership) -> DutyDay:
    _lead_only(staff)
    _colleague(staff, member, "member")
    if on < timezone.localdate():
        raise ValidationError({"on": "Choose today or a later day."})
    if on > timezone.localdate() + dt.timedelta(days=366):
        raise ValidationError({"on": "Choose a day within the next year."})
    day, _ = DutyDay.objects.update_or_create(organisation=staff.organisation, on=on, defaults={"member": member, "set_by": staff.membership})
    record_staff(staff.user, AuditAction.DUTY_SET, organisation=staff.organisation, target=f"{on.isoformat()}: member {member.pk}")
    return day


# --- cover grants ---


@transaction.atomic
def cover_grant(*, staff: Staff, covering: Membership, absent: Membership, starts_at: dt.datetime, ends_at: dt.datetime, reason: str) -> CoverGrant:
    _lead_only(staff)
    _colleague(staff, covering, "covering")
    if absent is None or absent.organisation_id != staff.organisation.pk:
        raise ValidationError({"absent": "Choose a colleague of your organisation."})
    if covering.pk == absent.pk:
        raise ValidationError({"covering": "Someone cannot cover their own clients: choose a colleague."})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    if ends_at <= timezone.now():
        raise ValidationError({"ends_at": "The end has already passed."})
    longest = max_cover_days(staff.organisation)
    if ends_at - starts_at > dt.timedelta(days=longest):
        raise ValidationError({"ends_at": f"Cover is time-limited: at most {longest} days. Reallocate for a longer absence."})
    reason = _text(reason, "the reason for the cover (for example annual leave)", limit=300)
    grant = CoverGrant.objects.create(
        organisation=staff.organisation, covering=covering, absent=absent, starts_at=starts_at, ends_at=ends_at, reason=reason, granted_by=staff.membership
    )
    record_staff(
        staff.user,
        AuditAction.COVER_GRANTED,
        organisation=staff.organisation,
        target=f"cover {grant.pk}: member {covering.pk} covers member {absent.pk} until {ends_at.isoformat()}",
    )
    return grant


@transaction.atomic
def cover_end(*, staff: Staff, grant: CoverGrant) -> CoverGrant:
    _lead_only(staff)
    grant = CoverGrant.objects.select_for_update().get(pk=grant.pk, organisation=staff.organisation)
    if grant.ended_at is not None or grant.ends_at <= timezone.now():
        raise ValidationError("This cover has already ended.")
    grant.ended_at = timezone.now()
    grant.ended_by = staff.membership
    grant.save(update_fields=["ended_at", "ended_by"])
    record_staff(staff.user, AuditAction.COVER_ENDED, organisation=staff.organisation, target=f"cover {grant.pk}")
    return grant


def covers_in_force(organisation: object) -> list[CoverGrant]:
    now = timezone.now()
    return list(
        CoverGrant.objects.filter(organisation=organisation, starts_at__lte=now, ends_at__gt=now, ended_at__isnull=True).select_related("covering", "absent")
    )


# --- handover notes ---


@transaction.atomic
def handover_add(*, staff: Staff, client: Client, text: str) -> HandoverNote:
    works_on(staff, client)
    note = HandoverNote(client=client, by=staff.membership)
    note.text = _text(text, "the handover note", minimum=10)
    note.save()
    record_staff(staff.user, AuditAction.HANDOVER_ADDED, organisation=staff.organisation, client=client, target=f"handover note {note.pk}")
    return note


# --- bulk reallocation ---


def caseload_of(staff: Staff, leaving: Membership) -> list[Client]:
    return list(
        Client.objects.filter(organisation=staff.organisation, allocated_to=leaving, status__in=ACTIVE, merged_into__isnull=True)
        .select_related("organisation")
        .order_by("pk")
    )


@transaction.atomic
def reallocate(*, staff: Staff, leaving: Membership, moves: dict[int, Membership], reason: str) -> Reallocation:
    """Move every listed client of ``leaving`` to its chosen colleague, all or nothing (conflict and caseload checks
    as for one allocation; the one reason covers a caseload over the ceiling or an acknowledged conflict)."""
    _lead_only(staff)
    if leaving is None or leaving.organisation_id != staff.organisation.pk:
        raise ValidationError({"leaving": "Choose a colleague of your organisation."})
    reason = _text(reason, "why these clients move (at least 10 characters)", minimum=10, limit=500)
    clients = {c.pk: c for c in caseload_of(staff, leaving)}
    if not moves:
        raise ValidationError("Choose who takes at least one client.")
    moved = []
    for client_id, member in sorted(moves.items()):
        client = clients.get(client_id)
        if client is None:
            raise ValidationError(f"Client C-{client_id:06d} is not one of {leaving.display_name}'s open clients.")
        _colleague(staff, member, "member")
        if member.pk == leaving.pk:
            raise ValidationError(f"{client.reference}: choose someone other than {leaving.display_name}.")
        if sight(staff, client) is not Sight.FULL:
            raise ValidationError(f"{client.reference} is restricted: a member named on it reallocates it from the record.")
        try:
            casework_services.client_allocate(staff=staff, client=client, member=member, conflict_reason=reason, over_ceiling_reason=reason)
        except ValidationError as exc:
            raise ValidationError(f"{client.reference}: " + " ".join(exc.messages)) from exc
        moved.append([client.pk, member.pk])
    done = Reallocation.objects.create(organisation=staff.organisation, leaving=leaving, by=staff.membership, moved=moved)
    record_staff(
        staff.user,
        AuditAction.CLIENTS_REALLOCATED,
        organisation=staff.organisation,
        target=f"reallocation {done.pk}: {len(moved)} client(s) of member {leaving.pk}",
    )
    return done


# --- supervision ---


@transaction.atomic
def supervision_record(
    *, staff: Staff, caseworker: Membership, held_on: dt.date, cases: list[Client], notes: str, actions: list[dict[str, str]]
) -> Supervision:
    _lead_only(staff)
    _colleague(staff, caseworker, "caseworker")
    if caseworker.pk == staff.membership.pk:
        raise ValidationError({"caseworker": "Supervision is with someone else: choose the caseworker."})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "A supervision cannot be recorded before it is held."})
    for client in cases:
        if client.organisation_id != staff.organisation.pk or client.allocated_to_id != caseworker.pk:
            raise ValidationError({"cases": "Choose cases from the caseworker's own caseload."})
    clean_actions = []
    for a in actions:
        text = _text(a.get("text"), "the action", limit=500)
        due = a.get("due_on") or ""
        if due:
            try:
                due_day = dt.date.fromisoformat(due)
            except ValueError as exc:
                raise ValidationError({"actions": "Give each action's due date as a date."}) from exc
            if due_day < held_on:
                raise ValidationError({"actions": "An action cannot be due before the supervision."})
        clean_actions.append({"text": text, "due_on": due})
    record = Supervision(organisation=staff.organisation, lead=staff.membership, caseworker=caseworker, held_on=held_on)
    record.notes = _text(notes, "the notes of the supervision", minimum=10)
    record.actions = clean_actions
    record.save()
    record.cases.set(cases)
    record_staff(
        staff.user,
        AuditAction.SUPERVISION_RECORDED,
        organisation=staff.organisation,
        target=f"supervision {record.pk}: member {caseworker.pk}, {len(cases)} case(s), {len(clean_actions)} action(s)",
    )
    return record


def may_read_supervision(staff: Staff, record: Supervision) -> bool:
    return record.organisation_id == staff.organisation.pk and (is_lead(staff) or record.caseworker_id == staff.membership.pk)


# --- risk to staff ---


@transaction.atomic
def staff_risk_add(*, staff: Staff, client: Client, kind: str, note: str = "") -> StaffRisk:
    works_on(staff, client)
    if kind not in StaffRiskKind.values:
        raise ValidationError({"kind": "Choose the risk to staff."})
    note = _text(note, "what staff need to know", required=kind == StaffRiskKind.OTHER, limit=1000)
    risk = StaffRisk(client=client, kind=kind, by=staff.membership)
    risk.note = note
    risk.save()
    record_staff(staff.user, AuditAction.STAFF_RISK_RECORDED, organisation=staff.organisation, client=client, target=f"staff risk {risk.pk}: {kind}")
    return risk


@transaction.atomic
def staff_risk_end(*, staff: Staff, risk: StaffRisk) -> StaffRisk:
    works_on(staff, risk.client)
    if not is_lead(staff):
        raise ValidationError("Only a team lead can end a risk-to-staff marker.")
    if risk.ended_at is not None:
        raise ValidationError("This marker has already ended.")
    risk.ended_at = timezone.now()
    risk.ended_by = staff.membership
    risk.save(update_fields=["ended_at", "ended_by"])
    record_staff(staff.user, AuditAction.STAFF_RISK_ENDED, organisation=staff.organisation, client=risk.client, target=f"staff risk {risk.pk}")
    return risk


def staff_risks(client: Client) -> list[StaffRisk]:
    rows = list(StaffRisk.objects.filter(client=client, ended_at__isnull=True))
    for r in rows:
        r.client = client
    return rows


# --- visits (lone working): planning here, check-in and escalation in cover/visits.py ---


@transaction.atomic
def visit_plan(*, staff: Staff, client: Client, member: Membership, kind: str, starts_at: dt.datetime, ends_at: dt.datetime, place: str) -> Visit:
    works_on(staff, client)
    _colleague(staff, member, "member")
    if member.pk != staff.membership.pk and sight(Staff(organisation=staff.organisation, membership=member), client) is not Sight.FULL:
        raise ValidationError({"member": "That colleague cannot see this client: allocate or give cover first."})
    if kind not in VisitKind.values:
        raise ValidationError({"kind": "Choose the kind of visit."})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": "The end must be after the start."})
    if ends_at - starts_at > dt.timedelta(hours=MAX_VISIT_HOURS):
        raise ValidationError({"ends_at": f"A visit lasts at most {MAX_VISIT_HOURS} hours."})
    if starts_at < timezone.now() - dt.timedelta(hours=1):
        raise ValidationError({"starts_at": "Plan a visit before it starts (at most an hour ago)."})
    visit = Visit(organisation=staff.organisation, client=client, member=member, kind=kind, starts_at=starts_at, ends_at=ends_at, planned_by=staff.membership)
    visit.place = _text(place, "where the visit is", limit=300)
    visit.save()
    record_staff(staff.user, AuditAction.VISIT_PLANNED, organisation=staff.organisation, client=client, target=f"{visit.reference}: member {member.pk}")
    return visit
