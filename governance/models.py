"""Governance of client records (design 3.9): the anonymised fact table behind commissioners' returns, closure and
reopening, legal holds, records-law requests, complaints and compliments, retention settings and the content-free
record of a deletion.

:class:`Fact` rows hold no personal data and no link to a client or referral row (only a one-way hash of the source
row's uuid, so a fact can be updated while the source exists): a past quarter's return is the same after the
records behind it are deleted.
"""

from __future__ import annotations

import uuid

from django.db import models

from casework.models import Client
from kernel import crypto
from kernel.sealed import Sealed
from organisations.models import Membership, Organisation


class GovernanceSettings(models.Model):
    """Per organisation: whether a closure needs a team lead's approval, and how long each type of record is kept
    after the client's record is closed (years)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="governance")
    closure_needs_approval = models.BooleanField(default=True)
    keep_client_years = models.PositiveSmallIntegerField(default=6)
    # Safeguarding records far longer (children's records into adulthood).
    keep_safeguarding_years = models.PositiveSmallIntegerField(default=25)
    keep_justice_years = models.PositiveSmallIntegerField(default=7)
    # Referrals made with bulk_create (the police daily file) send no save signal: a return first writes the facts
    # of referrals created since this moment (governance/facts.py ``catch_up``).
    facts_through = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"governance settings of {self.organisation_id}"


class FactKind(models.TextChoices):
    REFERRAL = "referral", "Referral"
    SAFEGUARDING = "safeguarding", "Safeguarding referral"
    ONWARD = "onward", "Onward referral"
    OUTCOMES = "outcomes", "Outcome measures"
    FEEDBACK = "feedback", "Complaint or compliment"
    CLOSURE = "closure", "Closure"
    RIGHT = "right", "Victims' Code right delivered"
    EQUALITY = "equality", "Equality monitoring"


class Fact(models.Model):
    """One anonymised event for the returns: counts and categories only."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=FactKind.choices)
    key = models.CharField(max_length=64)  # sha256 of the source row's kind and uuid; never shown
    on = models.DateField()  # the local day of the event
    sub = models.CharField(max_length=40, blank=True)  # agency, onward kind, outcome stage, feedback outcome
    source = models.CharField(max_length=20, blank=True)
    offences = models.JSONField(default=list)
    accepted = models.BooleanField(null=True)
    risk = models.CharField(max_length=10, blank=True)
    attempt_in_time = models.BooleanField(null=True)
    contact_in_time = models.BooleanField(null=True)
    wait_days = models.PositiveIntegerField(null=True)
    repeat = models.BooleanField(default=False)
    interpreter = models.BooleanField(default=False)
    measures = models.JSONField(default=dict)  # outcome measure -> 1..5; equality question -> category

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="governance_fact_unique")]
        indexes = [
            models.Index(fields=["organisation", "on", "kind"], name="governance_fact_period"),
            # Covers every grouped count of a return (governance/returns.py), so a year of 100 000 referrals is read
            # from the index in order rather than row by row from the table.
            models.Index(
                fields=[
                    "organisation",
                    "kind",
                    "on",
                    "source",
                    "risk",
                    "accepted",
                    "repeat",
                    "interpreter",
                    "attempt_in_time",
                    "contact_in_time",
                    "wait_days",
                    "sub",
                ],
                name="governance_fact_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"fact {self.kind} {self.on}"


class ClosureState(models.TextChoices):
    WAITING = "waiting", "Waiting for approval"
    CLOSED = "closed", "Closed"
    REFUSED = "refused", "Approval refused"
    REOPENED = "reopened", "Reopened"


class Closure(models.Model):
    """One closure of a client record, with its checklist; a reopening is recorded on it, so history stays."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="closures")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=ClosureState.choices)
    needs_met = models.BooleanField(default=False)  # needs met or referred on
    safety_plan_reviewed = models.BooleanField(default=False)
    safeguarding_closed = models.BooleanField(default=False)
    told_can_return = models.BooleanField(default=False)
    exit_measures_taken = models.BooleanField(default=False)
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    reason_enc = models.TextField(blank=True)
    no_measures_reason_enc = models.TextField(blank=True)
    decision_note_enc = models.TextField(blank=True)
    reopen_reason_enc = models.TextField(blank=True)

    reason = Sealed("reason_enc")  # why support ends, in words
    no_measures_reason = Sealed("no_measures_reason_enc")
    decision_note = Sealed("decision_note_enc")
    reopen_reason = Sealed("reopen_reason_enc")

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"closure {self.pk} ({self.state})"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()


class LegalHold(models.Model):
    """While a hold stands, nothing of the client is deleted (litigation, an inquest, a review, a police request)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="legal_holds")
    placed_at = models.DateTimeField()
    placed_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason_enc = models.TextField()

    reason = Sealed("reason_enc")

    class Meta:
        ordering = ["-placed_at"]

    def __str__(self) -> str:
        return f"legal hold {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()


class RequestKind(models.TextChoices):
    SUBJECT_ACCESS = "sar", "Subject access request"
    ERASURE = "erasure", "Erasure request"
    DISCLOSURE = "disclosure", "Disclosure request (police or CPS)"


class Decision(models.TextChoices):
    GRANTED = "granted", "Granted in full"
    PARTLY = "partly", "Granted in part (redacted or some withheld)"
    REFUSED = "refused", "Refused"


class RecordsRequest(models.Model):
    """A records-law request about one client, and the answer given. The sealed text is cleared if the client's
    record is later deleted; that the request was made and how it was decided stays."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, null=True, on_delete=models.SET_NULL, related_name="records_requests")
    client_reference = models.CharField(max_length=16)
    kind = models.CharField(max_length=12, choices=RequestKind.choices)
    received_on = models.DateField()
    due_on = models.DateField()
    logged_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    person_told_on = models.DateField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    requester_enc = models.TextField(blank=True)
    answer_enc = models.TextField(blank=True)

    requester = Sealed("requester_enc")  # the person, or the force/CPS and officer, and what is asked for
    answer = Sealed("answer_enc")  # the answer given and why (exemptions relied on)

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} request {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        assert self.client is not None
        return self.client.get_cipher()


class FeedbackKind(models.TextChoices):
    COMPLAINT = "complaint", "Complaint"
    COMPLIMENT = "compliment", "Compliment"


class FeedbackOutcome(models.TextChoices):
    OPEN = "open", "Not yet answered"
    UPHELD = "upheld", "Upheld"
    PARTLY = "partly", "Partly upheld"
    NOT_UPHELD = "not_upheld", "Not upheld"
    WITHDRAWN = "withdrawn", "Withdrawn"
    THANKED = "thanked", "Passed on and thanked"


class Feedback(models.Model):
    """A complaint or compliment from a client, with its outcome."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, null=True, on_delete=models.SET_NULL, related_name="feedback")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    received_on = models.DateField()
    logged_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=10, choices=FeedbackOutcome.choices, default=FeedbackOutcome.OPEN)
    outcome_on = models.DateField(null=True, blank=True)

    summary_enc = models.TextField(blank=True)
    response_enc = models.TextField(blank=True)

    summary = Sealed("summary_enc")
    response = Sealed("response_enc")

    class Meta:
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        assert self.client is not None
        return self.client.get_cipher()


