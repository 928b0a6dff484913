"""manage.py carry_out_deletions: delete the accounts whose cooling-off period has ended (keys first), and remove
exports past their time. Run by the worker loop in scripts/run.sh every hour; safe to run at any time."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from takeout import deletion, services


class Command(BaseCommand):
    help = "Carry out account deletions that are due, and remove expired exports."

    def handle(self, *args: Any, **options: Any) -> None:
        done = deletion.carry_out_due()
        expired = services.sweep_expired()
        self.stdout.write(f"{done} account deletion(s) carried out, {expired} expired export(s) removed")
