"""``{% load words %}``: counts in words (kernel.words): ``{{ n|times_words }}`` gives "once", "twice", "23 times";
``{{ n|plural_of:"incident" }}`` gives "1 incident", "3 incidents"."""

from __future__ import annotations

from typing import Any

from django import template

from kernel.words import plural, times

register = template.Library()


@register.filter
def times_words(value: Any) -> str:
    return times(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""


@register.filter
def plural_of(value: Any, word: str) -> str:
    """ "1 incident", "3 incidents"; ``word`` may give the plural after a comma: "reply,replies"."""
    one, _, many = word.partition(",")
    return plural(int(value), one, many or None)
