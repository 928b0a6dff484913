"""The first steps of an import, before anything is stored: start (detect the format), scan (participants and
counts), choose (the person's choices; the import is then queued)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import record as audit
from cases.models import Case
from evidence.models import Exhibit
from imports.errors import ImportRefused
from imports.models import Import
from imports.records import ImportFormatError, ParseWarning, Record
from imports.services.clock import default_zone, zone
from imports.services.reading import HEAD_BYTES, MAX_WARNINGS, PROGRESS_EVERY, detect, open_export, records, summarise, warning_text
from vault import store

log = logging.getLogger(__name__)

MAX_PARTICIPANTS = 500


@dataclass
class Choices:
    suspects: list[str]
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    time_zone: str = "Europe/London"


def start(case: Case, user: Any, exhibit: Exhibit) -> Import:
    """An import of a file exhibit: detect its format. The scan comes next (see tasks.scan_import)."""
    if exhibit.case_id != case.pk or exhibit.kind != "file" or not exhibit.original_id:
        raise ImportRefused("Only a file in this case's evidence can be imported.")
    job = Import(case=case, exhibit=exhibit, created_by=user if getattr(user, "pk", None) else None, time_zone=default_zone())
    exhibit.case = case
    with store.open_reader(case, exhibit.original) as reader:
        head = reader.read(HEAD_BYTES)
    try:
        module = detect(head, exhibit.original_name)
    except ImportFormatError as exc:
        job.status, job.phase = "failed", "scan"
        job.error = f"{exc} Nothing was imported; the file is kept, sealed, in your evidence."
    else:
        job.format, job.format_label = module.FORMAT, module.LABEL
    with transaction.atomic():
        job.save()
        audit(user, "import.started", case, f"import {job.pk} of exhibit {exhibit.number}: {job.format or 'unknown format'}")
    return job


def scan(job: Import) -> Import:
    """One streamed pass over the export (the parsers' ``summarise``): participants with counts, warnings."""
    counted = [0]

    def progress(items: Iterator[Record | ParseWarning]) -> Iterator[Record | ParseWarning]:
        for item in items:
            if not isinstance(item, ParseWarning):
                counted[0] += 1
                if counted[0] % PROGRESS_EVERY == 0:
                    Import.objects.filter(pk=job.pk).update(records_read=counted[0])
            yield item

    try:
        with open_export(job) as source:
            summary = summarise(progress(records(job, source)))
    except ImportFormatError as exc:
        return fail(job, f"The file could not be read as a {job.format_label}: {exc}. Nothing was imported.", "scan")
    except Exception as exc:
        log.exception("scan of import %s failed", job.pk)
        return fail(job, f"The file could not be read ({type(exc).__name__}). Nothing was imported.", "scan")
    if not summary.records:
        return fail(job, f"No messages or calls were found in this {job.format_label}. Check that you chose the right file.", "scan")
    people = [
        {
            "name": (p.name or "").strip(),
            "messages": p.messages,
            "calls": p.calls,
            "first": p.first.date().isoformat() if p.first else None,
            "last": p.last.date().isoformat() if p.last else None,
        }
        for p in summary.participants[:MAX_PARTICIPANTS]
    ]
    warnings = [warning_text(w) for w in summary.warnings[:MAX_WARNINGS]]
    if len(summary.participants) > MAX_PARTICIPANTS:
        warnings.append(f"More than {MAX_PARTICIPANTS} people wrote in this chat; only the {MAX_PARTICIPANTS} who wrote most are listed.")
    job.participants = people
    job.warnings = warnings
    job.stats = found_counts(summary)
    job.records_total = counted[0]
    job.records_read = 0
    job.status = "ready"
    job.heartbeat_at, job.attempts = None, 0  # the scan is over: the import counts its own runs, and waits unclaimed
    job.save()
    return job


def found_counts(summary: Any) -> dict[str, int]:
    """What the scan found, as said to the person: messages and calls (whose sum is the participants' counts) apart
    from system lines ("X added Y", never counted as messages) and records with no readable date."""
    return {"found_messages": summary.messages, "found_calls": summary.calls, "found_system": summary.system, "found_undated": summary.undated}


def choose(job: Import, user: Any, choices: Choices) -> Import:
    """Save the person's choices and queue the import (the caller enqueues the task)."""
    if job.status != "ready":
        raise ImportRefused("This import has already been started.")
    if Import.objects.filter(case=job.case, status__in=["queued", "running"]).exclude(pk=job.pk).exists():
        raise ImportRefused("Another import in this case is still running. Wait for it to finish, then start this one.")
    zone(choices.time_zone)
    job.suspects = sorted(set(choices.suspects))
    job.date_from, job.date_to = choices.date_from, choices.date_to
    job.time_zone = choices.time_zone
    job.status = "queued"
    with transaction.atomic():
        job.save()
        audit(user, "import.queued", job.case, f"import {job.pk}")
    return job


def fail(job: Import, message: str, phase: str) -> Import:
    """Mark the import failed in ``phase``, with a sentence for the person."""
    job.status, job.phase = "failed", phase
    job.error = message
    job.finished_at = timezone.now()
    job.save()
    return job
