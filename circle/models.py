"""The person's circle: shares of a diary with a support service, link codes, trusted contacts and their sightings,
and the service's own kept copies. See docs/ARCHITECTURE.md, "The person's circle"."""

from __future__ import annotations

import uuid

from django.db import models

from cases.models import Case
from kernel.crypto import CaseCipher
from kernel.sealed import Sealed


class EvidenceScope(models.TextChoices):
    NONE = "none", "No evidence"
    DESCRIPTIONS = "descriptions", "Descriptions of the evidence only"
    FILES = "files", "Descriptions and the files"


class ShareOrigin(models.TextChoices):
    ASKED = "asked", "Asked for support from inside Daybook"
    CODE = "code", "A code given by the service"


class Share(models.Model):
    """One case's diary shown to one organisation's client record, within a scope the person chose.

    In force while ``ended_at`` is empty. Narrowing changes the scope in place (every change is an audit row)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="diary_shares")
    client = models.ForeignKey("casework.Client", on_delete=models.CASCADE, related_name="diary_shares")
    origin = models.CharField(max_length=10, choices=ShareOrigin.choices)
    diary = models.BooleanField(default=True)  # the timeline and each incident
    diary_from = models.DateField(null=True, blank=True)  # only incidents from this day on
    evidence = models.CharField(max_length=15, choices=EvidenceScope.choices, default=EvidenceScope.NONE)
    reports = models.BooleanField(default=False)
    screening = models.BooleanField(default=False)  # the screening, the pattern page and its findings
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "ended_at"])]

    def __str__(self) -> str:
        return f"Share {self.pk}"

    @property
    def in_force(self) -> bool:
        return self.ended_at is None


class LinkCode(models.Model):
    """A one-time code a caseworker reads out on a safe call. Only the SHA-256 of the code is stored."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("casework.Client", on_delete=models.CASCADE, related_name="link_codes")
    created_by = models.ForeignKey("organisations.Membership", null=True, on_delete=models.SET_NULL, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    # What the service asks for (the person may give less).
    diary = models.BooleanField(default=True)
    evidence = models.CharField(max_length=15, choices=EvidenceScope.choices, default=EvidenceScope.DESCRIPTIONS)
    reports = models.BooleanField(default=False)
    screening = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    share = models.ForeignKey(Share, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Link code {self.pk}"


class TrustedContact(models.Model):
    """Someone the person asked to add sightings to one case. Only the SHA-256 of the link's secret is stored."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="trusted_contacts")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    name_enc = models.TextField(blank=True)

    name = Sealed("name_enc")  # the name the person chose for them

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Trusted contact {self.pk}"

    def get_cipher(self) -> CaseCipher:
        return self.case.get_cipher()


class PersonPresent(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SURE = "not_sure", "Not sure"


class Sighting(models.Model):
    """What a trusted contact saw, as they recorded it: its own chained entry in the person's case
    (kind ``sighting.recorded``, ref ``sighting/<number>``). Never changed after it is recorded."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sightings")
    contact = models.ForeignKey(TrustedContact, on_delete=models.PROTECT, related_name="sightings")
    number = models.PositiveIntegerField()
    seen_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    person_present = models.CharField(max_length=10, choices=PersonPresent.choices)
    exhibit = models.ForeignKey("evidence.Exhibit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The incident the person made of it or attached it to (a pointer; the incident's own versions hold the account).
    incident = models.ForeignKey("diary.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="sightings")
    payload_sha256 = models.CharField(max_length=64)
    snapshot_enc = models.TextField()
    where_enc = models.TextField(blank=True)
    what_enc = models.TextField(blank=True)

    where = Sealed("where_enc")
    what = Sealed("what_enc")

    class Meta:
        ordering = ["-seen_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="sighting_number_per_case")]

    def __str__(self) -> str:
        return f"Sighting {self.number}"

    def get_cipher(self) -> CaseCipher:
        return self.case.get_cipher()


class KeptCopy(models.Model):
    """The service's own copy of something it relied on in a shared diary, sealed with the client's key.
    It stays after the share ends, recorded as a copy ("copied from the person's diary on ...")."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("casework.Client", on_delete=models.CASCADE, related_name="kept_copies")
    share = models.ForeignKey(Share, null=True, on_delete=models.SET_NULL, related_name="+")
    copied_by = models.ForeignKey("organisations.Membership", null=True, on_delete=models.SET_NULL, related_name="+")
    copied_at = models.DateTimeField(auto_now_add=True)
    what = models.CharField(max_length=100)  # "Incident 12", "Findings of the pattern page"
    reason_enc = models.TextField(blank=True)
    text_enc = models.TextField(blank=True)

    reason = Sealed("reason_enc")  # what the service relied on it for (a MARAC referral, a risk level)
    text = Sealed("text_enc")

    class Meta:
        ordering = ["-copied_at", "-id"]

    def __str__(self) -> str:
        return f"Kept copy {self.pk}"

    def get_cipher(self) -> CaseCipher:
        return self.client.get_cipher()
