"""Running the integrity check: inline for ordinary cases, in the background worker for large ones.

Small cases (up to ``DAYBOOK_INLINE_VERIFY_ENTRIES`` chain entries) are checked while the page loads. Larger
ones are checked by the django-tasks worker; the page shows progress and the latest finished result. A worker
stamps a heartbeat on the check while it runs; a check silent for a minute is taken for dead (kernel.jobs) and
started once more, then failed with a sentence."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from audit.services import record
from cases.models import Case
from chain import verification
from chain.models import ChainEntry
from diary.models import IntegrityCheck
from kernel import jobs

log = logging.getLogger(__name__)


def inline_limit() -> int:
    return int(getattr(settings, "DAYBOOK_INLINE_VERIFY_ENTRIES", 3000))


def inline_bytes_limit() -> int:
    return int(getattr(settings, "DAYBOOK_INLINE_VERIFY_BYTES", 256 * 1024 * 1024))


def stored_bytes(case: Case) -> int:
    """Plaintext bytes of the case's stored evidence: what a full check has to read back and re-hash."""
    return verification.stored_bytes(case)


def is_large(case: Case) -> bool:
    """Too big to check while the page loads: many chain entries, or much evidence to re-read."""
    return case.chain_seq > inline_limit() or stored_bytes(case) > inline_bytes_limit()


def result_to_json(result: verification.Verification) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "entries": result.entries,
        "head": result.head,
        "checked_at": result.checked_at.isoformat(),
        "problem": result.problem,
        "broken_seq": result.broken_seq,
        "details": list(result.details),
        "not_covered": list(result.not_covered),
        "files_checked": result.files_checked,
        "files": [{"exhibit": {"number": f.exhibit.number, "reference": f.exhibit.reference}, "ok": f.ok, "problem": f.problem} for f in result.files],
    }


