"""A client's safeguarding concerns, needs assessments, support plan and safety plan, and the client's hash chain.

Everything personal is sealed with the client's data key (casework.Client.get_cipher). Every write is a
:class:`Snapshot` (the sealed canonical payload of that step) and a :class:`ClientChainEntry` committing to it
(care/ledger.py), so a client record is verifiable the way a diary is.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from casework.models import Client
from chain.refs import GENESIS
from kernel import crypto
from kernel.sealed import Sealed
from organisations.models import Membership, Organisation


class _ClientSealed(models.Model):
    """Rows sealed with their client's key."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()


def attach(rows: Any, client: Client) -> list[Any]:
    """The rows as a list, each holding ``client`` itself, so its unwrapped key is shared (not unwrapped per row)."""
    out = list(rows)
    for row in out:
        row.client = client
    return out


# --- the client's hash chain (care/ledger.py) ---


class ClientChain(models.Model):
    """The head of one client's chain (the client row belongs to casework; its chain lives here)."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="care_chain")
    seq = models.PositiveIntegerField(default=0)
    head = models.CharField(max_length=64, default=GENESIS)

    def __str__(self) -> str:
        return f"chain of client {self.client_id} at {self.seq}"


class ClientChainEntry(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_chain_entries")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32)
    ref = models.CharField(max_length=96)
    at = models.CharField(max_length=40)
    payload_sha256 = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["client", "seq"], name="care_chain_seq_unique")]

    def __str__(self) -> str:
        return f"{self.client_id}#{self.seq} {self.kind} {self.ref}"


class Snapshot(_ClientSealed):
    """The sealed canonical payload of one chained step; ``ref`` is ``<subject>/s<n>``."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="care_snapshots")
    kind = models.CharField(max_length=32)
    subject = models.CharField(max_length=80)
    n = models.PositiveIntegerField()
    ref = models.CharField(max_length=96)
    at = models.DateTimeField()
    by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    sha256 = models.CharField(max_length=64)
    payload_enc = models.TextField()

    payload = Sealed("payload_enc", json=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [models.UniqueConstraint(fields=["client", "ref"], name="care_snapshot_ref_unique")]
        indexes = [models.Index(fields=["client", "subject", "n"], name="care_snapshot_subject_n")]

    def __str__(self) -> str:
        return f"snapshot {self.ref}"


# --- safeguarding (design 3.4) ---


class Subject(models.TextChoices):
    CHILD = "child", "A child"
    UNBORN = "unborn", "An unborn child"
    ADULT = "adult", "An adult at risk"


class ConcernStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ConsentPath(models.TextChoices):
    NOT_YET = "not_yet", "Not asked yet: acting at once"
    GIVEN = "given", "The person consented"
    PARENT = "parent", "Under 16: a parent or carer with parental responsibility consented"
    COMPETENT_CHILD = "competent_child", "Under 16: judged able to decide for themselves, and consented"
    BEST_INTERESTS = "best_interests", "An adult who may lack capacity: a best-interests decision"
    WITHOUT_CONSENT = "without_consent", "Acted without consent: risk of significant harm"
    WITHDRAWN = "withdrawn", "Consent withdrawn (the safeguarding record stays)"


# Paths that need who decided and why, in words.
CONSENT_NEEDS_NOTE = {ConsentPath.PARENT, ConsentPath.COMPETENT_CHILD, ConsentPath.BEST_INTERESTS, ConsentPath.WITHOUT_CONSENT, ConsentPath.WITHDRAWN}


class SafeguardingConcern(_ClientSealed):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="safeguarding_concerns")
    number = models.PositiveIntegerField()
    subject = models.CharField(max_length=10, choices=Subject.choices)
    status = models.CharField(max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN)
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    out_of_hours = models.BooleanField(default=False)
    consent = models.CharField(max_length=20, choices=ConsentPath.choices, default=ConsentPath.NOT_YET)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    summary_enc = models.TextField(blank=True)
    consent_note_enc = models.TextField(blank=True)
    children_enc = models.TextField(blank=True)
    review_note_enc = models.TextField(blank=True)
    outcome_enc = models.TextField(blank=True)

    summary = Sealed("summary_enc")  # what the concern is
    consent_note = Sealed("consent_note_enc")  # who decided, and why
    # [{name, date_of_birth, expected_on, school, suspect_is_parent, lives_with_person, contact_arrangements}]
    children = Sealed("children_enc", json=True)
    review_note = Sealed("review_note_enc")
    outcome = Sealed("outcome_enc")

    class Meta:
        ordering = ["-raised_at"]
        constraints = [models.UniqueConstraint(fields=["client", "number"], name="one_concern_number_per_client")]
        indexes = [models.Index(fields=["organisation", "status", "reviewed_at"])]

    def __str__(self) -> str:
        return f"concern {self.client_id}/{self.number}"

    @property
    def reference(self) -> str:
        return f"S-{self.client_id:06d}-{self.number}"