class Deletion(models.Model):
    """That a client's record was deleted at the end of its retention: when, by whom, under which rule and how
    many rows. No content: the reference is the record's number, which points at nothing any more."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    reference = models.CharField(max_length=16)
    record_type = models.CharField(max_length=20)
    closed_on = models.DateField(null=True)
    deleted_at = models.DateTimeField()
    deleted_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    rows_removed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-deleted_at"]

    def __str__(self) -> str:
        return f"deletion of {self.reference}"


class VictimsCodeRight(models.IntegerChoices):
    """The 12 rights of the Code of Practice for Victims of Crime in England and Wales (in force 1 April 2021), in
    the Code's order and words (as listed by e.g. West Midlands Police and the Hampshire PCC's summaries)."""

    UNDERSTAND = 1, "Right 1: to be able to understand and to be understood"
    RECORDED = 2, "Right 2: to have the details of the crime recorded without unjustified delay"
    REPORTING = 3, "Right 3: to be provided with information when reporting the crime"
    REFERRED = 4, "Right 4: to be referred to services that support victims and have services and support tailored to your needs"
    COMPENSATION = 5, "Right 5: to be provided with information about compensation"
    INVESTIGATION = 6, "Right 6: to be provided with information about the investigation and prosecution"
    VPS = 7, "Right 7: to make a Victim Personal Statement"
    TRIAL = 8, "Right 8: to be given information about the trial, trial process and your role as a witness"
    OUTCOME = 9, "Right 9: to be given information about the outcome of the case and any appeals"
    EXPENSES = 10, "Right 10: to be paid expenses and have property returned"
    OFFENDER = 11, "Right 11: to be given information about the offender following a conviction"
    COMPLAINT = 12, "Right 12: to make a complaint about your rights not being met"


class RightDelivered(models.Model):
    """That the service gave a client the information or support of one Victims' Code right, and when. Which
    rights are the service's to deliver is the caseworker's judgement; the return counts what was recorded."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="rights_delivered")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    right = models.PositiveSmallIntegerField(choices=VictimsCodeRight.choices)
    delivered_on = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-delivered_on", "right", "-pk"]

    def __str__(self) -> str:
        return f"right {self.right} delivered {self.delivered_on}"


class EqualityMonitoring(models.Model):
    """A client's optional equality monitoring answers (governance/equality.py), sealed with the client's key.
    Recorded by staff on its own page and never shown on the client's record; the return counts categories."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="equality")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recorded_on = models.DateField()  # first recorded: the day the return counts it on
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    answers_enc = models.TextField(blank=True)

    answers = Sealed("answers_enc", json=True)  # question -> answer code; unanswered questions absent

    def __str__(self) -> str:
        return f"equality monitoring {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()
