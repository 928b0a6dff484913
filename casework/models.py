"""The service side's records: clients, referrals, their blind index, contact attempts, alerts, break-glass.

A client's personal data is sealed (kernel/sealed.py) with the client's own data key, wrapped by the
organisation's key (organisations/keys.py). Staff find clients through a blind index (:class:`IndexEntry`):
keyed hashes of the normalised name, date of birth and phone numbers, never the values.
"""

from __future__ import annotations

import uuid

from django.db import models

from kernel import crypto
from kernel.sealed import Sealed
from organisations import keys
from organisations.models import ApiCredential, DataSharingAgreement, LawfulBasis, Membership, Organisation


class Risk(models.TextChoices):
    HIGH = "high", "High"
    MEDIUM = "medium", "Medium"
    STANDARD = "standard", "Standard"
    UNKNOWN = "unknown", "Not known"


class Source(models.TextChoices):
    POLICE_API = "police_api", "Police (API)"
    POLICE_FILE = "police_file", "Police (daily file)"
    SELF = "self", "Self-referral"
    ORGANISATION = "organisation", "Another organisation"
    PROFESSIONAL = "professional", "A professional (GP, school, housing)"
    HELPLINE = "helpline", "Helpline"
    STAFF_CALL = "staff_call", "A call taken by staff"


class Consent(models.TextChoices):
    OPT_OUT_NOTICE = "opt_out_notice", "Told of the referral and did not opt out"
    EXPLICIT = "explicit", "Explicit consent given"
    SELF = "self", "The person referred themselves"
    THIRD_PARTY_KNOWS = "third_party_knows", "Someone else referred; the person knows"
    THIRD_PARTY_UNAWARE = "third_party_unaware", "Someone else referred; the person does not know"
    OPTED_OUT = "opted_out", "The person opted out"


class Relationship(models.TextChoices):
    """The suspect's relationship to the person. Partners, ex-partners and family make it domestic abuse
    (Domestic Abuse Act 2021 s.2, "personally connected"), whatever the offence flag says."""

    PARTNER = "partner", "Partner"
    EX_PARTNER = "ex_partner", "Ex-partner"
    FAMILY = "family", "Family member"
    ACQUAINTANCE = "acquaintance", "Acquaintance"
    COLLEAGUE = "colleague", "Colleague or ex-colleague"
    NEIGHBOUR = "neighbour", "Neighbour"
    STRANGER = "stranger", "Stranger"
    ONLINE = "online", "Known only online"
    UNKNOWN = "unknown", "Not known"


class Offence(models.TextChoices):
    STALKING = "stalking", "Stalking"
    HARASSMENT = "harassment", "Harassment"
    MALICIOUS_COMMUNICATIONS = "malicious_communications", "Malicious communications"
    CRIMINAL_DAMAGE = "criminal_damage", "Criminal damage"
    ASSAULT = "assault", "Assault"
    THREATS = "threats", "Threats to kill or to harm"
    CONTROLLING_BEHAVIOUR = "controlling_behaviour", "Controlling or coercive behaviour"
    SEXUAL = "sexual", "A sexual offence"
    BREACH_OF_ORDER = "breach_of_order", "Breach of an order"
    OTHER = "other", "Other"