class Agency(models.TextChoices):
    CHILDREN = "children", "Children's social care"
    MASH = "mash", "Multi-agency safeguarding hub (MASH)"
    ADULTS = "adults", "Adult safeguarding"
    LADO = "lado", "Local authority designated officer (LADO): the suspect works with children"


class SafeguardingReferral(_ClientSealed):
    concern = models.ForeignKey(SafeguardingConcern, on_delete=models.CASCADE, related_name="referrals")
    agency = models.CharField(max_length=10, choices=Agency.choices)
    made_at = models.DateTimeField()
    made_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome_due = models.DateField()
    outcome_on = models.DateField(null=True, blank=True)
    last_chased_on = models.DateField(null=True, blank=True)

    reference_enc = models.TextField(blank=True)
    outcome_enc = models.TextField(blank=True)

    reference = Sealed("reference_enc")  # the agency's reference, or whom we spoke to
    outcome = Sealed("outcome_enc")

    class Meta:
        ordering = ["made_at", "pk"]
        indexes = [models.Index(fields=["outcome_on", "outcome_due"])]

    def __str__(self) -> str:
        return f"safeguarding referral {self.pk} ({self.agency})"


# --- needs assessment and support plan (design 3.5) ---


class NeedArea(models.TextChoices):
    SAFETY = "safety", "Safety"
    HEALTH = "health", "Health and wellbeing"
    EMOTIONAL = "emotional", "Emotional"
    PRACTICAL = "practical", "Practical"
    HOUSING = "housing", "Housing"
    FINANCIAL = "financial", "Financial"
    JUSTICE = "justice", "Justice and court"
    DIGITAL = "digital", "Digital safety"
    CHILDREN = "children", "Children"


class Stage(models.TextChoices):
    START = "start", "At the start"
    REVIEW = "review", "At a review"
    EXIT = "exit", "At the end of support"


class NeedsAssessment(_ClientSealed):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="needs_assessments")
    stage = models.CharField(max_length=10, choices=Stage.choices)
    assessed_on = models.DateField()
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Outcome measures as small whole numbers (1 to 5) with no personal text, so returns can count them.
    outcomes = models.JSONField(default=dict)

    areas_enc = models.TextField(blank=True)
    own_words_enc = models.TextField(blank=True)

    areas = Sealed("areas_enc", json=True)  # {area: {"level": "none|some|high", "note": str}}
    own_words = Sealed("own_words_enc")  # what the person wants, in their words

    class Meta:
        ordering = ["-assessed_on", "-pk"]

    def __str__(self) -> str:
        return f"needs assessment {self.pk}"


class GoalStatus(models.TextChoices):
    OPEN = "open", "Working on it"
    ACHIEVED = "achieved", "Achieved"
    STOPPED = "stopped", "No longer wanted"


class Goal(_ClientSealed):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="goals")
    area = models.CharField(max_length=10, choices=NeedArea.choices)
    status = models.CharField(max_length=10, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    created_on = models.DateField()
    text_enc = models.TextField()

    text = Sealed("text_enc")

    class Meta:
        ordering = ["created_on", "pk"]

    def __str__(self) -> str:
        return f"goal {self.pk}"


class PlanAction(_ClientSealed):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plan_actions")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="actions")
    owner = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="plan_actions")
    created_on = models.DateField()
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    text_enc = models.TextField()

    text = Sealed("text_enc")

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["owner", "done_on", "due_on"])]

    def __str__(self) -> str:
        return f"action {self.pk}"


class PlanReview(_ClientSealed):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plan_reviews")
    reviewed_on = models.DateField()
    next_review_on = models.DateField()
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    note_enc = models.TextField(blank=True)

    note = Sealed("note_enc")

    class Meta:
        ordering = ["-reviewed_on", "-pk"]

    def __str__(self) -> str:
        return f"plan review {self.pk}"


# --- safety plan (design 3.5) ---


class SafetyPlan(_ClientSealed):
    """The current version of a client's safety plan; every version is a chained :class:`Snapshot`."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="safety_plan")
    version = models.PositiveIntegerField(default=0)
    made_with_person = models.BooleanField(default=True)
    made_on = models.DateField()
    review_on = models.DateField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    sections_enc = models.TextField()

    sections = Sealed("sections_enc", json=True)  # {key: {"text": str, "marked": bool}}
    # The version the caseworker chose to share back with the person (care/sharing.py), without marked sections.
    shared_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["review_on"])]

    def __str__(self) -> str:
        return f"safety plan of client {self.client_id} v{self.version}"
