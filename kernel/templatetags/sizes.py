"""``{% load sizes %}``: ``{{ value|filesize }}`` shows a number of bytes as "3.5 MB" (kernel.sizes)."""

from __future__ import annotations

from typing import Any

from django import template

from kernel.sizes import human_size

register = template.Library()


@register.filter
def filesize(value: Any) -> str:
    try:
        return human_size(int(value))
    except (TypeError, ValueError):
        return ""
