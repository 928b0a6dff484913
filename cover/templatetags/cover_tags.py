"""The risk-to-staff warning banner, shown on a client's pages: ``{% load cover_tags %}{% staff_risk_banner client %}``."""

from __future__ import annotations

from typing import Any

from django import template

from cover.services import staff_risks

register = template.Library()


@register.inclusion_tag("cover/_staff_risk_banner.html")
def staff_risk_banner(client: Any) -> dict[str, Any]:
    return {"risks": staff_risks(client)}
