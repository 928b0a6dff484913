"""Writes of the service side. Each is one transaction with its audit row, and validates what it is given
whoever calls it (the staff form today; the police API and the daily file later)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import record_staff
from casework import deadlines, index, rules
from casework.allocation import RISK_WEIGHT, caseload, conflicts
from casework.identity import identity_check
from casework.models import (
    Alert,
    AlertKind,
    BreakGlass,
    Client,
    ClientStatus,
    Consent,
    ContactAttempt,
    ContactOutcome,
    Offence,
    Referral,
    ReferralStatus,
    Relationship,
    Risk,
    Source,
)
from casework.safecontact import broken_rules
from organisations.access import Staff
from organisations.models import ApiCredential, DataSharingAgreement, LawfulBasis, Membership, Organisation
from organisations.normalise import normal_phone

BREAK_GLASS_MINUTES = 60
MIN_REASON = 10
# Unusual access (design 3.8): a member who opens more than this many different clients within the window raises
# an alert to the team leads (once per window). A duty shift or a morning's triage stays well under it; a trawl
# through records does not. An organisation-level setting can replace it when a service asks.
UNUSUAL_READS = 30
UNUSUAL_WINDOW = dt.timedelta(hours=1)
READ_ACTIONS = (AuditAction.CLIENT_VIEWED, AuditAction.REFERRAL_VIEWED)


class ReferralRefused(Exception):
    """The referral breaks a rule of casework/rules.py; nothing was stored."""


@dataclass
class SafeContact:
    safe_numbers: str = ""
    voicemail_ok: bool = False
    text_ok: bool = False
    safe_times: str = ""
    email_safe: bool = False
    post_safe: bool = False
    code_word: str = ""
    alternative_contact: str = ""
    suspect_has_access: bool = False  # lives with them or has access to their phone

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


@dataclass
class ReferralInput:
    source: str
    consent: str
    lawful_basis: str
    full_name: str
    received_at: dt.datetime | None = None
    sender: str = ""
    referrer: str = ""
    agreement: DataSharingAgreement | None = None
    date_of_birth: dt.date | None = None
    phones: list[str] = field(default_factory=list)
    email: str = ""
    address_area: str = ""
    language: str = ""
    interpreter: str = ""
    access_needs: str = ""
    safe_contact: SafeContact = field(default_factory=SafeContact)
    crime_reference: str = ""
    force: str = ""
    officer: str = ""
    home_office_code: str = ""
    date_reported: dt.date | None = None
    enhanced_rights: bool = False
    offences: list[str] = field(default_factory=list)
    domestic_abuse: bool = False
    sexual_offence: bool = False
    police_risk: str = Risk.UNKNOWN
    suspect_name: str = ""
    suspect_relationship: str = Relationship.UNKNOWN
    suspect_is_police: bool = False
    person_is_police: bool = False
    household: str = ""
    account: str = ""
    restricted: bool = False


# The allowed values, worked out once (``Choices.values`` builds a new list on every call: a daily file checks
# each of these on every row).
_CHOICES = (
    ("source", frozenset(Source.values)),
    ("consent", frozenset(Consent.values)),
    ("lawful_basis", frozenset(LawfulBasis.values)),
    ("police_risk", frozenset(Risk.values)),
    ("suspect_relationship", frozenset(Relationship.values)),
)
_OFFENCES = frozenset(Offence.values)


def _validate(organisation: Organisation, data: ReferralInput, now: dt.datetime) -> None:
    errors: dict[str, str] = {}
    for name, allowed in _CHOICES:
        if getattr(data, name) not in allowed:
            errors[name] = "Choose one of the options."
    if any(o not in _OFFENCES for o in data.offences):
        errors["offences"] = "Choose offences from the list."
    if not data.full_name.strip():
        errors["full_name"] = "Enter the person's name."
    if data.received_at and data.received_at > now + dt.timedelta(minutes=5):
        errors["received_at"] = "The time received cannot be in the future."
    if data.date_of_birth and (data.date_of_birth > now.date() or data.date_of_birth < now.date() - dt.timedelta(days=365 * 120)):
        errors["date_of_birth"] = "Enter a real date of birth, in the past."
    if data.date_reported and data.date_reported > now.date():
        errors["date_reported"] = "The date reported cannot be in the future."
    bad = [p for p in data.phones if not normal_phone(p)]
    if bad:
        errors["phones"] = f"These do not look like phone numbers: {', '.join(bad)}."
    in_force = data.agreement is not None and data.agreement.active and not (data.agreement.ends_on and data.agreement.ends_on < now.date())
    if data.agreement is not None and (data.agreement.organisation_id != organisation.pk or not in_force):
        errors["agreement"] = "Choose one of your organisation's agreements in force."
    if data.source in (Source.POLICE_API, Source.POLICE_FILE) and data.agreement is None:
        errors["agreement"] = "A police referral comes under a data-sharing agreement: choose it."
    if errors:
        raise ValidationError(errors)


def referral_record(*, staff: Staff, data: ReferralInput) -> Referral:
    """Validate, apply the refusal rules, then store the client and the referral (one transaction), index them,
    work out the first-contact deadline and raise counter-referral alerts. Refused: ReferralRefused, nothing stored."""
    referral, _ = referral_store(organisation=staff.organisation, data=data, membership=staff.membership)
    return referral


def referral_check(*, organisation: Organisation, data: ReferralInput, now: dt.datetime, membership: Membership | None = None) -> tuple[bool, bool]:
    """Validate and apply the refusal rules (ValidationError; ReferralRefused with an audit row without content).
    Returns (domestic abuse, sexual offence) as derived."""
    _validate(organisation, data, now)
    actor = membership.user if membership else None
    domestic = rules.is_domestic_abuse(data.domestic_abuse, data.suspect_relationship)
    sexual = rules.is_sexual_offence(data.sexual_offence, data.offences)
    reason = rules.refusal(consent=data.consent, domestic_abuse=domestic, sexual_offence=sexual)
    if reason:
        with transaction.atomic():
            code = rules.refusal_code(consent=data.consent, domestic_abuse=domestic, sexual_offence=sexual)
            record_staff(actor, AuditAction.REFERRAL_REFUSED, organisation=organisation, target=f"{data.source}: {code}")
        raise ReferralRefused(reason)
    return domestic, sexual


def referral_store(
    *, organisation: Organisation, data: ReferralInput, membership: Membership | None = None, credential: ApiCredential | None = None, natural_key: str = ""
) -> tuple[Referral, bool]:
    """The one way a referral comes in, whoever sends it: a staff member (``membership``), a police sender
    (``credential``), the daily file or a public form (neither). With a ``natural_key`` (casework/police.py), a
    referral already stored under it is returned instead of a second one: (referral, created)."""
    now = timezone.now()
    domestic, sexual = referral_check(organisation=organisation, data=data, now=now, membership=membership)
    org = organisation
    if natural_key and (existing := Referral.objects.filter(organisation=org, natural_key=natural_key).first()):
        return existing, False
    try:
        with transaction.atomic():
            referral = _store(org, data, now, membership, credential, natural_key, domestic, sexual)
    except IntegrityError:
        existing = Referral.objects.filter(organisation=org, natural_key=natural_key).first() if natural_key else None
        if existing is None:
            raise
        return existing, False
    return referral, True


def _store(
    org: Organisation,
    data: ReferralInput,
    now: dt.datetime,
    membership: Membership | None,
    credential: ApiCredential | None,
    natural_key: str,
    domestic: bool,
    sexual: bool,
) -> Referral:
    client = client_build(org, data)
    client.save()
    if data.restricted and membership is not None:
        client.restricted_to.add(membership)
    referral = referral_build(org, client, data, now, membership=membership, credential=credential, natural_key=natural_key, domestic=domestic, sexual=sexual)
    referral.save()
    index.index_client(client)
    index.index_suspect(referral)
    actor = membership.user if membership else None
    record_staff(actor, AuditAction.REFERRAL_RECORDED, organisation=org, client=client, target=f"referral {referral.pk} ({referral.source})")
    counter_referral_alerts(membership, referral)
    return referral


def client_build(org: Organisation, data: ReferralInput) -> Client:
    """An unsaved client with its data key and sealed fields (also used by the daily file's batches, casework/bulk.py)."""
    client = Client(organisation=org, restricted=data.restricted)
    client.ensure_key()
    client.full_name = data.full_name.strip()
    client.date_of_birth = data.date_of_birth.isoformat() if data.date_of_birth else ""
    client.phones = [p.strip() for p in data.phones if p.strip()]
    client.email = data.email.strip()
    client.address_area = data.address_area.strip()
    client.language = data.language.strip()
    client.interpreter = data.interpreter.strip()
    client.access_needs = data.access_needs.strip()
    client.safe_contact = data.safe_contact.as_dict()
    return client


def referral_build(
    org: Organisation,
    client: Client,
    data: ReferralInput,
    now: dt.datetime,
    *,
    membership: Membership | None,
    credential: ApiCredential | None,
    natural_key: str,
    domestic: bool,
    sexual: bool,
) -> Referral:
    """An unsaved referral of ``client`` with its sealed fields, deadline and place in the queue."""
    referral = Referral(
        organisation=org,
        client=client,
        source=data.source,
        sender=data.sender.strip(),
        received_at=data.received_at or now,
        recorded_by=membership,
        credential=credential,
        natural_key=natural_key,
        lawful_basis=data.lawful_basis,
        agreement=data.agreement,
        consent=data.consent,
        force=data.force.strip(),
        home_office_code=data.home_office_code.strip(),
        date_reported=data.date_reported,
        enhanced_rights=data.enhanced_rights,
        offences=sorted(set(data.offences)),
        domestic_abuse=domestic,
        sexual_offence=sexual,
        police_risk=data.police_risk,
        suspect_relationship=data.suspect_relationship,
        suspect_is_police=data.suspect_is_police,
        person_is_police=data.person_is_police,
    )
    referral.crime_reference = data.crime_reference.strip()
    referral.officer = data.officer.strip()
    referral.account = data.account.strip()
    referral.suspect_name = data.suspect_name.strip()
    referral.household = data.household.strip()
    referral.referrer = data.referrer.strip()
    referral.due_at = deadline_for(referral, org)
    referral.queue_rank = queue_rank(referral)
    return referral


def effective_risk(referral: Referral) -> str:
    """The service's screening when done; before it, the police grading, never lower than "not known"."""
    if referral.screened_risk:
        return referral.screened_risk
    if referral.police_risk in (Risk.HIGH, Risk.MEDIUM):
        return referral.police_risk
    return Risk.UNKNOWN


# Queue order (design 3.2): high, then medium, then not screened or not known, then standard.
QUEUE_RANK: dict[str, int] = {Risk.HIGH: 0, Risk.MEDIUM: 1, Risk.UNKNOWN: 2, Risk.STANDARD: 3}


def queue_rank(referral: Referral) -> int:
    return QUEUE_RANK[effective_risk(referral)]


def deadline_for(referral: Referral, org: object) -> dt.datetime:
    days = org.settings.first_contact_days(effective_risk(referral))  # type: ignore[attr-defined]
    return deadlines.due_at(referral.received_at, days, org.nation)  # type: ignore[attr-defined]


def _alert(staff: Staff | Membership | None, kind: str, message: str, *, client: Client | None = None, referral: Referral | None = None) -> Alert:
    org = (client or referral).organisation  # type: ignore[union-attr]
    member = staff.membership if isinstance(staff, Staff) else staff
    alert = Alert.objects.create(organisation=org, kind=kind, client=client, referral=referral, raised_by=member, message=message[:300])
    record_staff(member.user if member else None, AuditAction.ALERT_RAISED, organisation=org, client=client, target=f"alert {alert.pk} ({kind})")
    return alert


def counter_referral_alerts(staff: Membership | None, referral: Referral) -> None:
    for other in index.clients_named_as_suspect(referral):
        _alert(
            staff,
            AlertKind.CLIENT_NAMED_AS_SUSPECT,
            f"{referral.reference} names someone with the same name as current client {other.reference} as the suspect. "
            "Nothing has been linked. Check before any contact, and do not tell either person.",
            client=referral.client,
            referral=referral,
        )
    for other in index.referrals_with_person_as_suspect(referral):
        _alert(
            staff,
            AlertKind.COUNTER_REFERRAL,
            f"The person referred in {referral.reference} has the same name as the suspect in {other.reference} "
            "(a possible counter-allegation or impersonation). Nothing has been linked.",
            client=referral.client,
            referral=referral,
        )


@transaction.atomic
def client_read(*, staff: Staff, client: Client, action: str, target: str) -> None:
    """Write down a staff member's read of a client (or one of its referrals), and alert the team leads when
    the member has opened an unusual number of different clients within the window."""
    record_staff(staff.user, action, organisation=staff.organisation, client=client, target=target)
    since = timezone.now() - UNUSUAL_WINDOW
    reads = AuditEvent.objects.filter(organisation=staff.organisation, actor=staff.user, action__in=READ_ACTIONS, at__gte=since)
    if reads.values("client").distinct().count() <= UNUSUAL_READS:
        return
    mark = f"member {staff.membership.pk}"
    if Alert.objects.filter(organisation=staff.organisation, kind=AlertKind.UNUSUAL_ACCESS, message__startswith=mark, created_at__gte=since).exists():
        return
    message = f"{mark} ({staff.membership.display_name}) opened more than {UNUSUAL_READS} different client records within an hour."
    alert = Alert.objects.create(organisation=staff.organisation, kind=AlertKind.UNUSUAL_ACCESS, raised_by=None, message=message[:300])
    record_staff(None, AuditAction.ALERT_RAISED, organisation=staff.organisation, target=f"alert {alert.pk} (unusual_access)")


def _open(referral: Referral) -> None:
    if referral.status != ReferralStatus.NEW:
        raise ValidationError("This referral has already been decided.")


@transaction.atomic
def referral_screen(*, staff: Staff, referral: Referral, risk: str) -> Referral:
    if risk not in Risk.values:
        raise ValidationError({"risk": "Choose a risk level."})
    referral.screened_risk = risk
    referral.screened_at = timezone.now()
    referral.due_at = deadline_for(referral, staff.organisation)
    referral.queue_rank = queue_rank(referral)
    referral.save(update_fields=["screened_risk", "screened_at", "due_at", "queue_rank"])
    Client.objects.filter(pk=referral.client_id).update(risk=risk)
    record_staff(staff.user, AuditAction.REFERRAL_SCREENED, organisation=staff.organisation, client=referral.client, target=f"referral {referral.pk}: {risk}")
    return referral


@transaction.atomic
def referral_accept(*, staff: Staff, referral: Referral) -> Referral:
    _open(referral)
    referral.status = ReferralStatus.ACCEPTED
    referral.decided_at = timezone.now()
    referral.decided_by = staff.membership
    referral.save(update_fields=["status", "decided_at", "decided_by"])
    Client.objects.filter(pk=referral.client_id).update(status=ClientStatus.OPEN, risk=effective_risk(referral))
    record_staff(staff.user, AuditAction.REFERRAL_ACCEPTED, organisation=staff.organisation, client=referral.client, target=f"referral {referral.pk}")
    return referral


@transaction.atomic
def referral_decline(*, staff: Staff, referral: Referral, reason: str, passed_on_to: str = "") -> Referral:
    _open(referral)
    reason = reason.strip()
    if len(reason) < 3:
        raise ValidationError({"reason": "Give the reason."})
    passing = bool(passed_on_to.strip())
    referral.status = ReferralStatus.PASSED_ON if passing else ReferralStatus.DECLINED
    referral.decision_note = f"Passed on to {passed_on_to.strip()}: {reason}" if passing else reason
    referral.decided_at = timezone.now()
    referral.decided_by = staff.membership
    referral.save(update_fields=["status", "decision_note_enc", "decided_at", "decided_by"])
    if not referral.client.referrals.exclude(pk=referral.pk).exclude(status__in=[ReferralStatus.DECLINED, ReferralStatus.PASSED_ON]).exists():
        Client.objects.filter(pk=referral.client_id).update(status=ClientStatus.CLOSED)
    action = AuditAction.REFERRAL_PASSED_ON if passing else AuditAction.REFERRAL_DECLINED
    record_staff(staff.user, action, organisation=staff.organisation, client=referral.client, target=f"referral {referral.pk}")
    return referral


@transaction.atomic
def contact_attempt_record(
    *,
    staff: Staff,
    referral: Referral,
    at: dt.datetime,
    channel: str,
    outcome: str,
    override_reason: str = "",
    identity: str = "",
    code_word_given: str = "",
    privacy_notice: bool = False,
    language: str = "",
    interpreter_used: bool = False,
    interpreter: str = "",
) -> ContactAttempt:
    """First attempt and first successful contact are kept apart; an answer by the suspect or someone else alerts a
    lead; the client's safe-contact rules are enforced (an override needs a reason). Speaking to the person needs
    their identity confirmed first (casework/identity.py), and the first conversation the privacy notice."""
    if outcome not in ContactOutcome.values:
        raise ValidationError({"outcome": "Choose what happened."})
    broken = broken_rules(referral.client.safe_contact, channel=channel, outcome=outcome)
    override_reason = override_reason.strip()
    if broken and len(override_reason) < MIN_REASON:
        raise ValidationError({"override_reason": " ".join(broken) + " To record it anyway, say why the rule was overridden (at least 10 characters)."})
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"at": "The time cannot be in the future."})
    if at < referral.received_at.replace(second=0, microsecond=0):  # forms give minutes
        raise ValidationError({"at": "The time cannot be before the referral arrived."})
    identity_check(referral.client, outcome=outcome, identity=identity, code_word_given=code_word_given)
    if outcome == ContactOutcome.SPOKE and referral.privacy_notice_at is None and not privacy_notice:
        raise ValidationError({"privacy_notice": "This is the first conversation: give the privacy notice and record that you did."})
    language, interpreter = language.strip(), interpreter.strip()
    if interpreter_used and len(interpreter) < 2:
        raise ValidationError({"interpreter": "Say who interpreted (the agency and the interpreter's number)."})
    if interpreter and not interpreter_used:
        raise ValidationError({"interpreter_used": "Tick that an interpreter was used, or leave the interpreter out."})
    if len(language) > 60 or len(interpreter) > 200:
        raise ValidationError({"interpreter": "Keep the language and the interpreter short."})
    notice = privacy_notice and outcome == ContactOutcome.SPOKE
    attempt = ContactAttempt(
        referral=referral,
        at=at,
        by=staff.membership,
        channel=channel,
        outcome=outcome,
        identity=identity,
        privacy_notice=notice,
        interpreter_used=interpreter_used,
    )
    if broken:
        attempt.override_reason = override_reason[:1000]
    if language:
        attempt.language = language
    if interpreter:
        attempt.interpreter = interpreter
    attempt.full_clean()
    attempt.save()
    fields = []
    if referral.first_attempt_at is None or at < referral.first_attempt_at:
        referral.first_attempt_at = at
        fields.append("first_attempt_at")
    if outcome == ContactOutcome.SPOKE and (referral.first_contact_at is None or at < referral.first_contact_at):
        referral.first_contact_at = at
        fields.append("first_contact_at")
    if attempt.privacy_notice and referral.privacy_notice_at is None:
        referral.privacy_notice_at = at
        fields.append("privacy_notice_at")
    if fields:
        referral.save(update_fields=fields)
    note = f"referral {referral.pk}: {outcome}" + (f"; {len(broken)} safe-contact rule(s) overridden" if broken else "")
    record_staff(staff.user, AuditAction.CONTACT_ATTEMPTED, organisation=staff.organisation, client=referral.client, target=note)
    if outcome in (ContactOutcome.SUSPECT_ANSWERED, ContactOutcome.SOMEONE_ELSE):
        # The number is no longer safe: recorded on the client's rules until someone confirms a new safe number.
        client = referral.client
        rules = dict(client.safe_contact or {})
        rules["phone_unsafe"] = f"{ContactOutcome(outcome).label} on {timezone.localtime(at):%d %b %Y %H:%M}"
        client.safe_contact = rules
        client.save(update_fields=["safe_contact_enc"])
        _alert(
            staff,
            AlertKind.UNSAFE_NUMBER,
            f"On a contact attempt for {referral.reference}: {ContactOutcome(outcome).label.lower()}. Treat the number as unsafe.",
            client=referral.client,
            referral=referral,
        )
    return attempt


