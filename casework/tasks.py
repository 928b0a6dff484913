"""Background work for the service side (django-tasks; the database worker runs it beside the server)."""

from __future__ import annotations

from django_tasks import task

from casework import feedjobs


@task()
def take_feed(upload_id: int) -> str:
    """Read a stored daily file into the organisation, row by row (casework/feedjobs.py)."""
    return feedjobs.feed_process(upload_id)
