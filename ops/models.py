"""What operations keeps in the database: the background workers' heartbeats (no personal data)."""

from __future__ import annotations

from django.db import models


class WorkerBeat(models.Model):
    """One background worker (host and process) and when it last said it was alive."""

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
