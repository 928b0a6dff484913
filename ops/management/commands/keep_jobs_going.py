"""manage.py keep_jobs_going: start again (or fail with a sentence) every background job whose worker died or whose
queue entry was lost, as the jobs' own pages do (ops/liveness.py). Every 5 minutes from the one scheduler
(scripts/run.sh; docs/DEPLOY.md); safe to run at any time and on any machine."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ops.liveness import keep_all_going


class Command(BaseCommand):
    help = "Start again every background job whose worker died or whose queue entry was lost."

    def handle(self, *args: Any, **options: Any) -> None:
        done = keep_all_going()
        said = ", ".join(f"{kind} {n}" for kind, n in sorted(done.items()) if n) or "nothing"
        self.stdout.write(f"started again or failed: {said}")