@transaction.atomic
def client_allocate(*, staff: Staff, client: Client, member: Membership, conflict_reason: str = "", over_ceiling_reason: str = "") -> Client:
    if member.organisation_id != staff.organisation.pk or not member.active:
        raise ValidationError({"member": "Choose a member of your organisation."})
    found = conflicts(client, member)
    if any(c.blocks for c in found):
        raise ValidationError({"member": "This staff member cannot be given this case: " + " ".join(c.words for c in found if c.blocks)})
    if found and len(conflict_reason.strip()) < MIN_REASON:
        raise ValidationError({"conflict_reason": "There are possible conflicts. Say why the allocation is still right (at least 10 characters)."})
    ceiling = staff.organisation.settings.caseload_ceiling
    load = caseload(member) + (0 if client.allocated_to_id == member.pk else RISK_WEIGHT.get(client.risk, 2))
    if load > ceiling and len(over_ceiling_reason.strip()) < MIN_REASON:
        raise ValidationError(
            {"over_ceiling_reason": f"This would take {member.display_name} to {load}, over the ceiling of {ceiling}. Give a reason to go over it."}
        )
    client.allocated_to = member
    client.save(update_fields=["allocated_to"])
    if client.restricted:
        client.restricted_to.add(member)
    note = f"client {client.pk} to member {member.pk}"
    if found:
        note += f"; {len(found)} conflict(s) acknowledged"
    if load > ceiling:
        note += f"; over ceiling ({load}/{ceiling})"
    record_staff(staff.user, AuditAction.CLIENT_ALLOCATED, organisation=staff.organisation, client=client, target=note)
    return client