def result_from_json(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if data.get("checked_at"):
        out["checked_at"] = dt.datetime.fromisoformat(data["checked_at"])
    return out


@dataclass
class PageState:
    """What the integrity page shows: the latest verdict and exactly what it covered, what was added since, and
    whether a check is under way. ``covered``: the chain entries the verdict checked (1 to covered)."""

    result: dict[str, Any] | None
    check: IntegrityCheck | None  # the latest finished (or failed) check; ``result`` is the latest verdict
    failed: bool
    pending: bool
    large: bool
    covered: int
    unchecked: int  # chain entries added since the verdict
    unchecked_exhibits: list[dict[str, int]] = field(default_factory=list)  # files sealed since: {seq, number}
    started: str = ""  # "inline" or "background" when this page load started a check


def page_state(case: Case, user: Any) -> PageState:
    """Small cases are checked now. A large case whose chain has entries the last verdict did not cover gets a
    background check started by itself (unless the last one failed: the person is asked to try again)."""
    started = ""
    latest = case.integrity_checks.first()
    if latest is not None and not revive_if_dead(latest):
        requeue_if_lost(latest)
    pending = latest is not None and latest.status in {"queued", "running"}
    large = is_large(case)
    if not pending and not large:
        run_now(case, user)
        started = "inline"
    state = _read(case, large)
    if large and not state.pending and state.unchecked and not state.failed:
        request_check(case, user)
        started = "background"
        state = _read(case, large)
    state.started = started
    return state


def _read(case: Case, large: bool) -> PageState:
    case.refresh_from_db(fields=["chain_seq", "chain_head"])
    latest = case.integrity_checks.first()
    pending = latest is not None and latest.status in {"queued", "running"}
    done = case.integrity_checks.filter(status__in=["done", "failed"]).first()
    verdict = done if done is not None and done.status == "done" else case.integrity_checks.filter(status="done").first()
    result = result_from_json(verdict.result) if verdict is not None else None
    covered = int(result.get("entries") or 0) if result else 0
    unchecked = max(0, case.chain_seq - covered)
    new_exhibits = []
    if result and result.get("files_checked") and unchecked:
        # Files sealed after the verdict, from the chain itself (its exhibit.sealed entries past what was covered).
        added = ChainEntry.objects.filter(case=case, seq__gt=covered, kind="exhibit.sealed").order_by("seq").values_list("seq", "ref")
        new_exhibits = [{"seq": seq, "number": int(ref.split("/")[1])} for seq, ref in added]
    return PageState(
        result=result,
        check=done,
        failed=done is not None and done.status == "failed",
        pending=pending,
        large=large,
        covered=covered,
        unchecked=unchecked,
        unchecked_exhibits=new_exhibits,
    )


def run_now(case: Case, user: Any) -> IntegrityCheck:
    """Check a small case while the page loads; the check and its audit row are written together."""
    with transaction.atomic():
        check = IntegrityCheck.objects.create(case=case, requested_by=user, status="running", started_at=timezone.now(), attempts=1)
        _execute(check, case)
        record(user, "case.verified", case, "intact" if check.ok else "broken")
    return check


MAX_ATTEMPTS = 2  # a check whose worker died is started once more, then fails with a sentence
DEAD_PROBLEM = "The check stopped part-way twice because the computer doing it stopped responding."


def revive_if_dead(check: IntegrityCheck, now: dt.datetime | None = None) -> bool:
    """A running check with no heartbeat for a minute: queued once more, or failed with a sentence. True if dead."""
    if check.status != "running" or not jobs.is_dead(check.heartbeat_at, check.started_at, now):
        return False
    seen = IntegrityCheck.objects.filter(pk=check.pk, status="running", attempts=check.attempts, heartbeat_at=check.heartbeat_at)
    if check.attempts < MAX_ATTEMPTS:
        if seen.update(status="queued", heartbeat_at=None, started_at=None):
            pk = check.pk
            transaction.on_commit(lambda: run_integrity_check.enqueue(pk))
    else:
        seen.update(status="failed", finished_at=timezone.now(), result={"problem": DEAD_PROBLEM})
    check.refresh_from_db()
    return True


def requeue_if_lost(check: IntegrityCheck, now: dt.datetime | None = None) -> bool:
    """A check still waiting for a worker long after it was asked for: its job may have been lost (kernel.jobs)."""
    if check.status != "queued":
        return False
    pk = check.pk
    return jobs.requeue_if_lost("integrity-check", pk, check.requested_at, lambda: run_integrity_check.enqueue(pk), now)


def request_check(case: Case, user: Any) -> IntegrityCheck:
    """Queue a check for the worker, unless one is already waiting or running."""
    pending = IntegrityCheck.objects.filter(case=case, status__in=["queued", "running"]).first()
    if pending:
        return pending
    with transaction.atomic():
        check = IntegrityCheck.objects.create(case=case, requested_by=user)
        record(user, "case.verify_requested", case)
    try:
        run_integrity_check.enqueue(check.pk)  # after the commit, so that a worker elsewhere finds the row
    except Exception:  # the queue cannot be reached: the check waits, and its page queues it again (requeue_if_lost)
        log.exception("could not queue integrity check %s", check.pk)
    return check


def _execute(check: IntegrityCheck, case: Case) -> None:
    # Only this run may write the result: a run given up for dead that finishes anyway changes nothing.
    mine = IntegrityCheck.objects.filter(pk=check.pk, status="running", attempts=check.attempts)
    try:
        result = verification.verify(case)
    except Exception as exc:  # the check itself failed (e.g. storage unreachable): say so, never pretend
        mine.update(status="failed", finished_at=timezone.now(), result={"problem": f"The check could not finish: {type(exc).__name__}."})
        raise
    mine.update(status="done", ok=result.ok, finished_at=timezone.now(), result=result_to_json(result))
    check.refresh_from_db()


@task()
def run_integrity_check(check_id: int) -> str:
    check = IntegrityCheck.objects.select_related("case").filter(pk=check_id).first()
    if check is None or check.status != "queued":
        return "gone"  # done, failed, or another run has it (a dead run is queued again by revive_if_dead)
    now = timezone.now()
    attempt = check.attempts + 1
    if not IntegrityCheck.objects.filter(pk=check.pk, status="queued", attempts=check.attempts).update(
        status="running", started_at=now, heartbeat_at=now, attempts=attempt
    ):
        return "gone"  # another run has it
    check.status, check.attempts = "running", attempt
    with jobs.Heartbeat(IntegrityCheck, check.pk, match={"attempts": attempt, "status": "running"}):
        _execute(check, check.case)
    return "done"
