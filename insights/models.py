"""Risk screenings (dated, kept, answers against question IDs) and licensed instrument wording.

A screening is never changed: a new one is made each time, so change over time shows. The answers
(yes / no / don't know against question IDs, like the diary's flags) are kept in clear so they can
be compared; everything the person writes (per-question notes, overall context) and the findings
snapshot are sealed with the case's data key.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from cases.models import Case
from kernel import crypto
from kernel.sealed import Sealed

ANSWERS = [("yes", "Yes"), ("no", "No"), ("unknown", "I don't know")]


class Screening(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    instrument = models.CharField(max_length=40)  # the instrument file's id, e.g. "daybook-indicators"
    instrument_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answers = models.JSONField(default=dict)  # {question id: "yes" | "no" | "unknown"}
    suggested = models.JSONField(default=dict)  # {question id: "yes" | "no" | None}: what the diary suggested then
    incidents = models.PositiveIntegerField(default=0)  # incidents in the diary at the time (not retracted)
    combinations = models.JSONField(default=list)  # keys of the highest-risk combinations named at the time
    details_enc = models.TextField(blank=True)  # sealed JSON: {"notes": {qid: text}, "context": text, "findings": [...]}

    details = Sealed("details_enc", json=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "instrument", "-created_at"], name="screening_case_instrument")]

    def __str__(self) -> str:
        return f"Screening {self.uuid} ({self.instrument})"

    def get_cipher(self) -> crypto.CaseCipher:
        return self.case.get_cipher()

    @property
    def notes(self) -> dict[str, str]:
        return dict((self.details or {}).get("notes") or {}) if isinstance(self.details, dict) else {}

    @property
    def context(self) -> str:
        return str((self.details or {}).get("context") or "") if isinstance(self.details, dict) else ""

    @property
    def findings(self) -> list[dict[str, str]]:
        return list((self.details or {}).get("findings") or []) if isinstance(self.details, dict) else []


class InstrumentWording(models.Model):
    """Official question wording an organisation is licensed to show, loaded by
    ``manage.py load_instrument_wording FILE``. Daybook itself never ships it."""

    instrument = models.CharField(max_length=40)
    question_id = models.CharField(max_length=40)
    text = models.TextField()
    help = models.TextField(blank=True)
    licence = models.CharField(max_length=300, help_text="Who gave permission to show this wording, and when.")
    loaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["instrument", "question_id"]
        constraints = [models.UniqueConstraint(fields=["instrument", "question_id"], name="wording_unique")]

    def __str__(self) -> str:
        return f"{self.instrument} {self.question_id}"
