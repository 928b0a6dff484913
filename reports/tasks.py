"""Background work for reports (django-tasks; the database worker runs it beside the server)."""

from __future__ import annotations

from django_tasks import task

from reports import services
from reports.models import Report


@task()
def generate_report(report_id: int) -> str:
    report = Report.objects.select_related("case", "requested_by").filter(pk=report_id).first()
    if report is None or report.status not in {"queued", "running"}:
        return "gone"
    services.sweep_expired()
    return services.generate(report).status


@task()
def sweep_expired_reports() -> int:
    return services.sweep_expired()
