"""Cover, supervision and staff safety (design 3.8): the duty rota, cover grants, handover notes, reallocations,
supervision records, lone-working visits and risk-to-staff markers.

What touches a client (a handover note, a visit's place, a risk-to-staff note) is sealed with the client's own key;
a supervision record's notes with the record's own key wrapped by the organisation key. Staff names, dates and
states are plain: they are who-did-what, not client content.
"""

from __future__ import annotations

import uuid

from django.db import models

from casework.models import Client
from kernel import crypto
from kernel.sealed import Sealed
from organisations import keys
from organisations.models import Membership, Organisation


class DutyDay(models.Model):
    """The duty worker of one organisation on one day: sees every client for that day (logged), takes urgent contact
    and safeguarding, and is told of a missed check-in."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    on = models.DateField()
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="duty_days")
    set_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["on"]
        constraints = [models.UniqueConstraint(fields=["organisation", "on"], name="one_duty_worker_per_organisation_and_day")]

    def __str__(self) -> str:
        return f"duty {self.on}"


class CoverGrant(models.Model):
    """A team lead lets ``covering`` see and work on the clients allocated to ``absent`` between two times."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    covering = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="covers_given")
    absent = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="covered_by")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=300)  # "annual leave", "sick leave": about staff, never client content
    granted_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["covering", "ends_at"])]

    def __str__(self) -> str:
        return f"cover {self.pk}"


class HandoverNote(models.Model):
    """What a colleague needs to know to pick a client up (append-only)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="handover_notes")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    text_enc = models.TextField()

    text = Sealed("text_enc")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"handover note {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()


class Reallocation(models.Model):
    """A team lead moved every open client of a leaving (or long-absent) caseworker in one go."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    leaving = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    moved = models.JSONField(default=list)  # [[client id, membership id], ...]

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"reallocation {self.pk}"


class Supervision(models.Model):
    """A supervision session: a team lead and a caseworker, the cases discussed, notes and agreed actions."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    lead = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="supervisions_held")
    caseworker = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="supervisions")
    held_on = models.DateField()
    cases = models.ManyToManyField(Client, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    wrapped_key = models.BinaryField()
    notes_enc = models.TextField(blank=True)
    actions_enc = models.TextField(blank=True)

    notes = Sealed("notes_enc")
    actions = Sealed("actions_enc", json=True)  # [{"text", "due_on"}]

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"supervision {self.pk}"

    @property
    def key_context(self) -> str:
        return f"supervision:{self.uuid}"

    def get_cipher(self) -> crypto.CaseCipher:
        cipher = self.__dict__.get("_cipher")
        if cipher is None:
            if not self.wrapped_key:
                self.wrapped_key = keys.wrap_under(self.organisation.data_key(), crypto.new_data_key(), self.key_context)
            cipher = crypto.CaseCipher(keys.unwrap_under(self.organisation.data_key(), bytes(self.wrapped_key), self.key_context))
            self.__dict__["_cipher"] = cipher
        return cipher


class VisitKind(models.TextChoices):
    HOME = "home", "Home visit"
    OUTREACH = "outreach", "Meeting somewhere else (court, café, school)"
    OFFICE = "office", "Appointment at the office"


class Visit(models.Model):
    """A lone-working visit: planned, checked in on arrival, checked out when safe. A missed check-in (or check-out)
    escalates to the duty worker and the team leads (cover/visits.py ``check_visits``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="visits")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="visits")
    kind = models.CharField(max_length=10, choices=VisitKind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    planned_by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalation = models.CharField(max_length=12, blank=True)  # "check_in" or "check_out": which was missed
    cancelled_at = models.DateTimeField(null=True, blank=True)
    place_enc = models.TextField(blank=True)

    place = Sealed("place_enc")  # where: the address or the meeting place

    class Meta:
        ordering = ["starts_at"]
        indexes = [models.Index(fields=["organisation", "checked_out_at", "escalated_at", "starts_at"], name="cover_visit_open")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"V-{self.pk:06d}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()


class StaffRiskKind(models.TextChoices):
    DO_NOT_POST = "do_not_post", "Do not post anything to the address"
    SUSPECT_IS_POLICE = "suspect_police", "The suspect is a police officer or has police contacts"
    WEAPONS = "weapons", "Weapons at or near the address"
    DOGS = "dogs", "Dangerous dogs"
    NO_LONE_VISITS = "no_lone_visits", "No lone visits: always two staff"
    SUSPECT_AT_ADDRESS = "suspect_at_address", "The suspect may be at or near the address"
    OTHER = "other", "Another risk to staff (see the note)"


class StaffRisk(models.Model):
    """A risk-to-staff marker on a client: shown as a warning banner on the client's pages. Ending it keeps it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="staff_risks")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=20, choices=StaffRiskKind.choices)
    by = models.ForeignKey(Membership, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note_enc = models.TextField(blank=True)

    note = Sealed("note_enc")

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "ended_at"])]

    def __str__(self) -> str:
        return f"staff risk {self.pk}"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.client.get_cipher()
