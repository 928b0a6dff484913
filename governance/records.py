"""Records law (design 3.9): the subject access pack, the chronology, the requests log, legal holds, complaints and
compliments. Writes are one transaction each with their audit row; reads of a client are logged by the views."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from care.models import Goal, NeedsAssessment, PlanAction, PlanReview, SafeguardingConcern, SafetyPlan, attach
from care.plans import OUTCOMES
from casework.models import Client, Referral
from governance import equality
from governance.models import Closure, Decision, Feedback, FeedbackKind, FeedbackOutcome, LegalHold, RecordsRequest, RequestKind, RightDelivered
from governance.redaction import REDACTED, Redactor
from governance.returns import safe_cell
from justice.models import Assessment, CourtDate, Onward, Order, OrderEvent, StatusChange, VpsEvent
from kernel.localtime import local
from organisations.access import Staff

MIN_TEXT = 10
ANSWER_DAYS = {RequestKind.SUBJECT_ACCESS: 30, RequestKind.ERASURE: 30, RequestKind.DISCLOSURE: 14}


# --- the subject access pack ---


@dataclass
class PackSection:
    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""


def _day(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value)
        return f"{value:%-d %B %Y, %H:%M}"
    return f"{value:%-d %B %Y}"


def subject_access_pack(client: Client) -> list[PackSection]:
    """Everything held about the client, with other people's details redacted. Nothing from any other record is
    read into it (so a requester named as the suspect elsewhere learns nothing of it), and no alerts, search index,
    break-glass or staff names: staff appear as "a member of staff"."""
    r = Redactor(client)
    out: list[PackSection] = []
    out.append(
        PackSection(
            "Your details",
            [
                ("Name", client.full_name or ""),
                ("Date of birth", client.date_of_birth or ""),
                ("Phone numbers", ", ".join(client.phones or [])),
                ("E-mail", client.email or ""),
                ("Area", client.address_area or ""),
                ("Language", client.language or ""),
                ("Interpreter", r.text(client.interpreter)),
                ("Access needs", r.text(client.access_needs)),
                ("Record opened", _day(client.created_at)),
                ("Status", client.get_status_display()),
            ],
        )
    )
    rows: list[tuple[str, str]] = []
    for ref in Referral.objects.filter(client=client).order_by("received_at").prefetch_related("attempts"):
        ref.client = client
        rows += [
            (f"Referral {ref.reference}", f"received {_day(ref.received_at)} from {ref.get_source_display().lower()}; {ref.get_status_display().lower()}"),
            ("Lawful basis and consent", f"{ref.get_lawful_basis_display()}; {ref.get_consent_display()}"),
            ("Offences", ", ".join(ref.offences or []) or "not given"),
            ("Crime reference", ref.crime_reference or ""),
            ("What was reported", r.text(ref.account)),
            ("The suspect", REDACTED if ref.suspect_name else ""),
            ("Household", REDACTED if ref.household else ""),
            ("Who referred", REDACTED if ref.referrer else ""),
        ]
        for a in ref.attempts.all():
            rows.append(("Contact", f"{_day(a.at)}: {a.get_channel_display()}, {a.get_outcome_display().lower()}"))
    out.append(PackSection("Referrals and contact", [x for x in rows if x[1]]))
    rows = []
    for c in attach(SafeguardingConcern.objects.filter(client=client).order_by("raised_at").prefetch_related("referrals"), client):
        rows.append(
            (f"Safeguarding concern {c.reference}", f"raised {_day(c.raised_at)} about {c.get_subject_display().lower()}; {c.get_status_display().lower()}")
        )
        rows.append(("What the concern was", r.text(c.summary)))
        if c.children:
            rows.append(("Children", REDACTED))
        if c.outcome:
            rows.append(("Outcome", r.text(c.outcome)))
        for s in attach(c.referrals.all(), client):
            rows.append(("Referred to", f"{s.get_agency_display()} on {_day(s.made_at)}{'; outcome: ' + r.text(s.outcome) if s.outcome else ''}"))
    out.append(PackSection("Safeguarding", [x for x in rows if x[1]]))
    rows = []
    for n in attach(NeedsAssessment.objects.filter(client=client).order_by("assessed_on"), client):
        measures = ", ".join(f"{OUTCOMES[k]}: {v}" for k, v in (n.outcomes or {}).items() if k in OUTCOMES and v)
        rows.append((f"Needs assessment, {n.get_stage_display().lower()}", f"{_day(n.assessed_on)}. {r.text(n.own_words)} {measures}".strip()))
    for g in attach(Goal.objects.filter(client=client), client):
        rows.append((f"Goal ({g.get_area_display()})", f"{r.text(g.text)} ({g.get_status_display().lower()})"))
    for a in attach(PlanAction.objects.filter(client=client), client):
        rows.append(("Action", f"{r.text(a.text)}: due {_day(a.due_on)}{', done ' + _day(a.done_on) if a.done_on else ''}"))
    for pr in attach(PlanReview.objects.filter(client=client), client):
        rows.append(("Plan review", f"{_day(pr.reviewed_on)}. {r.text(pr.note)}"))
    plan = SafetyPlan.objects.filter(client=client).first()
    if plan is not None:
        plan.client = client
        for key, section in (plan.sections or {}).items():
            if section.get("text"):
                rows.append((f"Safety plan: {key.replace('_', ' ')}", r.text(section["text"])))
    out.append(PackSection("Needs, support plan and safety plan", rows))
    rows = []
    for a in Assessment.objects.filter(client=client).order_by("at"):
        rows.append(("Risk assessment", f"{_day(a.at)}: {a.get_level_display().lower()} risk"))
    for o in Order.objects.filter(client=client).prefetch_related("events"):
        rows.append(("Order", o.get_kind_display()))
        for oe in o.events.all():
            oe.client = client
            rows.append((f"{o.get_kind_display()}: step", f"{_day(oe.on)}: {oe.get_step_display()}{'. ' + r.text(oe.note) if oe.note else ''}"))
    for v in VpsEvent.objects.filter(client=client):
        rows.append(("Victim Personal Statement", f"{_day(v.on)}: {v.get_step_display()}"))
    for cd in CourtDate.objects.filter(client=client):
        rows.append(("Court date", f"{_day(cd.on)}: {cd.get_purpose_display()}"))
    for ow in Onward.objects.filter(client=client):
        rows.append(("Onward referral", f"{ow.get_kind_display()} on {_day(ow.at)}: {ow.get_state_display().lower()}"))
    out.append(
        PackSection(
            "Risk, orders, court and onward referrals",
            rows,
            note="What the police told us about the suspect (arrest, bail, charge) is about another person and is not included.",
        )
    )
    rows = []
    for cl in Closure.objects.filter(client=client).order_by("requested_at"):
        cl.client = client
        rows.append(("Closure", f"{cl.get_state_display()} ({_day(cl.requested_at)}): {r.text(cl.reason)}"))
    for req in RecordsRequest.objects.filter(client=client).order_by("received_on"):
        rows.append((req.get_kind_display(), f"received {_day(req.received_on)}{'; ' + req.get_decision_display().lower() if req.decision else ''}"))
    for fb in Feedback.objects.filter(client=client).order_by("received_on"):
        fb.client = client
        rows.append((fb.get_kind_display(), f"{_day(fb.received_on)}: {r.text(fb.summary)} ({fb.get_outcome_display().lower()})"))
    out.append(PackSection("Closures, requests and complaints", rows))
    # gov16b: the person's own answers and the rights recorded as delivered are held about them, so they are in.
    rows = [
        ("Victims' Code right", f"{_day(rd.delivered_on)}: {rd.get_right_display()}")
        for rd in RightDelivered.objects.filter(client=client).order_by("delivered_on", "right")
    ]
    answers = equality.answers_of(client)
    for key, title, _ in equality.QUESTIONS:
        if key in answers:
            rows.append((f"Equality monitoring: {title}", dict(equality.choices(key)).get(answers[key], "")))
    out.append(PackSection("Victims' Code rights delivered and equality monitoring", rows))
    return out


# --- the chronology ---


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    what: str
    detail: str


def _at(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time(12, 0)))


def chronology(client: Client) -> list[Event]:
    """The client's record in time order, unredacted, for reviews, inquests and family court."""
    ev: list[Event] = []
    for ref in Referral.objects.filter(client=client).prefetch_related("attempts"):
        ref.client = client
        ev.append(Event(ref.received_at, "Referral received", f"{ref.reference} from {ref.get_source_display().lower()}; {ref.account or ''}".strip("; ")))
        if ref.decided_at:
            ev.append(Event(ref.decided_at, "Referral decided", f"{ref.reference}: {ref.get_status_display().lower()}"))
        for a in ref.attempts.all():
            ev.append(Event(a.at, "Contact attempt", f"{a.get_channel_display()}: {a.get_outcome_display().lower()}"))
    for c in attach(SafeguardingConcern.objects.filter(client=client).prefetch_related("referrals"), client):
        ev.append(Event(c.raised_at, "Safeguarding concern raised", f"{c.reference}: {c.summary}"))
        if c.closed_at:
            ev.append(Event(c.closed_at, "Safeguarding concern closed", f"{c.reference}: {c.outcome}"))
        for s in attach(c.referrals.all(), client):
            ev.append(Event(s.made_at, "Safeguarding referral", s.get_agency_display()))
            if s.outcome_on:
                ev.append(Event(_at(s.outcome_on), "Safeguarding referral outcome", s.outcome or ""))
    for n in attach(NeedsAssessment.objects.filter(client=client), client):
        ev.append(Event(_at(n.assessed_on), f"Needs assessment ({n.get_stage_display().lower()})", n.own_words or ""))
    for a in attach(PlanAction.objects.filter(client=client), client):
        ev.append(Event(_at(a.created_on), "Plan action added", a.text))
        if a.done_on:
            ev.append(Event(_at(a.done_on), "Plan action done", a.text))
    for pr in attach(PlanReview.objects.filter(client=client), client):
        ev.append(Event(_at(pr.reviewed_on), "Support plan reviewed", pr.note or ""))
    plan = SafetyPlan.objects.filter(client=client).first()
    if plan is not None:
        ev.append(Event(plan.updated_at, "Safety plan saved", f"version {plan.version}, review by {_day(plan.review_on)}"))
    for ra in Assessment.objects.filter(client=client):
        ev.append(Event(ra.at, "Risk assessment", f"{ra.get_level_display()} risk"))
    for cd in CourtDate.objects.filter(client=client):
        ev.append(Event(_at(cd.on), "Court date", cd.get_purpose_display()))
    for sc in StatusChange.objects.filter(client=client):
        sc.client = client
        parts = [sc.get_state_display()] + ([f"until {_day(sc.until)}"] if sc.until else []) + [x for x in (sc.conditions, sc.note) if x]
        ev.append(Event(_at(sc.on), "Suspect's status", "; ".join(parts)))
    for oe in OrderEvent.objects.filter(client=client).select_related("order"):
        oe.client = client
        ev.append(Event(_at(oe.on), f"Order ({oe.order.get_kind_display()})", "; ".join([oe.get_step_display()] + [x for x in (oe.conditions, oe.note) if x])))
    for v in VpsEvent.objects.filter(client=client):
        ev.append(Event(_at(v.on), "Victim Personal Statement", v.get_step_display()))
    for rd in RightDelivered.objects.filter(client=client):
        ev.append(Event(_at(rd.delivered_on), "Victims' Code right delivered", rd.get_right_display()))
    for ow in Onward.objects.filter(client=client):
        ev.append(Event(ow.at, "Onward referral", f"{ow.get_kind_display()}: {ow.purpose}"))
    for cl in Closure.objects.filter(client=client):
        cl.client = client
        ev.append(Event(cl.requested_at, "Closure asked for", cl.reason or ""))
        if cl.decided_at:
            ev.append(Event(cl.decided_at, f"Closure {cl.get_state_display().lower()}", cl.decision_note or ""))
        if cl.reopened_at:
            ev.append(Event(cl.reopened_at, "Record reopened", cl.reopen_reason or ""))
    return sorted(ev, key=lambda e: e.at)