@transaction.atomic
def client_restrict(*, staff: Staff, client: Client, restricted: bool, members: list[Membership]) -> Client:
    if any(m.organisation_id != staff.organisation.pk for m in members):
        raise ValidationError({"members": "Choose members of your organisation."})
    client.restricted = restricted
    client.save(update_fields=["restricted"])
    client.restricted_to.set(members)
    if restricted and client.allocated_to_id:
        client.restricted_to.add(client.allocated_to_id)
    record_staff(
        staff.user, AuditAction.CLIENT_RESTRICTED, organisation=staff.organisation, client=client, target=f"restricted={restricted}, {len(members)} named"
    )
    return client


@transaction.atomic
def break_glass_open(*, staff: Staff, client: Client, reason: str) -> BreakGlass:
    """Open a restricted record one is not named on: a reason, an alert to the team leads, a one-hour grant."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise ValidationError({"reason": "Say why you need to open this record (at least 10 characters)."})
    grant = BreakGlass(client=client, membership=staff.membership, expires_at=timezone.now() + dt.timedelta(minutes=BREAK_GLASS_MINUTES))
    grant.reason = reason[:1000]
    grant.save()
    record_staff(staff.user, AuditAction.CLIENT_BREAK_GLASS, organisation=staff.organisation, client=client, target=f"client {client.pk}")
    _alert(
        staff,
        AlertKind.BREAK_GLASS,
        f"{staff.membership.display_name} opened restricted record {client.reference} with break-glass.",
        client=client,
    )
    return grant


@transaction.atomic
def alert_close(*, staff: Staff, alert: Alert) -> Alert:
    if alert.closed_at:
        raise ValidationError("This alert is already closed.")
    alert.closed_at = timezone.now()
    alert.closed_by = staff.membership
    alert.save(update_fields=["closed_at", "closed_by"])
    record_staff(staff.user, AuditAction.ALERT_CLOSED, organisation=staff.organisation, client=alert.client, target=f"alert {alert.pk}")
    return alert
