"""Template helpers for the evidence locker, usable from other apps' templates (incident page, integrity page)."""

from __future__ import annotations

from typing import Any

from django import template

from evidence import selectors

register = template.Library()


@register.simple_tag
def incident_exhibits(incident: Any) -> list:
    """The exhibits linked to an incident."""
    return selectors.for_incident(incident)


@register.filter
def shown_name(exhibit: Any) -> str:
    return selectors.shown_name(exhibit)
