"""What Daybook keeps about sign-in itself: only a count of failed attempts, so the owner can be told."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SignInRecord(models.Model):
    """Failed passphrase attempts on one account since its owner last signed in (a count, never an address)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_record")
    failed_since_last = models.PositiveIntegerField(default=0)
    last_failed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.failed_since_last} failed sign-ins"
