"""The justice side of a client record: risk assessments and levels, the suspect's status, orders, court dates,
the Victim Personal Statement, reminders, onward referrals (another organisation, MARAC, MASIP) and their actions.

Every row here is written once and never changed in place (a new state is a new row), and each is one entry in
the client's own hash chain (:class:`ClientEntry`, justice/ledger.py), so a client record verifies like a diary.
Personal text is sealed with the client's key (an onward referral's shared copy with its own key, wrapped by the
receiving organisation's key).
"""

from __future__ import annotations

import uuid

from django.db import models

from casework.models import Client
from kernel import crypto
from kernel.sealed import Sealed
from organisations import keys
from organisations.models import Membership, Organisation


class ClientEntry(models.Model):
    """One entry of a client's hash chain (the same layout as chain.services, with the client's uuid)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="chain_entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    ref = models.CharField(max_length=64)
    at = models.CharField(max_length=40)
    payload_sha256 = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["client", "seq"], name="client_chain_seq_unique")]

    def __str__(self) -> str:
        return f"client {self.client_id}#{self.seq} {self.kind}"


class OnClient(models.Model):
    """Common columns: the client, a uuid (binds sealed values to the row), who recorded it and when."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()

    class Meta:
        abstract = True

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()


class Level(models.TextChoices):
    STANDARD = "standard", "Standard"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


LEVEL_RANK = {Level.STANDARD: 0, Level.MEDIUM: 1, Level.HIGH: 2, "unknown": -1, "": -1}


class Review(models.TextChoices):
    NOT_NEEDED = "not_needed", "No review needed"
    AWAITING = "awaiting", "Waiting for a team lead's review"
    AGREED = "agreed", "Lowering agreed by a team lead"
    REFUSED = "refused", "Lowering not agreed by a team lead"


class Assessment(OnClient):
    """A risk assessment: answers by question ID (never the wording), the professional judgement and its reason,
    and the level that results. Lowering the level waits for a team lead's review (justice/risk.py)."""

    instrument = models.CharField(max_length=40)
    instrument_version = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=dict)  # question ID -> "yes" / "no" / "unknown"
    domestic = models.BooleanField(default=False)  # the suspect is personally connected (MARAC's route)
    level = models.CharField(max_length=10, choices=Level.choices)
    level_before = models.CharField(max_length=10, blank=True)
    review = models.CharField(max_length=12, choices=Review.choices, default=Review.NOT_NEEDED)
    judgement_enc = models.TextField(blank=True)
    judgement = Sealed("judgement_enc")  # the professional judgement and its reason

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"assessment {self.pk}"

    @property
    def yes_count(self) -> int:
        return sum(1 for v in self.answers.values() if v == "yes")


