"""Running the integrity check: inline for ordinary cases, in the background worker for large ones.

Small cases (up to ``DAYBOOK_INLINE_VERIFY_ENTRIES`` chain entries) are checked while the page loads. Larger
ones are checked by the django-tasks worker; the page shows progress and the latest finished result."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from cases.models import Case
from chain import verification
from diary.models import IntegrityCheck


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
        "files_checked": result.files_checked,
        "files": [{"exhibit": {"number": f.exhibit.number, "reference": f.exhibit.reference}, "ok": f.ok, "problem": f.problem} for f in result.files],
    }


def result_from_json(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if data.get("checked_at"):
        out["checked_at"] = dt.datetime.fromisoformat(data["checked_at"])
    return out


def run_now(case: Case, user: Any) -> IntegrityCheck:
    check = IntegrityCheck.objects.create(case=case, requested_by=user, status="running", started_at=timezone.now())
    _execute(check, case)
    return check


def request_check(case: Case, user: Any) -> IntegrityCheck:
    """Queue a check for the worker, unless one is already waiting or running."""
    pending = IntegrityCheck.objects.filter(case=case, status__in=["queued", "running"]).first()
    if pending:
        return pending
    check = IntegrityCheck.objects.create(case=case, requested_by=user)
    run_integrity_check.enqueue(check.pk)
    return check


def _execute(check: IntegrityCheck, case: Case) -> None:
    try:
        result = verification.verify(case)
    except Exception as exc:  # the check itself failed (e.g. storage unreachable): say so, never pretend
        IntegrityCheck.objects.filter(pk=check.pk).update(
            status="failed", finished_at=timezone.now(), result={"problem": f"The check could not finish: {type(exc).__name__}."}
        )
        raise
    IntegrityCheck.objects.filter(pk=check.pk).update(status="done", ok=result.ok, finished_at=timezone.now(), result=result_to_json(result))
    check.refresh_from_db()


@task()
def run_integrity_check(check_id: int) -> str:
    check = IntegrityCheck.objects.select_related("case").filter(pk=check_id).first()
    if check is None or check.status not in {"queued", "running"}:
        return "gone"
    IntegrityCheck.objects.filter(pk=check.pk).update(status="running", started_at=timezone.now())
    _execute(check, check.case)
    return "done"
