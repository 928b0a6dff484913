"""Incidents, their append-only versions, their week counts and search tokens, and the integrity checks.

An ``Incident`` row holds the current state (for listing and filtering); every change also writes an
``IncidentVersion`` (never updated) and a chain entry (chain.models.ChainEntry, never updated). See docs/ARCHITECTURE.md.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models import Case, CrimeReference, Order
from diary import taxonomy
from kernel import crypto
from kernel.sealed import Sealed


class Incident(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="incidents")
    number = models.PositiveIntegerField()  # 1, 2, 3... within the case
    occurred_at = models.DateTimeField()
    time_precision = models.CharField(max_length=8, choices=taxonomy.TIME_PRECISIONS, default="exact")
    ended_at = models.DateTimeField(null=True, blank=True)
    location_kind = models.CharField(max_length=10, choices=taxonomy.LOCATION_KINDS, blank=True)
    channel = models.CharField(max_length=16, choices=taxonomy.CHANNELS, blank=True)
    how_many = models.PositiveIntegerField(null=True, blank=True)
    behaviours = models.CharField(max_length=600, blank=True)  # space-separated codes, for display
    reported = models.BooleanField(null=True, default=None)  # None: not said (never asked or not answered)
    reported_on = models.DateField(null=True, blank=True)
    crime_reference = models.ForeignKey(CrimeReference, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    breached_order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    felt_in_danger = models.BooleanField(null=True, default=None)  # None: not said
    needs_detail = models.BooleanField(default=False)  # a quick entry not yet completed
    retracted = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    description_enc = models.TextField(blank=True)
    location_enc = models.TextField(blank=True)
    witnesses_enc = models.TextField(blank=True)
    feelings_enc = models.TextField(blank=True)
    impact_enc = models.TextField(blank=True)
    report_how_enc = models.TextField(blank=True)
    report_officer_enc = models.TextField(blank=True)
    notes_enc = models.TextField(blank=True)
    retraction_reason_enc = models.TextField(blank=True)

    description = Sealed("description_enc")
    location = Sealed("location_enc")
    witnesses = Sealed("witnesses_enc", json=True)
    feelings = Sealed("feelings_enc")
    impact = Sealed("impact_enc")
    report_how = Sealed("report_how_enc")
    report_officer = Sealed("report_officer_enc")
    notes = Sealed("notes_enc")
    retraction_reason = Sealed("retraction_reason_enc")

    # The form's one-time key: a note sent twice (a retry on a bad connection, a double tap) is saved once.
    submission = models.CharField(max_length=40, blank=True, default="", editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="incident_number_unique"),
            models.UniqueConstraint(fields=["case", "submission"], condition=~models.Q(submission=""), name="incident_submission_once"),
        ]
        indexes = [
            models.Index(fields=["case", "occurred_at", "id"], name="incident_timeline"),
            # Partial index matching selectors.needing_detail exactly, so the count stays flat at 100 000 incidents.
            models.Index(fields=["case"], condition=models.Q(needs_detail=True, retracted=False), name="incident_needs_detail"),
        ]

    def __str__(self) -> str:
        return f"Incident {self.number}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.case.get_cipher()

    @property
    def behaviour_codes(self) -> list[str]:
        return [c for c in self.behaviours.split() if c]

    @property
    def behaviour_labels(self) -> list[str]:
        return [taxonomy.label(c) for c in self.behaviour_codes]


class IncidentBehaviour(models.Model):
    """One row per behaviour of an incident's current version: lets the timeline filter by behaviour."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="behaviour_rows")
    code = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["case", "code", "incident"], name="behaviour_filter")]

    def __str__(self) -> str:
        return self.code


class SearchToken(models.Model):
    """Blind index of the words in an incident's current text (keyed per case; see daybook/crypto.py)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="search_tokens")
    token = models.CharField(max_length=32)

    class Meta:
        indexes = [models.Index(fields=["case", "token", "incident"], name="search_token")]

    def __str__(self) -> str:
        return f"token for incident {self.incident_id}"


class WeekCount(models.Model):
    """Incidents per week (Monday) for a case, kept up to date on every write so the
    timeline's weekly counts cost the same at 100 000 incidents as at 100."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="week_counts")
    week = models.DateField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "week"], name="weekcount_unique")]

    def __str__(self) -> str:
        return f"{self.week}: {self.count}"


class IncidentVersion(models.Model):
    ACTIONS = [("created", "Recorded"), ("edited", "Edited"), ("completed", "Details added"), ("retracted", "Retracted")]

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=ACTIONS)
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_fields = models.JSONField(default=list)  # field names only, never values
    snapshot_enc = models.TextField()  # the canonical JSON payload, sealed
    payload_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["version"]
        constraints = [models.UniqueConstraint(fields=["incident", "version"], name="version_unique")]

    def __str__(self) -> str:
        return f"{self.incident} v{self.version}"


class IntegrityCheck(models.Model):
    """One run of the chain and file verification, done by the background worker for large cases."""

    STATUSES = [("queued", "Waiting to start"), ("running", "Checking"), ("done", "Done"), ("failed", "Could not finish")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="integrity_checks")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # stamped every few seconds while a worker checks
    attempts = models.PositiveSmallIntegerField(default=0)  # runs started; one more is allowed after a dead worker
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    ok = models.BooleanField(null=True)
    result = models.JSONField(default=dict)  # hashes, counts, exhibit references and problems: nothing personal

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"check of case {self.case_id}: {self.status}"
