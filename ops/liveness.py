"""Every background job nobody is looking at kept going (``manage.py keep_jobs_going``, every 5 minutes from the one
scheduler): the same checks the jobs' own pages make (kernel/jobs.py), so a job whose worker died, or whose queue
entry was lost, is started again (or failed with its sentence) even when no page showing it is opened."""

from __future__ import annotations

from collections import Counter


def keep_all_going() -> Counter[str]:
    """Look at every waiting or running job once; returns how many of each kind were started again or failed."""
    from casework import feedjobs  # noqa: PLC0415 (apps load before this runs)
    from casework.models import FeedStatus, FeedUpload  # noqa: PLC0415
    from diary import integrity  # noqa: PLC0415
    from diary.models import IntegrityCheck  # noqa: PLC0415
    from evidence import tasks as evidence_tasks  # noqa: PLC0415
    from evidence.models import Exhibit  # noqa: PLC0415
    from imports.models import Import  # noqa: PLC0415
    from imports.services import liveness  # noqa: PLC0415
    from reports import services as reports  # noqa: PLC0415
    from reports.models import Report  # noqa: PLC0415
    from takeout import services as takeout  # noqa: PLC0415
    from takeout.models import Export, Load  # noqa: PLC0415

    done: Counter[str] = Counter()
    for job in Import.objects.filter(status__in=["scanning", "queued", "running"]):
        done["imports"] += bool(liveness.revive_if_dead(job) or liveness.requeue_if_lost(job))
    for check in IntegrityCheck.objects.filter(status__in=["queued", "running"]):
        done["integrity checks"] += bool(integrity.revive_if_dead(check) or integrity.requeue_if_lost(check))
    for upload in FeedUpload.objects.filter(status__in=[FeedStatus.QUEUED, FeedStatus.RUNNING]):
        done["daily files"] += bool(feedjobs.revive_if_dead(upload) or feedjobs.requeue_if_lost(upload))
    for job in [*Export.objects.filter(status__in=["queued", "running"]), *Load.objects.filter(status__in=["queued", "running"])]:
        done["exports and loads"] += bool(takeout.keep_going(job))
    for report in Report.objects.filter(status__in=["queued", "running"]):
        done["reports"] += bool(reports.revive_if_dead(report) or reports.requeue_if_lost(report))
    for exhibit in Exhibit.objects.filter(kind="file", preview_status="pending"):
        done["previews"] += bool(evidence_tasks.requeue_if_lost(exhibit))
    return done
