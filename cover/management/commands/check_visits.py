"""Escalate missed lone-working check-ins and check-outs (run every few minutes; also run by the duty screen)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cover.visits import check_visits


class Command(BaseCommand):
    help = "Raise a missed_check_in alert for every visit whose check-in or check-out is overdue (once per visit)."

    def handle(self, *args: Any, **options: Any) -> None:
        raised = check_visits()
        self.stdout.write(f"{len(raised)} missed check-in(s) escalated.")
