"""A case: one person harassing the account holder, with what is known about them,
crime reference numbers and orders in force. Personal text is sealed with the case's data key."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from chain.refs import GENESIS
from kernel import crypto
from kernel.sealed import Sealed
from kernel.words import day_text

RELATIONSHIPS = [
    ("ex_partner", "Ex-partner"),
    ("partner", "Partner"),
    ("family", "Family member"),
    ("acquaintance", "Acquaintance"),
    ("colleague", "Colleague or ex-colleague"),
    ("neighbour", "Neighbour"),
    ("stranger", "Stranger"),
    ("unknown", "I do not know who it is"),
    ("other", "Other"),
]

ORDER_TYPES = [
    ("restraining", "Restraining order"),
    ("spo", "Stalking Protection Order"),
    ("interim_spo", "Interim Stalking Protection Order"),
    ("non_molestation", "Non-molestation order"),
    ("injunction", "Injunction"),
    ("bail", "Bail conditions"),
    ("other", "Other order"),
]


class Case(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cases")
    is_sample = models.BooleanField(default=False)
    # Blank until the person answers: "I do not know who it is" is an answer, never a default.
    relationship = models.CharField(max_length=20, choices=RELATIONSHIPS, blank=True, default="")
    started_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The case's data key, wrapped by the master key (see daybook/crypto.py).
    wrapped_key = models.BinaryField()
    key_id = models.CharField(max_length=16)
    # The head of the case's hash chain (see chain/services.py); kept here to detect truncation.
    chain_seq = models.PositiveIntegerField(default=0)
    chain_head = models.CharField(max_length=64, default=GENESIS)
    incident_seq = models.PositiveIntegerField(default=0)

    label_enc = models.TextField(blank=True)
    suspect_name_enc = models.TextField(blank=True)
    suspect_aliases_enc = models.TextField(blank=True)
    suspect_description_enc = models.TextField(blank=True)
    suspect_addresses_enc = models.TextField(blank=True)
    suspect_vehicles_enc = models.TextField(blank=True)
    suspect_phones_enc = models.TextField(blank=True)
    suspect_accounts_enc = models.TextField(blank=True)
    notes_enc = models.TextField(blank=True)

    label = Sealed("label_enc")
    suspect_name = Sealed("suspect_name_enc")
    suspect_aliases = Sealed("suspect_aliases_enc")
    suspect_description = Sealed("suspect_description_enc")
    suspect_addresses = Sealed("suspect_addresses_enc")
    suspect_vehicles = Sealed("suspect_vehicles_enc")
    suspect_phones = Sealed("suspect_phones_enc")
    suspect_accounts = Sealed("suspect_accounts_enc")
    notes = Sealed("notes_enc")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    def ensure_key(self) -> None:
        if not self.wrapped_key:
            self.wrapped_key = crypto.wrap_key(crypto.new_data_key(), str(self.uuid))
            self.key_id = crypto.master_key_id()

    def get_cipher(self) -> crypto.CaseCipher:
        cipher = self.__dict__.get("_cipher")
        if cipher is None:
            self.ensure_key()
            cipher = crypto.CaseCipher(crypto.unwrap_key(bytes(self.wrapped_key), str(self.uuid)))
            self.__dict__["_cipher"] = cipher
        return cipher

    @property
    def display_label(self) -> str:
        return self.label or f"Case {self.pk}"

    @property
    def relationship_text(self) -> str:
        """Who they are to the person, in their words, or "Not said" when the question was left unanswered."""
        return self.get_relationship_display() or "Not said"


class CaseChild(models.Model):
    """Rows that belong to a case and seal their text with its key."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True

    def get_cipher(self) -> crypto.CaseCipher:
        return self.case.get_cipher()


class CrimeReference(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="crime_references")
    force = models.CharField(max_length=100, blank=True)
    given_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reference_enc = models.TextField()
    officer_enc = models.TextField(blank=True)
    notes_enc = models.TextField(blank=True)

    reference = Sealed("reference_enc")
    officer = Sealed("officer_enc")
    notes = Sealed("notes_enc")

    class Meta:
        ordering = ["given_on", "created_at"]

    def __str__(self) -> str:
        return self.reference


class Order(CaseChild):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="orders")
    order_type = models.CharField(max_length=20, choices=ORDER_TYPES)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    conditions_enc = models.TextField(blank=True)
    court_enc = models.TextField(blank=True)

    conditions = Sealed("conditions_enc")
    court = Sealed("court_enc")

    class Meta:
        ordering = ["starts_on", "created_at"]

    def __str__(self) -> str:
        label = self.get_order_type_display()
        if self.starts_on:
            return f"{label} from {day_text(self.starts_on)}"
        return label