def chronology_csv(client: Client) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when", "what", "detail"])
    for e in chronology(client):
        writer.writerow([safe_cell(_day(e.at)), safe_cell(e.what), safe_cell(e.detail)])
    return out.getvalue()


# --- requests, holds, complaints ---


def _text(value: str, name: str, errors: dict[str, str], words: str) -> str:
    value = (value or "").strip()
    if len(value) < MIN_TEXT:
        errors[name] = f"{words} (at least {MIN_TEXT} characters)."
    return value


@transaction.atomic
def request_log(*, staff: Staff, client: Client, kind: str, received_on: dt.date, requester: str) -> RecordsRequest:
    errors: dict[str, str] = {}
    if kind not in RequestKind.values:
        errors["kind"] = "Choose the kind of request."
    if received_on > timezone.localdate():
        errors["received_on"] = "The date received cannot be in the future."
    requester = _text(requester, "requester", errors, "Say who asks and for what")
    if errors:
        raise ValidationError(errors)
    row = RecordsRequest(
        organisation=staff.organisation,
        client=client,
        client_reference=client.reference,
        kind=kind,
        received_on=received_on,
        due_on=received_on + dt.timedelta(days=ANSWER_DAYS[RequestKind(kind)]),
        logged_by=staff.membership,
    )
    row.requester = requester
    row.save()
    record_staff(staff.user, AuditAction.RECORDS_REQUEST_LOGGED, organisation=staff.organisation, client=client, target=f"{kind} request {row.pk}")
    return row