class ClientStatus(models.TextChoices):
    REFERRED = "referred", "Referred, not yet accepted"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Client(models.Model):
    """The organisation's record of a person it supports (or has been referred)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="clients")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=ClientStatus.choices, default=ClientStatus.REFERRED)
    risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.UNKNOWN)
    allocated_to = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="allocated_clients")
    restricted = models.BooleanField(default=False)
    # Restriction beats role: only these staff members see a restricted record without break-glass.
    restricted_to = models.ManyToManyField(Membership, blank=True, related_name="restricted_clients")
    # A duplicate merged by a person into another client (casework/merge.py): hidden from lists, reversible.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from")
    created_at = models.DateTimeField(auto_now_add=True)
    # The client's data key, wrapped by the organisation key (organisations/keys.py).
    wrapped_key = models.BinaryField()

    full_name_enc = models.TextField(blank=True)
    date_of_birth_enc = models.TextField(blank=True)
    phones_enc = models.TextField(blank=True)
    email_enc = models.TextField(blank=True)
    address_area_enc = models.TextField(blank=True)
    language_enc = models.TextField(blank=True)
    interpreter_enc = models.TextField(blank=True)
    access_needs_enc = models.TextField(blank=True)
    safe_contact_enc = models.TextField(blank=True)

    full_name = Sealed("full_name_enc")
    date_of_birth = Sealed("date_of_birth_enc")  # ISO date text
    phones = Sealed("phones_enc", json=True)  # list of numbers as given
    email = Sealed("email_enc")
    address_area = Sealed("address_area_enc")
    language = Sealed("language_enc")
    interpreter = Sealed("interpreter_enc")  # interpreter needs, in words (never family, children, suspect's circle)
    access_needs = Sealed("access_needs_enc")
    safe_contact = Sealed("safe_contact_enc", json=True)  # see casework/safecontact.py for the keys

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Client {self.pk}"

    @property
    def key_context(self) -> str:
        return f"client:{self.uuid}"

    def ensure_key(self) -> None:
        if not self.wrapped_key:
            self.wrapped_key = keys.wrap_under(self.organisation.data_key(), crypto.new_data_key(), self.key_context)

    def get_cipher(self) -> crypto.CaseCipher:
        cipher = self.__dict__.get("_cipher")
        if cipher is None:
            self.ensure_key()
            cipher = crypto.CaseCipher(keys.unwrap_under(self.organisation.data_key(), bytes(self.wrapped_key), self.key_context))
            self.__dict__["_cipher"] = cipher
        return cipher

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}"


class IndexKind(models.TextChoices):
    NAME = "name", "Name"
    DATE_OF_BIRTH = "dob", "Date of birth"
    PHONE = "phone", "Phone number"
    EMAIL = "email", "E-mail address"
    SUSPECT_NAME = "suspect_name", "Suspect's name"


class IndexEntry(models.Model):
    """One blind-index token (organisations/keys.py ``blind_token``) of a client or of a referral's suspect."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="index_entries")
    referral = models.ForeignKey("Referral", null=True, blank=True, on_delete=models.CASCADE, related_name="index_entries")
    kind = models.CharField(max_length=12, choices=IndexKind.choices)
    token = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["organisation", "kind", "token"])]

    def __str__(self) -> str:
        return f"index {self.kind} {self.pk}"


class ReferralStatus(models.TextChoices):
    NEW = "new", "Waiting for triage"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    PASSED_ON = "passed_on", "Passed on"


class Referral(models.Model):
    """A request for support about one person, from one source, with its lawful basis and consent status."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="referrals")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="referrals")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(max_length=20, choices=Source.choices)
    sender = models.CharField(max_length=200, blank=True)  # the force, organisation or role; not the person
    received_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    agreement = models.ForeignKey(DataSharingAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    consent = models.CharField(max_length=20, choices=Consent.choices)
    force = models.CharField(max_length=100, blank=True)
    home_office_code = models.CharField(max_length=10, blank=True)
    date_reported = models.DateField(null=True, blank=True)
    enhanced_rights = models.BooleanField(default=False)
    offences = models.JSONField(default=list)  # Offence values
    domestic_abuse = models.BooleanField(default=False)  # flagged, or derived from the relationship
    sexual_offence = models.BooleanField(default=False)
    police_risk = models.CharField(max_length=10, choices=Risk.choices, default=Risk.UNKNOWN)
    suspect_relationship = models.CharField(max_length=15, choices=Relationship.choices, default=Relationship.UNKNOWN)
    suspect_is_police = models.BooleanField(default=False)
    person_is_police = models.BooleanField(default=False)
    # The service's own screening; until then the referral is "unscreened" (see casework/triage.py).
    screened_risk = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    screened_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # first-contact deadline (casework/deadlines.py)
    # Place in the triage queue by risk (0 high, 1 medium, 2 not screened or not known, 3 standard), kept with the
    # deadline so the queue is read in index order whatever its length (casework/services.py ``queue_rank``).
    queue_rank = models.PositiveSmallIntegerField(default=2)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    # The privacy notice given at first contact (design 3.3): when, recorded with the contact attempt.
    privacy_notice_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.NEW)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A police referral: the credential it came with, and its natural key (force, crime reference and person, as a
    # blind-index token: casework/police.py), so the same crime and person never make two referrals.
    credential = models.ForeignKey(ApiCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="referrals")
    natural_key = models.CharField(max_length=32, blank=True, default="")
    # The time the police sent the last update applied (replayed and out-of-order updates are refused).
    last_update_sent_at = models.DateTimeField(null=True, blank=True)

    crime_reference_enc = models.TextField(blank=True)
    officer_enc = models.TextField(blank=True)
    account_enc = models.TextField(blank=True)
    suspect_name_enc = models.TextField(blank=True)
    household_enc = models.TextField(blank=True)
    referrer_enc = models.TextField(blank=True)
    decision_note_enc = models.TextField(blank=True)

    crime_reference = Sealed("crime_reference_enc")
    officer = Sealed("officer_enc")
    account = Sealed("account_enc")  # brief account
    suspect_name = Sealed("suspect_name_enc")
    household = Sealed("household_enc")  # children and adults at risk in the household
    referrer = Sealed("referrer_enc")  # who referred, when not the person or a force
    decision_note = Sealed("decision_note_enc")  # reason for declining, to whom passed on

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["organisation", "status", "queue_rank", "due_at", "received_at", "id"], name="casework_referral_queue"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "natural_key"], condition=~models.Q(natural_key=""), name="one_referral_per_natural_key"),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()

    @property
    def reference(self) -> str:
        return f"R-{self.pk:06d}"


class ContactOutcome(models.TextChoices):
    SPOKE = "spoke", "Spoke to the person (identity confirmed)"
    NO_ANSWER = "no_answer", "No answer"
    VOICEMAIL = "voicemail", "Left a voicemail (safe to do so)"
    SUSPECT_ANSWERED = "suspect_answered", "The suspect answered"
    SOMEONE_ELSE = "someone_else", "Someone else answered"
    WRONG_NUMBER = "wrong_number", "Wrong or dead number"


SUCCESSFUL_OUTCOMES = {ContactOutcome.SPOKE}


class Identity(models.TextChoices):
    """How the person's identity was confirmed before anything was disclosed (design 3.3)."""

    CALL_BACK = "call_back", "Called back on the recorded safe number"
    CODE_WORD = "code_word", "Gave the code word"
    NOT_CONFIRMED = "not_confirmed", "Not confirmed: nothing disclosed"


