"""Template helpers for insights: the lists of incident links behind findings and suggestions, made in Python
because an overview can hold hundreds of them."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from insights.analysis import Point
from kernel.words import short_day

register = template.Library()


@register.simple_tag
def incident_links(p: Point, case: Any) -> SafeString:
    """``<ul>`` of links to the incidents of a point, and "and N more" with a link to the timeline."""
    if not p.refs:
        return mark_safe("")  # noqa: S308
    base = reverse("incident_detail", args=[case.pk, 0])[: -len("0/")]
    items = [
        f'<li><a class="govuk-link" href="{escape(base)}{r.number}/">Incident {r.number}<span class="govuk-visually-hidden">,</span> '
        f"({escape(short_day(r.day))})</a></li>"
        for r in p.refs
    ]
    if p.more:
        items.append(f'<li>and {p.more} more: <a class="govuk-link" href="{escape(reverse("timeline", args=[case.pk]))}">see the timeline</a></li>')
    # Only numbers, dates and escaped URLs go into the markup.
    return mark_safe('<ul class="govuk-body ins-refs" aria-label="Incidents">' + "".join(items) + "</ul>")  # noqa: S308
