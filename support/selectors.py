"""Reads for the support pages. Every phone number, textphone number and opening time shown to people comes from
the Contact rows (loaded from support/data/contacts.json and edited in the admin), never from a template."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError

from support.models import NATIONS, Contact

# The rows the pages talk about by name (the guides also use national-stalking-helpline, paladin and
# cyber-helpline). A missing row is simply not shown.
EMERGENCY = "police-999"
NON_EMERGENCY = "police-101"


@dataclass(frozen=True)
class BarNumber:
    """A number in the help bar on every page: from the Contact data, never missing."""

    phone: str
    textphone: str = ""

    @property
    def phone_digits(self) -> str:
        return "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")

    @property
    def textphone_digits(self) -> str:
        return "".join(ch for ch in self.textphone.split("(")[0] if ch.isdigit())


# Used only if an administrator deletes or empties the police rows: 999 and 101 must never vanish.
FALLBACK_EMERGENCY = BarNumber("999", "18000")
FALLBACK_NON_EMERGENCY = BarNumber("101", "18001 101")


def help_bar() -> dict[str, Any]:
    """The numbers on every page: 999 and 101 (with textphone) from the police rows, and the contact
    marked for the help bar (the National Stalking Helpline by default)."""
    try:
        rows = {c.slug: c for c in Contact.objects.filter(slug__in=[EMERGENCY, NON_EMERGENCY])}
        helpline = Contact.objects.filter(show_in_help_bar=True).order_by("order").first()
    except DatabaseError:
        rows, helpline = {}, None
    emergency = rows.get(EMERGENCY)
    police = rows.get(NON_EMERGENCY)
    return {
        "helpline": helpline,
        "emergency": BarNumber(emergency.phone, emergency.textphone) if emergency and emergency.phone else FALLBACK_EMERGENCY,
        "non_emergency": BarNumber(police.phone, police.textphone) if police and police.phone else FALLBACK_NON_EMERGENCY,
    }


@dataclass
class HelpDirectory:
    """The help page's contacts: national services grouped by kind, local services grouped by area."""

    national: list[tuple[str, list[Contact]]] = field(default_factory=list)
    regional: list[tuple[str, list[Contact]]] = field(default_factory=list)
    emergency: Contact | None = None
    non_emergency: Contact | None = None
    nation: str = ""  # the nation chosen ("where you live"), or "" for every contact
    missing: list[str] = field(default_factory=list)  # what Daybook holds no checked details of for that nation

    @property
    def nation_name(self) -> str:
        return NATIONS.get(self.nation, "")

    @property
    def count(self) -> int:
        return sum(len(items) for _, items in self.national) + sum(len(items) for _, items in self.regional)


# Headings for the national groups on the help page (999 and 101 sit together under "Police").
NATIONAL_GROUPS = {
    "emergency": "Police",
    "police": "Police",
    "helpline": "Helplines",
    "advocacy": "Stalking advocacy",
    "specialist": "Specialist services",
}


# What a person in each nation should find on the help page; where no contact with a checked source covers it,
# the page says so rather than guess a number.
NEEDED = (("police", "the police non-emergency number"), ("helpline", "a stalking or victim support helpline"))


def help_directory(nation: str = "") -> HelpDirectory:
    """Every contact, once; with ``nation`` (a key of support.models.NATIONS), only those whose source says they
    help there. A contact with an area (or of the regional kind) is local; the rest are national."""
    nation = nation if nation in NATIONS else ""
    labels = {**dict(Contact.KINDS), **NATIONAL_GROUPS}
    national: dict[str, list[Contact]] = {}
    regional: dict[str, list[Contact]] = {}
    directory = HelpDirectory(nation=nation)
    for contact in Contact.objects.all():
        if contact.slug == EMERGENCY:
            directory.emergency = contact
        elif contact.slug == NON_EMERGENCY:
            directory.non_emergency = contact
        if nation and not contact.covers(nation):
            continue
        if contact.region or contact.kind == "regional":
            regional.setdefault(contact.region or "Other areas", []).append(contact)
        else:
            national.setdefault(labels.get(contact.kind, contact.kind), []).append(contact)
    directory.national = list(national.items())
    directory.regional = sorted(regional.items(), key=lambda item: item[0])
    if nation:
        kinds = {c.kind for _, items in directory.national + directory.regional for c in items}
        directory.missing = [what for kind, what in NEEDED if kind not in kinds]
    return directory


def guide_contacts() -> dict[str, Contact]:
    """All contacts keyed by slug with hyphens turned into underscores, so templates can say
    ``contacts.national_stalking_helpline.phone``. Missing rows are absent (templates check before use)."""
    return {contact.slug.replace("-", "_"): contact for contact in Contact.objects.all()}


def area_contacts(slugs: list[str]) -> list[Contact]:
    """The contacts an area search found, in the directory's order; a slug with no row (deleted in the admin) is
    simply left out."""
    rows = {c.slug: c for c in Contact.objects.filter(slug__in=slugs)}
    return [rows[slug] for slug in slugs if slug in rows]