class ContactAttempt(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="attempts")
    at = models.DateTimeField()
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    channel = models.CharField(max_length=10, choices=[("phone", "Phone"), ("text", "Text message"), ("email", "E-mail"), ("in_person", "In person")])
    outcome = models.CharField(max_length=20, choices=ContactOutcome.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    # Why a safe-contact rule was overridden (casework/safecontact.py), sealed; empty when none was.
    override_reason_enc = models.TextField(blank=True)
    # On a conversation: how identity was confirmed (empty when nobody was spoken to), and the privacy notice.
    identity = models.CharField(max_length=15, choices=Identity.choices, blank=True)
    privacy_notice = models.BooleanField(default=False)
    # Issue 15 item 7: the language used and the interpreter on this contact (never family, children or the
    # suspect's circle). ``interpreter_used`` is plain for the returns' count of interpreter use.
    interpreter_used = models.BooleanField(default=False)
    language_enc = models.TextField(blank=True)
    interpreter_enc = models.TextField(blank=True)

    override_reason = Sealed("override_reason_enc")
    language = Sealed("language_enc")
    interpreter = Sealed("interpreter_enc")  # who interpreted: agency and interpreter number

    class Meta:
        ordering = ["at"]

    def __str__(self) -> str:
        return f"attempt {self.pk} ({self.outcome})"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.referral.client.get_cipher()


class AlertKind(models.TextChoices):
    COUNTER_REFERRAL = "counter_referral", "The person referred matches a suspect on another record"
    CLIENT_NAMED_AS_SUSPECT = "client_suspect", "A current client is named as the suspect"
    BREAK_GLASS = "break_glass", "A restricted record was opened with break-glass"
    UNSAFE_NUMBER = "unsafe_number", "Someone other than the person answered a contact number"
    UNUSUAL_ACCESS = "unusual_access", "Unusual access: many records opened in a short time"
    SAFEGUARDING = "safeguarding", "A safeguarding concern for the safeguarding lead to review"
    # cover/ (issue 15 item 7): lone working.
    MISSED_CHECK_IN = "missed_check_in", "A lone worker missed a check-in or check-out"


class Alert(models.Model):
    """Something a team lead must look at. The message names records by reference, never by content."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=AlertKind.choices)
    client = models.ForeignKey(Client, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts")
    raised_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["closed_at", "-created_at"]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.kind})"


class BreakGlass(models.Model):
    """A staff member opened a restricted record they are not named on, with a reason (time-limited)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="break_glass")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    reason_enc = models.TextField()
    at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    reason = Sealed("reason_enc")

    def __str__(self) -> str:
        return f"break-glass {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()


