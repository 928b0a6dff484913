"""Organisations (services), their settings, staff memberships, invitations and data-sharing agreements.

Each organisation has its own data key, wrapped by the master key; every client's data key is wrapped by it
(see organisations/keys.py). Nothing here holds client content.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from kernel import crypto
from organisations import keys


class Nation(models.TextChoices):
    """Where the organisation works: its bank holidays (the ``holidays`` package subdivision codes)."""

    ENGLAND = "ENG", "England"
    WALES = "WLS", "Wales"
    SCOTLAND = "SCT", "Scotland"
    NORTHERN_IRELAND = "NIR", "Northern Ireland"


class Role(models.TextChoices):
    """The staff roles of design section 7 (see organisations/access.py for what each may do)."""

    CASEWORKER = "caseworker", "Caseworker"
    DUTY_WORKER = "duty_worker", "Duty worker"
    TEAM_LEAD = "team_lead", "Team lead"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    INTAKE = "intake", "Intake"
    ORG_ADMIN = "org_admin", "Organisation admin"
    AUDITOR = "auditor", "Auditor"
    # A professional at a partner organisation (GP, school, housing) who refers people through a form, under the
    # data-sharing agreement named on their membership; sees only what became of their own referrals.
    PARTNER = "partner", "Partner referrer"


class Organisation(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    nation = models.CharField(max_length=3, choices=Nation.choices, default=Nation.ENGLAND)
    created_at = models.DateTimeField(auto_now_add=True)
    # The organisation's key, wrapped by the master key (kernel/crypto.py); key_id names that master key.
    wrapped_key = models.BinaryField()
    key_id = models.CharField(max_length=16)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def key_context(self) -> str:
        return f"organisation:{self.uuid}"

    def ensure_key(self) -> None:
        if not self.wrapped_key:
            self.wrapped_key = crypto.wrap_key(crypto.new_data_key(), self.key_context)
            self.key_id = crypto.master_key_id()

    def data_key(self) -> bytes:
        key = self.__dict__.get("_data_key")
        if key is None:
            self.ensure_key()
            key = crypto.unwrap_key(bytes(self.wrapped_key), self.key_context)
            self.__dict__["_data_key"] = key
        return key

    def blind_token(self, kind: str, normalised: str) -> str:
        ikey = self.__dict__.get("_index_key")
        if ikey is None:
            ikey = self.__dict__["_index_key"] = keys.index_key(self.data_key())
        return keys.blind_token(ikey, kind, normalised)


class NextStep(models.TextChoices):
    """What the organisation does after its number of failed first-contact attempts."""

    LEAD_REVIEW = "lead_review", "A team lead reviews the referral"
    ALTERNATIVE = "alternative", "Try the alternative safe contact"
    LETTER = "letter", "Send a neutral letter (only where post is safe)"
    TELL_REFERRER = "tell_referrer", "Tell the referrer the person could not be reached"
    CLOSE = "close", "Close with the outcome 'could not be reached'"


class OrganisationSettings(models.Model):
    """Contract and safety settings of one organisation. Deadlines are in working days of its nation."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="settings")
    idle_timeout_minutes = models.PositiveSmallIntegerField(default=15)
    first_contact_days_high = models.PositiveSmallIntegerField(default=1)
    first_contact_days_medium = models.PositiveSmallIntegerField(default=2)
    first_contact_days_standard = models.PositiveSmallIntegerField(default=5)
    first_contact_days_unknown = models.PositiveSmallIntegerField(default=2)
    # Risk-weighted caseload per caseworker (high counts 3, medium 2, standard 1; see casework/allocation.py).
    caseload_ceiling = models.PositiveSmallIntegerField(default=30)
    # First contact (design 3.3): after this many attempts without reaching the person, the next step is offered.
    failed_attempts_limit = models.PositiveSmallIntegerField(default=3)
    # Lone working and cover (cover/): how late a visit's check-in or check-out may be before it is escalated, and
    # the longest cover grant (a longer absence is a reallocation).
    check_in_grace_minutes = models.PositiveSmallIntegerField(default=15)
    cover_max_days = models.PositiveSmallIntegerField(default=92)
    next_step_after_failed = models.CharField(max_length=20, choices=NextStep.choices, default=NextStep.LEAD_REVIEW)
    # Self-referral (design 6): the public form, the service's hours and helpline shown before anything else.
    self_referral_open = models.BooleanField(default=False)
    service_hours = models.CharField(max_length=300, blank=True, default="Monday to Friday, 9am to 5pm")
    helpline = models.CharField(max_length=200, blank=True, default="National Stalking Helpline: 0808 802 0300")

    def __str__(self) -> str:
        return f"settings of {self.organisation_id}"

    def first_contact_days(self, risk: str) -> int:
        return int(getattr(self, f"first_contact_days_{risk}", self.first_contact_days_unknown))


class Membership(models.Model):
    """A staff member: one user's role in one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    # The name colleagues know them by (shown in audit trails and allocation).
    display_name = models.CharField(max_length=120)
    # Scope: a caseworker may also work the intake queue.
    intake_allowed = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # A partner referrer refers under this agreement (and only while it is in force).
    agreement = models.ForeignKey("DataSharingAgreement", null=True, blank=True, on_delete=models.SET_NULL, related_name="partners")
    # Blind-index token of the staff member's name (conflict checks at allocation).
    name_token = models.CharField(max_length=32, blank=True, db_index=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_user_and_organisation")]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"


class StaffConnection(models.Model):
    """A person a staff member has declared a connection to (a relative, a partner), kept only as a blind-index
    token of the name: enough for the conflict check at allocation, unreadable otherwise."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="connections")
    name_token = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"connection {self.pk}"


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    display_name = models.CharField(max_length=120)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation {self.pk}"

    @property
    def state(self) -> str:
        from django.utils import timezone  # noqa: PLC0415

        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class LawfulBasis(models.TextChoices):
    PUBLIC_TASK = "public_task", "Public task (UK GDPR 6(1)(e))"
    LEGITIMATE_INTERESTS = "legitimate_interests", "Legitimate interests (UK GDPR 6(1)(f))"
    CONSENT = "consent", "Consent (UK GDPR 6(1)(a))"
    VITAL_INTERESTS = "vital_interests", "Vital interests (UK GDPR 6(1)(d))"


class DataSharingAgreement(models.Model):
    """A named agreement or protocol under which referrals arrive (for example with a police force)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="agreements")
    name = models.CharField(max_length=200)
    partner = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, blank=True)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    # The special-category and criminal-offence data conditions relied on (DPA 2018 Schedule 1), in words.
    conditions = models.CharField(max_length=300, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.partner})"


class ApiCredential(models.Model):
    """A police sender's credential for the referral API (design 8), tied to one named data-sharing agreement and
    scoped to one receiving organisation. The token is shown once; only its SHA-256 is kept (organisations/keys.py
    ``token_hash``), found by its public ``prefix``. Rotating replaces the token on the same row (the sender keeps
    reading its referrals' outcomes); revoking stops it at once."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_credentials")
    agreement = models.ForeignKey(DataSharingAgreement, on_delete=models.PROTECT, related_name="api_credentials")
    sender = models.CharField(max_length=200)  # who sends: "Kent Police, Victim Care Unit"
    force = models.CharField(max_length=100)  # the force named on its referrals (part of their natural key)
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rotated_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sender", "pk"]

    def __str__(self) -> str:
        return f"API credential {self.prefix} ({self.sender})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
