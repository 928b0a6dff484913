from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

from organisations.access import Staff, nav_for

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_nav(context: dict[str, Any]) -> list[dict[str, Any]]:
    """The staff menu for the current member: [{url, words, current}]."""
    staff: Staff | None = context.get("staff")
    request = context.get("request")
    if staff is None:
        return []
    items = []
    for name, words in nav_for(staff):
        try:
            url = reverse(name, kwargs={"slug": staff.organisation.slug})
        except NoReverseMatch:
            continue
        items.append({"url": url, "words": words, "current": request is not None and request.path == url})
    return items
