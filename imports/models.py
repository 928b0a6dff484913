"""Imports of message and call-log exports.

* An ``Import`` is one run over one export exhibit: the detected format, the participants found (sealed), the
  person's choices (the suspect's senders, sealed; a date range; the time zone), progress and the result.
* An ``ImportedItem`` is one message or call from the export: sender, recipients and text sealed with the case
  key; its instant (UTC) and local day in clear so the timeline and the findings can count without decrypting;
  its position in the export; a stable ``identity`` (a keyed HMAC, see ``imports.identity``) that is unique per
  case, so importing the same or an overlapping export again never stores a message twice.
* An ``ImportDay`` is the diary incident that stands for the suspect's contact on one local day on one channel.
* An ``ImportedMedia`` row links an item to the exhibit made from a file attached to it (WhatsApp .zip).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cases.models import Case, CaseChild
from diary.models import Incident
from evidence.models import Exhibit
from kernel.sealed import Sealed

STATUSES = [
    ("scanning", "Reading the file"),
    ("ready", "Waiting for your choices"),
    ("queued", "Waiting to start"),
    ("running", "Importing"),
    ("done", "Imported"),
    ("failed", "Could not be imported"),
    ("undone", "Undone"),
]
ACTIVE = ("scanning", "queued", "running")


class Import(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="imports")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="imports")
    status = models.CharField(max_length=10, choices=STATUSES, default="scanning")
    phase = models.CharField(max_length=10, blank=True)  # "scan" or "import": where a failure happened
    format = models.CharField(max_length=20, blank=True)
    format_label = models.CharField(max_length=80, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # stamped every few seconds while a worker scans or imports
    attempts = models.PositiveSmallIntegerField(default=0)  # runs of the current phase; one more after a dead worker
    undone_at = models.DateTimeField(null=True, blank=True)

    # The person's choices.
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")

    # Progress and result (counts only: nothing personal).
    records_total = models.PositiveIntegerField(default=0)  # from the scan
    records_read = models.PositiveIntegerField(default=0)
    stats = models.JSONField(default=dict)

    participants_enc = models.TextField(blank=True)  # [{"name", "messages", "calls", "first", "last"}]
    suspects_enc = models.TextField(blank=True)  # ["name", ...]
    warnings_enc = models.TextField(blank=True)  # ["sentence (where)", ...]
    error_enc = models.TextField(blank=True)

    participants = Sealed("participants_enc", json=True)
    suspects = Sealed("suspects_enc", json=True)
    warnings = Sealed("warnings_enc", json=True)
    error = Sealed("error_enc")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} of exhibit {self.exhibit_id}: {self.status}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def percent(self) -> int:
        if not self.records_total:
            return 0
        return min(99, int(100 * self.records_read / self.records_total))


class ImportDay(models.Model):
    """The incident that stands for the suspect's contact on one local day on one diary channel."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    channel = models.CharField(max_length=16)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="+")
    created_by_import = models.ForeignKey(Import, null=True, on_delete=models.SET_NULL, related_name="days_created")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "day", "channel"], name="importday_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}: incident {self.incident_id}"


class ImportedItem(models.Model):
    KINDS = [("message", "Message"), ("call", "Call")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="items")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="+")
    identity = models.CharField(max_length=32)  # keyed HMAC: see imports.identity
    kind = models.CharField(max_length=8, choices=KINDS)
    source = models.CharField(max_length=20)  # the export's channel: whatsapp, sms, mms, phone...
    channel = models.CharField(max_length=16)  # the diary channel: messaging_app, text, phone_call...
    at = models.DateTimeField()  # the instant (UTC)
    local_day = models.DateField()  # the day on the export's wall clock (in the confirmed zone)
    local_minute = models.PositiveSmallIntegerField()  # minutes since local midnight
    seq = models.PositiveIntegerField()  # order in the export (0, 1, 2...)
    position = models.CharField(max_length=60, blank=True)  # where in the export: "line 1234", "sms 56"
    suspect = models.BooleanField(default=False)
    direction = models.CharField(max_length=3, blank=True)
    call_seconds = models.PositiveIntegerField(null=True, blank=True)
    call_kind = models.CharField(max_length=12, blank=True)
    attachments = models.PositiveSmallIntegerField(default=0)
    # Flags (see imports.flags): threat categories found, night-time, part of a burst.
    threats = models.CharField(max_length=120, blank=True)  # space-separated category codes
    night = models.BooleanField(default=False)
    burst = models.BooleanField(default=False)

    sender_enc = models.TextField(blank=True)
    recipients_enc = models.TextField(blank=True)
    text_enc = models.TextField(blank=True)

    sender = Sealed("sender_enc")
    recipients = Sealed("recipients_enc", json=True)
    text = Sealed("text_enc")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "identity"], name="importeditem_identity")]
        indexes = [
            models.Index(fields=["case", "local_day", "channel", "at"], name="importeditem_day"),
            models.Index(fields=["case", "suspect", "at"], name="importeditem_suspect"),
            models.Index(fields=["job", "seq"], name="importeditem_job"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.pk} ({self.position})"

    def get_cipher(self):  # noqa: ANN201
        return self.case.get_cipher()


class ImportedMedia(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    # DO_NOTHING: media rows are deleted first (imports.services.store.delete_items), so that items can be deleted in one
    # statement, without Django loading every item to cascade.
    item = models.ForeignKey(ImportedItem, on_delete=models.DO_NOTHING, related_name="media")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=255)  # safe display name of the attached file

    def __str__(self) -> str:
        return f"{self.name} -> exhibit {self.exhibit_id}"
