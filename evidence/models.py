"""The evidence locker: exhibits (files and physical items), their sealed blobs, their history, their links
to incidents, and the upload sessions that bring files in.

* A ``Blob`` is one sealed (encrypted, segmented) file in the storage: an original or a derived preview.
  An original is never modified once complete.
* An ``Exhibit`` is what the person sees: a reference like "JB/1", what it is, when, where and by whom it
  was obtained, and either a file (original blob, name, size, sniffed type, SHA-256, extracted facts) or a
  physical item (received, how it arrived, where it is kept). Personal text is sealed with the case's key.
* An ``ExhibitEvent`` is one entry of an exhibit's history (sealed, edited, linked, handed over, moved...),
  never changed, each with a canonical snapshot whose hash enters the case's chain.
* An ``UploadSession`` with its ``UploadPart`` rows is a resumable upload: its original ``Blob`` exists from the
  start, and each part is a chunk of the file sealed as it arrived straight into its place in that blob
  (vault/parts.py). Finishing completes the blob, reads it back for the SHA-256 and makes the exhibit.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cases.models import Case, CaseChild
from diary.models import Incident
from evidence import sniff
from kernel import crypto
from kernel.sealed import Sealed


class Blob(models.Model):
    PURPOSES = [("original", "Original"), ("preview", "Preview")]
    STATUSES = [("writing", "Being written"), ("complete", "Complete")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(max_length=10, choices=PURPOSES)
    status = models.CharField(max_length=10, choices=STATUSES, default="writing")
    name = models.CharField(max_length=255)  # the storage name
    size = models.BigIntegerField(default=0)  # plaintext bytes
    stored_size = models.BigIntegerField(default=0)  # bytes in the storage (header + segments + tags)
    segment_size = models.PositiveIntegerField(default=0)
    # SHA-256 of the stored (encrypted) bytes, from reading the blob back after it was written: lets the
    # storage be checked without any key.
    stored_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # The latest full check (decrypt and re-hash).
    checked_at = models.DateTimeField(null=True, blank=True)
    check_ok = models.BooleanField(null=True)
    check_problem = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="blob_status")]

    def __str__(self) -> str:
        return f"{self.purpose} blob {self.uuid}"


KINDS = [("file", "File"), ("physical", "Physical item")]
CUSTODY = [("me", "With me"), ("police", "With the police"), ("other", "Somewhere else")]
PREVIEW_STATES = [("pending", "Being made"), ("ready", "Ready"), ("none", "No preview for this type"), ("failed", "Could not be made")]


class Exhibit(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="exhibits")
    number = models.PositiveIntegerField()  # 1, 2, 3... within the case; never changes
    kind = models.CharField(max_length=10, choices=KINDS, default="file")
    # A blind index of the reference (HMAC under the case key) so it can be unique per case while sealed.
    reference_token = models.CharField(max_length=32)
    obtained_on = models.DateField(null=True, blank=True)
    obtained_time = models.TimeField(null=True, blank=True)
    custody = models.CharField(max_length=10, choices=CUSTODY, default="me")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)  # the number of its latest event

    # A file
    original = models.OneToOneField(Blob, null=True, blank=True, on_delete=models.PROTECT, related_name="original_of")
    size = models.BigIntegerField(null=True, blank=True)
    media_type = models.CharField(max_length=120, blank=True)  # sniffed from the content
    # A keyed hash of the SHA-256 (HMAC under the case key): finds duplicates in a case without storing
    # the file's fingerprint in the clear (which would let someone holding the database confirm a file).
    dedupe_token = models.CharField(max_length=32, blank=True)
    preview = models.OneToOneField(Blob, null=True, blank=True, on_delete=models.SET_NULL, related_name="preview_of")
    preview_status = models.CharField(max_length=10, choices=PREVIEW_STATES, default="none")
    preview_note = models.CharField(max_length=200, blank=True)
    # A physical item
    received_on = models.DateField(null=True, blank=True)
    photo_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="photos")

    incidents = models.ManyToManyField(Incident, through="ExhibitLink", related_name="exhibits")

    reference_enc = models.TextField()
    description_enc = models.TextField(blank=True)
    obtained_where_enc = models.TextField(blank=True)
    obtained_by_enc = models.TextField(blank=True)
    original_name_enc = models.TextField(blank=True)
    sha256_enc = models.TextField(blank=True)
    facts_enc = models.TextField(blank=True)
    content_notes_enc = models.TextField(blank=True)
    arrived_how_enc = models.TextField(blank=True)
    kept_where_enc = models.TextField(blank=True)

    reference = Sealed("reference_enc")
    description = Sealed("description_enc")
    obtained_where = Sealed("obtained_where_enc")
    obtained_by = Sealed("obtained_by_enc")
    original_name = Sealed("original_name_enc")
    sha256 = Sealed("sha256_enc")
    facts = Sealed("facts_enc", json=True)
    content_notes = Sealed("content_notes_enc", json=True)
    arrived_how = Sealed("arrived_how_enc")
    kept_where = Sealed("kept_where_enc")

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="exhibit_number_unique"),
            models.UniqueConstraint(fields=["case", "reference_token"], name="exhibit_reference_unique"),
        ]
        indexes = [models.Index(fields=["case", "dedupe_token"], name="exhibit_dedupe")]

    def __str__(self) -> str:
        return f"Exhibit {self.number}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.case.get_cipher()

    @property
    def is_file(self) -> bool:
        return self.kind == "file"

    @property
    def type_label(self) -> str:
        return type_label(self.media_type)

    @property
    def family(self) -> str:
        return family(self.media_type)

    @property
    def playable(self) -> bool:
        return self.media_type in sniff.PLAYABLE


def _all_kinds() -> dict[str, sniff.Kind]:
    kinds: dict[str, sniff.Kind] = {}
    for value in vars(sniff).values():
        if isinstance(value, sniff.Kind):
            kinds.setdefault(value.media_type, value)
    return kinds


_KINDS = _all_kinds()


def type_label(media_type: str) -> str:
    kind = _KINDS.get(media_type)
    return kind.label if kind else (media_type or "Unknown type")


def family(media_type: str) -> str:
    kind = _KINDS.get(media_type)
    return kind.family if kind else "other"


class ExhibitLink(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="links")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="exhibit_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["exhibit", "incident"], name="exhibit_link_unique")]

    def __str__(self) -> str:
        return f"{self.exhibit} - {self.incident}"


EVENT_ACTIONS = [
    ("sealed", "Added and sealed"),
    ("edited", "Details changed"),
    ("linked", "Linked to incidents"),
    ("handed_over", "Handed over"),
    ("moved", "Moved"),
    ("returned", "Returned"),
    ("other", "Other"),
]
CONTINUITY_ACTIONS = ["handed_over", "moved", "returned", "other"]


class ExhibitEvent(models.Model):
    """One entry in an exhibit's history. Never updated; its canonical snapshot is sealed and chained."""

    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=12, choices=EVENT_ACTIONS)
    happened_on = models.DateField(null=True, blank=True)  # for hand-overs and moves: the day it happened
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_fields = models.JSONField(default=list)  # field names only, never values
    snapshot_enc = models.TextField()
    payload_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["exhibit", "seq"], name="exhibit_event_unique")]

    def __str__(self) -> str:
        return f"{self.exhibit} e{self.seq}"


