"""Writes of the organisation side. Each is one transaction with its audit row; each validates what it is given."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from audit.actions import AuditAction
from audit.services import record_staff
from organisations.keys import token_hash
from organisations.models import (
    ApiCredential,
    DataSharingAgreement,
    Invitation,
    Membership,
    Nation,
    Organisation,
    OrganisationSettings,
    Role,
    StaffConnection,
)
from organisations.normalise import normal_name

INVITATION_DAYS = 7


@transaction.atomic
def organisation_create(*, name: str, nation: str, slug: str = "", admin: Any = None, admin_name: str = "") -> Organisation:
    """A new organisation with its own key and default settings; ``admin`` (a user) becomes its organisation admin."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the organisation a name."})
    if nation not in Nation.values:
        raise ValidationError({"nation": f"Nation must be one of {', '.join(Nation.values)}."})
    slug = slugify(slug or name)[:60]
    if not slug:
        raise ValidationError({"slug": "The short name must have letters or numbers."})
    if Organisation.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"An organisation with the short name {slug!r} already exists."})
    organisation = Organisation(name=name, slug=slug, nation=nation)
    organisation.ensure_key()
    organisation.full_clean()
    organisation.save()
    OrganisationSettings.objects.create(organisation=organisation)
    if admin is not None:
        membership_add(organisation=organisation, user=admin, role=Role.ORG_ADMIN, display_name=admin_name or admin.email)
    record_staff(admin, AuditAction.ORGANISATION_CREATED, organisation=organisation, target=f"organisation {organisation.slug}")
    return organisation


def membership_add(
    *, organisation: Organisation, user: Any, role: str, display_name: str, intake_allowed: bool = False, agreement: DataSharingAgreement | None = None
) -> Membership:
    display_name = display_name.strip()[:120]
    if agreement is not None and agreement.organisation_id != organisation.pk:
        raise ValidationError({"agreement": "Choose one of your organisation's agreements."})
    membership, _ = Membership.objects.update_or_create(
        organisation=organisation,
        user=user,
        defaults={
            "role": role,
            "display_name": display_name,
            "intake_allowed": intake_allowed,
            "agreement": agreement,
            "active": True,
            "ended_at": None,
            "name_token": organisation.blind_token("name", normal_name(display_name)) if display_name else "",
        },
    )
    return membership


