"""Support contacts, kept as data with their source and the date they were checked.
Editable in the admin; loaded from support/data/contacts.json by a data migration."""

from __future__ import annotations

import re

from django.db import models

# The four nations of the UK, for "where you live" on the help page. Police, law and services differ between them.
NATIONS = {"england": "England", "wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"}


class Contact(models.Model):
    KINDS = [
        ("emergency", "Emergency"),
        ("police", "Police non-emergency"),
        ("helpline", "Helpline"),
        ("advocacy", "Advocacy"),
        ("specialist", "Specialist service"),
        ("regional", "Regional service"),
    ]

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=KINDS)
    phone = models.CharField(max_length=60, blank=True)
    textphone = models.CharField(max_length=60, blank=True)
    other_contact = models.CharField(
        max_length=200,
        blank=True,
        help_text="Email, text number or website (shown as text, never linked to a third party automatically).",
    )
    hours = models.CharField(max_length=200, blank=True)
    what_for = models.TextField(blank=True)
    region = models.CharField(max_length=100, blank=True, help_text="Blank for national services.")
    source = models.CharField(max_length=300, help_text="Where these details come from.")
    checked_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the details were last checked against the source. Empty until someone has checked them: say why in the notes.",
    )
    unverified = models.TextField(blank=True, help_text="Anything not confirmed, in calm words: shown to the person.")
    checker_notes = models.TextField(
        blank=True, help_text="For the people who check the data (another source disagrees, and the like). Never shown to the person."
    )
    nations = models.CharField(
        max_length=80,
        blank=True,
        help_text="Where it helps, from its source: england, wales, scotland, northern_ireland (comma-separated), or uk for all four.",
    )
    show_in_help_bar = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def nation_codes(self) -> frozenset[str]:
        """The nations it covers ("uk" means all four); empty when the source does not say."""
        codes = {code.strip() for code in self.nations.split(",") if code.strip()}
        return frozenset(NATIONS) if "uk" in codes else frozenset(codes & set(NATIONS))

    @property
    def nations_text(self) -> str:
        """ "the whole UK", "England and Wales", "England, Wales and Northern Ireland"."""
        names = [name for code, name in NATIONS.items() if code in self.nation_codes]
        if len(names) == len(NATIONS):
            return "the whole UK"
        return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

    def covers(self, nation: str) -> bool:
        return nation in self.nation_codes

    @property
    def phone_digits(self) -> str:
        return re.sub(r"[^0-9+]", "", self.phone)