@transaction.atomic
def request_decide(*, staff: Staff, request: RecordsRequest, decision: str, answer: str, person_told_on: dt.date | None) -> RecordsRequest:
    errors: dict[str, str] = {}
    if request.decision:
        raise ValidationError("This request was already decided.")
    if decision not in Decision.values:
        errors["decision"] = "Choose the decision."
    answer = _text(answer, "answer", errors, "Record the answer given and any exemption relied on")
    if request.kind == RequestKind.DISCLOSURE and person_told_on is None and "not told" not in answer.lower():
        errors["person_told_on"] = "Give the date the person was told of the disclosure request, or say in the answer why they were not told."
    if person_told_on and person_told_on > timezone.localdate():
        errors["person_told_on"] = "The date cannot be in the future."
    if errors:
        raise ValidationError(errors)
    request.decision = decision
    request.answer = answer
    request.person_told_on = person_told_on
    request.decided_on = timezone.localdate()
    request.decided_by = staff.membership
    request.save()
    record_staff(
        staff.user,
        AuditAction.RECORDS_REQUEST_DECIDED,
        organisation=staff.organisation,
        client=request.client,
        target=f"{request.kind} request {request.pk} {decision}",
    )
    return request


def active_hold(client: Client) -> LegalHold | None:
    return LegalHold.objects.filter(client=client, lifted_at__isnull=True).first()


