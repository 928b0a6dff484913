"""Background work for the person's data (django-tasks; the database worker runs it beside the server)."""

from __future__ import annotations

from django_tasks import task

from takeout import services
from takeout.models import Export, Load


@task()
def make_export(export_id: int) -> str:
    export = Export.objects.select_related("owner").filter(pk=export_id).first()
    if export is None or export.status != "queued":
        return "gone"  # made, failed, or another run has it (a dead run is queued again by services.keep_going)
    services.sweep_expired()
    return services.make(export).status


@task()
def load_upload(load_id: int) -> str:
    job = Load.objects.select_related("owner").filter(pk=load_id).first()
    if job is None or job.status != "queued":
        return "gone"
    return services.run_load(job).status
