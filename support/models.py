"""Support contacts, kept as data with their source and the date they were checked.
Editable in the admin; loaded from support/data/contacts.json by a data migration."""

from __future__ import annotations

import re

from django.db import models


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
    checked_on = models.DateField(help_text="When the details were last checked against the source.")
    unverified = models.TextField(blank=True, help_text="Anything not confirmed, shown to the person.")
    show_in_help_bar = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_digits(self) -> str:
        return re.sub(r"[^0-9+]", "", self.phone)
