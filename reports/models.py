"""Reports (the PDF and, optionally, the evidence bundle), their hand-over links and every download through them.

A ``Report`` row is made when the person asks for one; the background worker fills in its files. The files are
kept encrypted with the case key (like evidence) until they expire and are deleted. The options the person chose
(including their own name and contact details) are sealed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from cases.models import Case
from kernel import crypto, discretion
from kernel.sealed import Sealed


class Report(models.Model):
    STATUSES = [
        ("queued", "Waiting to start"),
        ("running", "Being made"),
        ("done", "Ready"),
        ("failed", "Could not be made"),
        ("expired", "Expired and deleted"),
        ("deleted", "Deleted"),
    ]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reports")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    with_bundle = models.BooleanField(default=True)
    with_timestamp = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    stage = models.CharField(max_length=80, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # stamped every few seconds while a worker makes it
    attempts = models.PositiveSmallIntegerField(default=0)  # runs started; one more is allowed after a dead worker
    expires_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=400, blank=True)  # a sentence for the person; nothing personal

    # What was generated (hashes and counts: nothing personal).
    generated_at = models.DateTimeField(null=True, blank=True)
    chain_head = models.CharField(max_length=64, blank=True)
    chain_seq = models.PositiveIntegerField(default=0)
    incidents = models.PositiveIntegerField(default=0)
    exhibits = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    pdf_name = models.CharField(max_length=255, blank=True)  # storage name of the sealed PDF
    pdf_size = models.BigIntegerField(default=0)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    bundle_name = models.CharField(max_length=255, blank=True)  # a stored bundle (reports made before streaming)
    manifest_name = models.CharField(max_length=255, blank=True)  # the sealed manifest: the bundle is streamed from it
    bundle_size = models.BigIntegerField(default=0)
    bundle_sha256 = models.CharField(max_length=64, blank=True)
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    # RFC 3161: the authority's token over the manifest's SHA-256, and what checking it said.
    timestamp_token = models.BinaryField(null=True, blank=True)
    timestamp_time = models.DateTimeField(null=True, blank=True)
    timestamp_authority = models.CharField(max_length=300, blank=True)
    timestamp_problem = models.CharField(max_length=300, blank=True)

    options_enc = models.TextField(blank=True)
    options = Sealed("options_enc", json=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "expires_at"], name="report_expiry")]

    def __str__(self) -> str:
        return f"Report {self.uuid}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.case.get_cipher()

    @property
    def short_id(self) -> str:
        return str(self.uuid)[:8]

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def has_bundle(self) -> bool:
        return bool(self.bundle_name or self.manifest_name)

    @property
    def is_available(self) -> bool:
        return self.status == "done" and (self.expires_at is None or self.expires_at > timezone.now())

    def file_name(self, what: str) -> str:
        stamp = (self.generated_at or self.requested_at).strftime("%Y-%m-%d")
        return f"{discretion.file_prefix()}-report-{stamp}-{self.short_id}.{'pdf' if what == 'pdf' else 'zip'}"


class Handover(models.Model):
    """A time-limited, revocable link the person gives to an officer. Only a hash of its secret is stored."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="handovers")
    token_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    single_use = models.BooleanField(default=False)
    used_up_at = models.DateTimeField(null=True, blank=True)
    recipient_enc = models.TextField(blank=True)  # who it is for, in the person's words ("DC Khan, Kent Police")
    recipient = Sealed("recipient_enc")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Hand-over link {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.report.case.get_cipher()

    def state(self, now: object = None) -> str:
        """ "active", "revoked", "expired" or "used"."""
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.used_up_at:
            return "used"
        if self.expires_at <= now or not self.report.is_available:
            return "expired"
        return "active"


class HandoverDownload(models.Model):
    """One download through a hand-over link, shown to the person."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="downloads")
    at = models.DateTimeField(default=timezone.now)
    what = models.CharField(max_length=10)  # "pdf" or "bundle"
    completed = models.BooleanField(default=False)  # every byte was sent
    client_enc = models.TextField(blank=True)  # IP address and browser, sealed
    client = Sealed("client_enc", json=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"Download {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.handover.report.case.get_cipher()