class UploadSession(models.Model):
    STATUSES = [("open", "Receiving"), ("complete", "Finished"), ("discarded", "Discarded")]

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=STATUSES, default="open")
    size = models.BigIntegerField()  # declared by the client; every byte beyond it is refused
    received = models.BigIntegerField(default=0)  # committed bytes: the offset to resume from
    parts = models.PositiveIntegerField(default=0)
    exhibit = models.ForeignKey(Exhibit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The sealed original being written in parts, its header (hex: the salt and nonce prefix every part is sealed
    # with) and the storage's state for it (an S3 multipart upload id). Uploads begun before blobs were written in
    # parts have none (migration 0002 discarded those still open).
    blob = models.ForeignKey(Blob, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    header = models.CharField(max_length=96, blank=True)
    store_state = models.CharField(max_length=1024, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Sealed: {"name", "last_modified", "incident", "photo_of"}
    meta_enc = models.TextField(blank=True)

    meta = Sealed("meta_enc", json=True)

    class Meta:
        indexes = [models.Index(fields=["case", "status"], name="upload_open"), models.Index(fields=["status", "updated_at"], name="upload_stale")]

    def __str__(self) -> str:
        return f"upload {self.uuid}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.case.get_cipher()

    @property
    def name(self) -> str:
        return (self.meta or {}).get("name", "") if isinstance(self.meta, dict) else ""

    @property
    def percent(self) -> int:
        return int(self.received * 100 // self.size) if self.size else 0


class UploadPart(models.Model):
    upload = models.ForeignKey(UploadSession, on_delete=models.CASCADE, related_name="part_rows")
    index = models.PositiveIntegerField()
    offset = models.BigIntegerField()
    length = models.PositiveIntegerField()
    name = models.CharField(max_length=255, blank=True)  # the part's token: an S3 ETag, a part object's name, or ""

    class Meta:
        ordering = ["index"]
        constraints = [models.UniqueConstraint(fields=["upload", "index"], name="upload_part_unique")]

    def __str__(self) -> str:
        return f"{self.upload} part {self.index}"