@transaction.atomic
def hold_place(*, staff: Staff, client: Client, reason: str) -> LegalHold:
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, "Say why the record must be kept")
    if active_hold(client) is not None:
        errors["reason"] = "A legal hold already stands on this record."
    if errors:
        raise ValidationError(errors)
    hold = LegalHold(organisation=staff.organisation, client=client, placed_at=timezone.now(), placed_by=staff.membership)
    hold.reason = reason
    hold.save()
    record_staff(staff.user, AuditAction.LEGAL_HOLD_PLACED, organisation=staff.organisation, client=client, target=f"hold {hold.pk}")
    return hold


@transaction.atomic
def hold_lift(*, staff: Staff, client: Client) -> LegalHold:
    hold = active_hold(client)
    if hold is None:
        raise ValidationError("No legal hold stands on this record.")
    hold.lifted_at = timezone.now()
    hold.lifted_by = staff.membership
    hold.save(update_fields=["lifted_at", "lifted_by"])
    record_staff(staff.user, AuditAction.LEGAL_HOLD_LIFTED, organisation=staff.organisation, client=client, target=f"hold {hold.pk}")
    return hold


@transaction.atomic
def feedback_log(*, staff: Staff, client: Client, kind: str, received_on: dt.date, summary: str) -> Feedback:
    errors: dict[str, str] = {}
    if kind not in FeedbackKind.values:
        errors["kind"] = "Choose complaint or compliment."
    if received_on > timezone.localdate():
        errors["received_on"] = "The date received cannot be in the future."
    summary = _text(summary, "summary", errors, "Say what they said")
    if errors:
        raise ValidationError(errors)
    row = Feedback(organisation=staff.organisation, client=client, kind=kind, received_on=received_on, logged_by=staff.membership)
    row.summary = summary
    row.save()
    record_staff(staff.user, AuditAction.FEEDBACK_LOGGED, organisation=staff.organisation, client=client, target=f"{kind} {row.pk}")
    return row


@transaction.atomic
def feedback_answer(*, staff: Staff, feedback: Feedback, outcome: str, response: str) -> Feedback:
    errors: dict[str, str] = {}
    if feedback.outcome != FeedbackOutcome.OPEN:
        raise ValidationError("This was already answered.")
    if outcome not in FeedbackOutcome.values or outcome == FeedbackOutcome.OPEN:
        errors["outcome"] = "Choose the outcome."
    response = _text(response, "response", errors, "Record the answer given")
    if errors:
        raise ValidationError(errors)
    feedback.outcome = outcome
    feedback.outcome_on = timezone.localdate()
    feedback.response = response
    feedback.save()
    record_staff(
        staff.user, AuditAction.FEEDBACK_ANSWERED, organisation=staff.organisation, client=feedback.client, target=f"{feedback.kind} {feedback.pk} {outcome}"
    )
    return feedback
