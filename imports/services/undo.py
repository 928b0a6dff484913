"""Undoing a finished import: its incidents retracted (reason "import undone"), the days it added to put back as
they were, its items deleted. The export exhibit stays; importing again afterwards works."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import record as audit
from diary import services as diary
from imports.chain_kinds import chain_items
from imports.errors import ImportRefused
from imports.models import Import, ImportDay, ImportedItem
from imports.services.days import describe_day, update_incident
from imports.services.store import delete_items


def undo(job: Import, user: Any) -> Import:
    """Retract the incidents this import made (reason "import undone"), put back days it added to, delete its items."""
    if job.status != "done":
        raise ImportRefused("Only a finished import can be undone.")
    case = job.case
    with transaction.atomic():
        current = Import.objects.select_for_update().get(pk=job.pk)
        if current.status != "done":
            raise ImportRefused("This import has already been undone.")
        days = set(ImportedItem.objects.filter(job=job, suspect=True).values_list("local_day", "channel").distinct())
        delete_items(job)
        exhibit = job.exhibit
        exhibit.case = case
        retracted = updated = 0
        for day, channel in sorted(days):
            row = ImportDay.objects.filter(case=case, day=day, channel=channel).select_related("incident").first()
            if row is None:
                continue
            incident = row.incident
            incident.case = case
            made = describe_day(case, exhibit, day, channel)
            if made is None:
                if not incident.retracted:
                    diary.retract_incident(incident, user, "import undone")
                    retracted += 1
                row.delete()
            elif not incident.retracted:
                update_incident(incident, user, made)
                updated += 1
        job.status = "undone"
        job.undone_at = timezone.now()
        stats = dict(job.stats or {})
        stats.update({"undone_retracted": retracted, "undone_updated": updated})
        job.stats = stats
        job.save()
        chain_items(case, job, "undone")
        audit(user, "import.undone", case, f"import {job.pk}: {retracted} incidents retracted")
    return job