@transaction.atomic
def invitation_create(*, staff: Membership, email: str, role: str, display_name: str) -> tuple[Invitation, str]:
    """Returns the invitation and its token, shown once (only its hash is stored)."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        organisation=staff.organisation,
        email=email.strip().lower(),
        role=role,
        display_name=display_name.strip(),
        token_hash=token_hash(token),
        invited_by=staff.user,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    record_staff(staff.user, AuditAction.STAFF_INVITED, organisation=staff.organisation, target=f"invitation {invitation.pk} ({role})")
    return invitation, token


@transaction.atomic
def invitation_revoke(*, staff: Membership, invitation: Invitation) -> None:
    if invitation.state != "open":
        raise ValidationError("Only an open invitation can be withdrawn.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record_staff(staff.user, AuditAction.STAFF_INVITATION_REVOKED, organisation=staff.organisation, target=f"invitation {invitation.pk}")


def invitation_by_token(token: str) -> Invitation | None:
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=token_hash(token)).first()
    if invitation is None or invitation.state != "open":
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, user: Any, token: str) -> Membership:
    invitation = invitation_by_token(token)
    if invitation is None or invitation.email != (user.email or "").lower():
        raise ValidationError("This invitation is not valid. Ask your organisation for a new one.")
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now())
    membership = membership_add(organisation=invitation.organisation, user=user, role=invitation.role, display_name=invitation.display_name)
    record_staff(user, AuditAction.STAFF_JOINED, organisation=invitation.organisation, target=f"member {membership.pk} ({membership.role})")
    return membership


@transaction.atomic
def membership_end(*, staff: Membership, membership: Membership) -> None:
    if membership.pk == staff.pk:
        raise ValidationError("You cannot remove yourself. Ask another organisation admin.")
    membership.active = False
    membership.ended_at = timezone.now()
    membership.save(update_fields=["active", "ended_at"])
    record_staff(staff.user, AuditAction.STAFF_REMOVED, organisation=staff.organisation, target=f"member {membership.pk}")


@transaction.atomic
def membership_change(
    *, staff: Membership, membership: Membership, role: str, intake_allowed: bool, agreement: DataSharingAgreement | None = None
) -> Membership:
    """Change a member's role or intake scope (and a partner referrer's agreement). An admin cannot change their
    own role (another admin must)."""
    if role not in Role.values:
        raise ValidationError({"role": "Choose a role."})
    if agreement is not None and agreement.organisation_id != staff.organisation_id:
        raise ValidationError({"agreement": "Choose one of your organisation's agreements."})
    if role == Role.PARTNER and agreement is None:
        raise ValidationError({"agreement": "A partner referrer refers under a data-sharing agreement: choose it."})
    if membership.pk == staff.pk and role != membership.role:
        raise ValidationError({"role": "You cannot change your own role. Ask another organisation admin."})
    before = f"{membership.role}{' + intake' if membership.intake_allowed else ''}"
    membership.role = role
    membership.intake_allowed = intake_allowed and role == Role.CASEWORKER
    membership.agreement = agreement if role == Role.PARTNER else None
    membership.save(update_fields=["role", "intake_allowed", "agreement"])
    after = f"{membership.role}{' + intake' if membership.intake_allowed else ''}"
    record_staff(staff.user, AuditAction.STAFF_ROLE_CHANGED, organisation=staff.organisation, target=f"member {membership.pk}: {before} -> {after}")
    return membership


@transaction.atomic
def settings_update(*, staff: Membership, values: dict[str, Any]) -> OrganisationSettings:
    current = staff.organisation.settings
    for field, value in values.items():
        setattr(current, field, value)
    current.full_clean()
    current.save()
    record_staff(staff.user, AuditAction.ORGANISATION_SETTINGS_CHANGED, organisation=staff.organisation, target="settings")
    return current


@transaction.atomic
def agreement_add(*, staff: Membership, **fields: Any) -> DataSharingAgreement:
    agreement = DataSharingAgreement(organisation=staff.organisation, **fields)
    if agreement.ends_on and agreement.ends_on < agreement.starts_on:
        raise ValidationError({"ends_on": "The end date must be after the start date."})
    agreement.full_clean()
    agreement.save()
    record_staff(staff.user, AuditAction.AGREEMENT_ADDED, organisation=staff.organisation, target=f"agreement {agreement.pk}")
    return agreement


@transaction.atomic
def agreement_end(*, staff: Membership, agreement: DataSharingAgreement) -> None:
    agreement.active = False
    agreement.ends_on = agreement.ends_on or timezone.localdate()
    agreement.save(update_fields=["active", "ends_on"])
    record_staff(staff.user, AuditAction.AGREEMENT_ENDED, organisation=staff.organisation, target=f"agreement {agreement.pk}")


@transaction.atomic
def connection_declare(*, staff: Membership, name: str) -> StaffConnection:
    """A staff member names someone they are connected to; only the keyed hash of the name is kept."""
    normal = normal_name(name)
    if not normal:
        raise ValidationError({"name": "Enter the person's name."})
    connection = StaffConnection.objects.create(membership=staff, name_token=staff.organisation.blind_token("name", normal))
    record_staff(staff.user, AuditAction.STAFF_CONNECTION_DECLARED, organisation=staff.organisation, target=f"member {staff.pk}")
    return connection


API_TOKEN_PREFIX = "dbk"


def _new_api_token() -> tuple[str, str]:
    """(prefix, token): the prefix finds the credential, the whole token proves it."""
    prefix = secrets.token_hex(6)
    return prefix, f"{API_TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


@transaction.atomic
def api_credential_issue(*, organisation: Organisation, agreement: DataSharingAgreement, sender: str, force: str, by: Any = None) -> tuple[ApiCredential, str]:
    """A new police sender credential under one of the organisation's agreements in force. Returns the credential
    and its token, which is shown once and never stored."""
    sender, force = sender.strip()[:200], force.strip()[:100]
    errors: dict[str, str] = {}
    if agreement.organisation_id != organisation.pk or not agreement.active or (agreement.ends_on and agreement.ends_on < timezone.localdate()):
        errors["agreement"] = "Choose one of your organisation's agreements in force."
    if not sender:
        errors["sender"] = "Name the sender (for example the force's victim care unit)."
    if not force:
        errors["force"] = "Name the force its referrals come from."
    if errors:
        raise ValidationError(errors)
    prefix, token = _new_api_token()
    credential = ApiCredential.objects.create(
        organisation=organisation, agreement=agreement, sender=sender, force=force, prefix=prefix, token_hash=token_hash(token), created_by=by
    )
    record_staff(by, AuditAction.API_CREDENTIAL_ISSUED, organisation=organisation, target=f"credential {credential.pk} ({prefix})")
    return credential, token


@transaction.atomic
def api_credential_rotate(*, credential: ApiCredential, by: Any = None) -> str:
    """A new token for the same sender; the old one stops working at once. Returns the new token (shown once)."""
    if credential.revoked_at:
        raise ValidationError("A revoked credential cannot be rotated; issue a new one.")
    prefix, token = _new_api_token()
    credential.prefix, credential.token_hash, credential.rotated_at = prefix, token_hash(token), timezone.now()
    credential.save(update_fields=["prefix", "token_hash", "rotated_at"])
    record_staff(by, AuditAction.API_CREDENTIAL_ROTATED, organisation=credential.organisation, target=f"credential {credential.pk} ({prefix})")
    return token


@transaction.atomic
def api_credential_revoke(*, credential: ApiCredential, by: Any = None) -> ApiCredential:
    if credential.revoked_at:
        raise ValidationError("This credential is already revoked.")
    credential.revoked_at = timezone.now()
    credential.save(update_fields=["revoked_at"])
    record_staff(by, AuditAction.API_CREDENTIAL_REVOKED, organisation=credential.organisation, target=f"credential {credential.pk} ({credential.prefix})")
    return credential


def api_credential_for(token: str) -> ApiCredential | None:
    """The active credential a presented token proves, or None (constant-time comparison of the hashes)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != API_TOKEN_PREFIX or not parts[1] or len(token) > 200:
        return None
    found = ApiCredential.objects.select_related("organisation", "organisation__settings", "agreement")
    credential = found.filter(prefix=parts[1], revoked_at__isnull=True).first()
    if credential is None or not secrets.compare_digest(credential.token_hash, token_hash(token)):
        return None
    return credential
