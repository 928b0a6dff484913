"""The person's own data (issue 17, item 4): an export made in the background, a request to delete the whole
account (with its cooling-off period), a record that a deletion happened (with no content), and the person's
choice of notices (item 5)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Export(models.Model):
    """ "Download all my data": a ZIP made by the worker, sealed in the storage with its own key, expiring."""

    STATUSES = [("queued", "Waiting"), ("running", "Being made"), ("ready", "Ready"), ("failed", "Failed"), ("expired", "Expired")]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # stamped every few seconds while a worker has it (kernel.jobs)
    attempts = models.PositiveSmallIntegerField(default=0)  # runs started; one more after a dead worker
    expires_at = models.DateTimeField(null=True, blank=True)
    problem = models.CharField(max_length=300, blank=True)  # a sentence for the person; nothing personal
    cases = models.PositiveIntegerField(default=0)
    # The sealed ZIP: a random key wrapped by the master key (context "takeout:<uuid>"), the storage name, sizes.
    wrapped_key = models.BinaryField(blank=True, default=b"")
    file_name = models.CharField(max_length=255, blank=True)
    size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"export {self.uuid} ({self.status})"


class AccountDeletion(models.Model):
    """A request to delete the whole account, carried out after the cooling-off period unless cancelled."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["cancelled_at", "due_at"], name="takeout_deletion_due")]

    def __str__(self) -> str:
        return f"account deletion for user {self.owner_id}"


class Deletion(models.Model):
    """That a deletion happened, and nothing of what was deleted: no text, no names, no counts of incidents."""

    KINDS = [("case", "A case"), ("account", "The whole account")]

    kind = models.CharField(max_length=10, choices=KINDS)
    user_id_was = models.BigIntegerField(db_index=True)  # the account's id; the account itself may be gone
    case_id_was = models.BigIntegerField(null=True, blank=True)
    case_uuid_was = models.UUIDField(null=True, blank=True)
    requested_at = models.DateTimeField()
    keys_destroyed_at = models.DateTimeField(null=True, blank=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"deletion of {self.kind}"


class NoticeChoice(models.Model):
    """Whether the person wants neutral notices at all, and in which words (issue 17, item 5). No row: none."""

    WORDINGS = [
        ("none", "No notices at all"),
        ("account", "There is something new in your account."),
        ("reminder", "A reminder: please sign in when you can."),
        ("update", "You have an update waiting."),
    ]

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    wording = models.CharField(max_length=10, choices=WORDINGS, default="none")
    subject = models.CharField(max_length=60, blank=True, default="")
    changed_at = models.DateTimeField(default=timezone.now)
    last_sent_at = models.DateTimeField(null=True, blank=True)  # at most one notice in NOTICE_GAP (circle/notices.py)

    def __str__(self) -> str:
        return f"notices for user {self.owner_id}: {self.wording}"


class Load(models.Model):
    """An export being loaded by the worker: the uploaded ZIP sealed with its own key until it is loaded, then
    removed; the outcome (case uuids) or the problems (sentences) kept for the person to read."""

    STATUSES = [("queued", "Waiting"), ("running", "Being checked and loaded"), ("done", "Loaded"), ("refused", "Refused"), ("failed", "Failed")]

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=STATUSES, default="queued")
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)  # stamped every few seconds while a worker has it (kernel.jobs)
    attempts = models.PositiveSmallIntegerField(default=0)  # runs started; one more after a dead worker
    wrapped_key = models.BinaryField(blank=True, default=b"")
    file_name = models.CharField(max_length=255, blank=True)
    loaded = models.JSONField(default=list)  # case uuids loaded
    already = models.JSONField(default=list)  # case uuids already here
    problems = models.JSONField(default=list)  # sentences naming what is wrong

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"load {self.uuid} ({self.status})"