class UpdateKind(models.TextChoices):
    NEW_OFFICER = "new_officer", "A new officer in charge"
    NO_FURTHER_ACTION = "no_further_action", "No further action"
    CHARGED = "charged", "The suspect was charged"


class ReferralUpdate(models.Model):
    """A later police message on the same crime reference and person, applied to the referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="updates")
    kind = models.CharField(max_length=20, choices=UpdateKind.choices)
    sent_at = models.DateTimeField()  # when the force sent it (orders updates)
    received_at = models.DateTimeField(auto_now_add=True)
    detail_enc = models.TextField(blank=True)

    detail = Sealed("detail_enc")  # the new officer, or the charge, in the force's words

    class Meta:
        ordering = ["sent_at"]
        constraints = [models.UniqueConstraint(fields=["referral", "sent_at"], name="one_update_per_referral_and_time")]

    def __str__(self) -> str:
        return f"update {self.pk} ({self.kind})"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.referral.client.get_cipher()


class PurgedReferral(models.Model):
    """What is left of a referral purged after a late opt-out: that it existed and was purged, without content.
    The uuid lets its sender read back "withdrawn"."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(unique=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    credential = models.ForeignKey(ApiCredential, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField()
    purged_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"purged referral {self.pk}"


class ApiReplay(models.Model):
    """The answer given to one Idempotency-Key of one credential, so a retried call gets the same answer.
    Answers hold ids and states, never personal content."""

    credential = models.ForeignKey(ApiCredential, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["credential", "key"], name="one_answer_per_idempotency_key")]

    def __str__(self) -> str:
        return f"replay {self.pk}"


class ClientMerge(models.Model):
    """A person's decision that two client records are the same person (casework/merge.py). Nothing is moved or
    re-sealed: the merged record points at the kept one, so undoing restores both exactly."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kept = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="merges_kept")
    merged = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="merges_merged")
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"merge {self.pk}"


class FeedStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Being read"
    DONE = "done", "Taken in"
    FAILED = "failed", "Could not be finished"


class FeedUpload(models.Model):
    """A force's daily file taken by the intake role (casework/feed.py): counts, and the rejected rows, sealed with
    the upload's own data key, to return to the force."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="feed_uploads")
    credential = models.ForeignKey(ApiCredential, on_delete=models.PROTECT, related_name="feed_uploads")
    uploaded_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_format = models.CharField(max_length=5)  # csv or jsonl
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    repeated = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    wrapped_key = models.BinaryField()
    rejects_enc = models.TextField(blank=True)
    # Taken in the background (casework/feedjobs.py): the file is stored sealed with the upload's key under
    # ``stored_name`` before a row is read, then read by the worker (casework/tasks.py) and deleted once taken.
    status = models.CharField(max_length=10, choices=FeedStatus.choices, default=FeedStatus.DONE)
    problem = models.CharField(max_length=300, blank=True)
    stored_name = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    rejects = Sealed("rejects_enc")  # the rejected rows as a file (same format), each with its line and reason

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"daily file {self.pk}"

    @property
    def percent(self) -> int:
        if self.status == FeedStatus.DONE:
            return 100
        return min(99, self.bytes_read * 100 // self.size) if self.size else 0

    @property
    def pending(self) -> bool:
        return self.status in (FeedStatus.QUEUED, FeedStatus.RUNNING)

    def file_key(self) -> bytes:
        """The upload's own data key (raw), for the sealed stored file; the same key seals the rejects."""
        if not self.wrapped_key:
            self.wrapped_key = keys.wrap_under(self.organisation.data_key(), crypto.new_data_key(), "feed")
        return keys.unwrap_under(self.organisation.data_key(), bytes(self.wrapped_key), "feed")

    def get_cipher(self) -> crypto.CaseCipher:
        cipher = self.__dict__.get("_cipher")
        if cipher is None:
            if not self.wrapped_key:
                self.wrapped_key = keys.wrap_under(self.organisation.data_key(), crypto.new_data_key(), "feed")
            cipher = crypto.CaseCipher(keys.unwrap_under(self.organisation.data_key(), bytes(self.wrapped_key), "feed"))
            self.__dict__["_cipher"] = cipher
        return cipher
