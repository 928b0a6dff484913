"""Template helpers for the evidence locker, usable from other apps' templates (incident page, integrity page)."""

from __future__ import annotations

from typing import Any

from django import template

from evidence import selectors, services

register = template.Library()


@register.simple_tag
def incident_exhibits(incident: Any) -> list:
    """The exhibits linked to an incident."""
    return selectors.for_incident(incident)


@register.simple_tag
def stored_file_checks(case: Any) -> list[dict[str, Any]]:
    """The latest full check of every stored original of a case (from the blobs' records)."""
    from evidence.views import integrity_context  # noqa: PLC0415

    return integrity_context(case)["file_rows"]


@register.filter
def filesize(value: Any) -> str:
    try:
        return services.human_size(int(value))
    except (TypeError, ValueError):
        return ""


@register.filter
def shown_name(exhibit: Any) -> str:
    return selectors.shown_name(exhibit)