class LevelReview(OnClient):
    """A team lead's review of an assessment that lowers the level: agreed or not, with the reason."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="level_review")
    agreed = models.BooleanField()
    reason_enc = models.TextField()
    reason = Sealed("reason_enc")

    def __str__(self) -> str:
        return f"review {self.pk}"


class SuspectState(models.TextChoices):
    ARRESTED = "arrested", "Arrested"
    RUI = "rui", "Released under investigation"
    BAILED = "bailed", "On bail to a date, with conditions"
    CHARGED = "charged", "Charged"
    REMANDED = "remanded", "Remanded in custody"
    RELEASED = "released", "Released"
    LICENCE = "licence", "Released on licence"
    VCS = "vcs", "Victim Contact Scheme (the person is in it)"
    NFA = "nfa", "No further action"


class StatusChange(OnClient):
    state = models.CharField(max_length=10, choices=SuspectState.choices)
    on = models.DateField()
    until = models.DateField(null=True, blank=True)  # bail to, licence to
    conditions_enc = models.TextField(blank=True)
    note_enc = models.TextField(blank=True)
    conditions = Sealed("conditions_enc")
    note = Sealed("note_enc")

    class Meta:
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"status {self.pk} ({self.state})"


class OrderKind(models.TextChoices):
    SPO = "spo", "Stalking Protection Order"
    RESTRAINING = "restraining", "Restraining order"
    NON_MOLESTATION = "non_molestation", "Non-molestation order"
    INJUNCTION = "injunction", "Protection from Harassment Act injunction"
    OTHER = "other", "Another order"


class Order(OnClient):
    kind = models.CharField(max_length=16, choices=OrderKind.choices)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"order {self.pk} ({self.kind})"


class OrderStep(models.TextChoices):
    REQUESTED = "requested", "Asked the police to apply"
    POLICE_DECISION = "police_decision", "Police decision"
    APPLIED = "applied", "Application made to court"
    INTERIM_HEARING = "interim_hearing", "Interim hearing"
    INTERIM_MADE = "interim_made", "Interim order made"
    FULL_HEARING = "full_hearing", "Full hearing"
    MADE = "made", "Order made"
    REFUSED = "refused", "Court refused the order"
    SERVED = "served", "Served on the suspect"
    VARIED = "varied", "Varied"
    BREACH = "breach", "Breach"
    EXPIRED = "expired", "Expired or discharged"


class OrderEvent(OnClient):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(max_length=16, choices=OrderStep.choices)
    on = models.DateField()
    decision = models.CharField(max_length=10, blank=True)  # police decision: "apply" or "refuse"
    expires_on = models.DateField(null=True, blank=True)
    conditions_enc = models.TextField(blank=True)
    note_enc = models.TextField(blank=True)
    conditions = Sealed("conditions_enc")
    note = Sealed("note_enc")  # the reason for a decision, what happened

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"order event {self.pk} ({self.step})"


class CourtDate(OnClient):
    on = models.DateField()
    purpose = models.CharField(
        max_length=20,
        choices=[
            ("first_hearing", "First hearing"),
            ("trial", "Trial"),
            ("sentencing", "Sentencing"),
            ("order", "Order hearing"),
            ("family", "Family court"),
            ("other", "Other hearing"),
        ],
    )
    court_enc = models.TextField(blank=True)
    court = Sealed("court_enc")

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"court date {self.pk}"


class VpsStep(models.TextChoices):
    OFFERED = "offered", "The police offered a Victim Personal Statement"
    MADE = "made", "Statement made to the police"
    UPDATED = "updated", "Statement updated"
    TOLD = "told", "Told the suspect and their lawyers will read it"
    DECLINED = "declined", "The person chose not to make one"


class VpsEvent(OnClient):
    step = models.CharField(max_length=10, choices=VpsStep.choices)
    on = models.DateField()

    class Meta:
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"VPS {self.pk} ({self.step})"


class TaskKind(models.TextChoices):
    RISK_REVIEW = "risk_review", "Review risk after a change in the suspect's status"
    LOWERING_REVIEW = "lowering_review", "Team lead: review a lowered risk level"
    BAIL_ENDS = "bail_ends", "Bail ends: review risk and the safety plan"
    LICENCE_ENDS = "licence_ends", "Licence ends: review risk and the safety plan"
    HEARING = "hearing", "Court or order hearing coming up"
    ORDER_EXPIRES = "order_expires", "An order expires"
    MEETING_FEEDBACK = "meeting_feedback", "Give the person feedback from the meeting"
    MEETING_ACTION = "meeting_action", "An action from a MARAC or MASIP meeting"


class Task(models.Model):
    """A reminder on the due list. Its words are fixed (the kind); what it is about is a reference."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="justice_tasks")
    kind = models.CharField(max_length=20, choices=TaskKind.choices)
    due_on = models.DateField()
    about = models.CharField(max_length=64)  # a chain ref: "status/<uuid>", "order-event/<uuid>"
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["client", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"task {self.pk} ({self.kind})"


class OnwardKind(models.TextChoices):
    ORGANISATION = "organisation", "Another organisation in Daybook"
    MARAC = "marac", "MARAC (a meeting, for domestic abuse)"
    MASIP = "masip", "Stalking panel or clinic (MASIP)"


class Basis(models.TextChoices):
    CONSENT = "consent", "The person consented to this recipient and purpose"
    PROTOCOL = "protocol", "A protocol (for example the MARAC information-sharing protocol)"
    SAFEGUARDING = "safeguarding", "Safeguarding: sharing without consent to protect someone"


class OnwardState(models.TextChoices):
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Onward(OnClient):
    """An onward referral. ``items`` names what the caseworker chose to share; for another organisation the copy
    it reads is ``shared`` (sealed with the referral's own key, wrapped by the recipient's key), emptied at once
    when the referral is withdrawn."""

    kind = models.CharField(max_length=12, choices=OnwardKind.choices)
    to_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="onward_in")
    purpose = models.CharField(max_length=200)
    basis = models.CharField(max_length=12, choices=Basis.choices)
    consent_on = models.DateField(null=True, blank=True)
    decided_by = models.CharField(max_length=120, blank=True)  # who decided a protocol or safeguarding basis
    person_told = models.CharField(max_length=8, blank=True)  # "yes" / "no"
    items = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=OnwardState.choices, default=OnwardState.SENT)
    meeting_on = models.DateField(null=True, blank=True)
    feedback_on = models.DateField(null=True, blank=True)
    pdf_made_at = models.DateTimeField(null=True, blank=True)
    wrapped_key = models.BinaryField(blank=True)
    rationale_enc = models.TextField(blank=True)
    detail_enc = models.TextField(blank=True)
    shared_enc = models.TextField(blank=True)
    rationale = Sealed("rationale_enc")  # why without consent; whether and why the person was not told
    detail = Sealed("detail_enc", json=True)  # MARAC/MASIP data set (justice/marac.py)
    shared = Sealed("shared_enc", json=True)  # the recipient's copy (another organisation)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"onward referral {self.pk}"

    @property
    def reference(self) -> str:
        return f"O-{self.pk:06d}"

    def get_cipher(self) -> crypto.CaseCipher:
        if self.kind != OnwardKind.ORGANISATION or self.to_organisation_id is None:
            return self.client.get_cipher()
        cipher = self.__dict__.get("_cipher")
        if cipher is None:
            context = f"onward:{self.uuid}"
            org = self.to_organisation
            if not self.wrapped_key:
                self.wrapped_key = keys.wrap_under(org.data_key(), crypto.new_data_key(), context)
            cipher = crypto.CaseCipher(keys.unwrap_under(org.data_key(), bytes(self.wrapped_key), context))
            self.__dict__["_cipher"] = cipher
        return cipher


class OnwardEvent(models.Model):
    """A state of an onward referral, by either side; a decline carries its reason."""

    onward = models.ForeignKey(Onward, on_delete=models.CASCADE, related_name="events")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=OnwardState.choices)
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    shared_sha256 = models.CharField(max_length=64, blank=True)  # on "sent": the hash of what was shared
    reason_enc = models.TextField(blank=True)
    reason = Sealed("reason_enc")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"onward event {self.pk} ({self.state})"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.onward.client.get_cipher()


class MeetingAction(OnClient):
    """One of this service's actions from a MARAC or MASIP meeting (the meeting keeps no case: agencies do)."""

    onward = models.ForeignKey(Onward, on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField()
    what_enc = models.TextField()
    what = Sealed("what_enc")

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"meeting action {self.pk}"


class Protocol(models.Model):
    """The local MARAC protocol's definitions, an organisation setting kept by its admin (words, never numbers
    Daybook invents): what counts as escalation and as a repeat."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="marac_protocol")
    name = models.CharField(max_length=200, blank=True)
    escalation = models.TextField(blank=True)
    repeat = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"protocol of {self.organisation_id}"
