from __future__ import annotations

from typing import Any

from django.db import DatabaseError

from support.models import Contact


def help_bar() -> dict[str, Any]:
    """The contact shown beside 999 and 101 on every page (the National Stalking Helpline by default)."""
    try:
        helpline = Contact.objects.filter(show_in_help_bar=True).order_by("order").first()
    except DatabaseError:
        helpline = None
    return {"helpline": helpline}


def contacts_by_kind() -> list[tuple[str, list[Contact]]]:
    grouped: dict[str, list[Contact]] = {}
    labels = dict(Contact.KINDS)
    for contact in Contact.objects.all():
        grouped.setdefault(labels.get(contact.kind, contact.kind), []).append(contact)
    return list(grouped.items())
