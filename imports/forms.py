"""Forms for the import flow: the person's choices after the scan."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django import forms

from imports.services import Choices
from kernel.widgets import DateInput
from kernel.words import day_text

COMMON_ZONES = ["Europe/London", "Europe/Dublin", "Europe/Paris", "Europe/Warsaw", "Europe/Bucharest", "Asia/Kolkata", "America/New_York", "UTC"]


@cache
def zone_choices() -> list[tuple[str, str]]:
    rest = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/", "right/")) and z not in COMMON_ZONES)
    labels = {"Europe/London": "Europe/London (UK time: GMT in winter, BST in summer)"}
    return [(z, labels.get(z, z)) for z in COMMON_ZONES] + [(z, z) for z in rest]


def _when(day: str | None) -> str:
    return day_text(dt.date.fromisoformat(day)) if day else ""


class ChoicesForm(forms.Form):
    suspects = forms.MultipleChoiceField(
        label="Who sent the messages or made the calls you want in your diary?",
        help_text=(
            "Choose the person (or their other names and numbers) who is harassing you. "
            "Everyone's messages are kept with the export; diary entries are made from theirs only."
        ),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one sender: the person (or their other names and numbers) who is harassing you."},
    )
    date_from = forms.DateField(
        label="From (optional)",
        required=False,
        widget=DateInput(),
        help_text="Leave empty to import from the start of the export.",
        error_messages={"invalid": "Enter the 'from' date as a real date, for example 27/3/2024."},
    )
    date_to = forms.DateField(
        label="To (optional)",
        required=False,
        widget=DateInput(),
        help_text="Leave empty to import to the end of the export.",
        error_messages={"invalid": "Enter the 'to' date as a real date, for example 27/3/2024."},
    )
    time_zone = forms.ChoiceField(
        label="The time zone the phone was set to",
        help_text=(
            "Exports show the phone's clock without saying which zone it was in. "
            "UK phones change between GMT and BST on their own: leave this as Europe/London."
        ),
        error_messages={"invalid_choice": "Choose a time zone from the list."},
    )

    def __init__(self, *args: Any, participants: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.participants = participants
        self.fields["suspects"].choices = [(str(i), self._label(p)) for i, p in enumerate(participants)]
        self.fields["time_zone"].choices = zone_choices()

    @staticmethod
    def _label(p: dict[str, Any]) -> str:
        counts = []
        if p.get("messages"):
            counts.append(f"{p['messages']} message{'s' if p['messages'] != 1 else ''}")
        if p.get("calls"):
            counts.append(f"{p['calls']} call{'s' if p['calls'] != 1 else ''}")
        span = _when(p.get("first")) if p.get("first") == p.get("last") else f"{_when(p.get('first'))} to {_when(p.get('last'))}"
        name = p.get("name") or "(no name: your own messages or calls, or a withheld number)"
        # The name is isolated (U+2068 ... U+2069) so a right-to-left name cannot reorder the counts after it.
        return f"\u2068{name}\u2069: {', '.join(counts)}{', ' + span if span else ''}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        lo, hi = data.get("date_from"), data.get("date_to")
        if lo and hi and hi < lo:
            self.add_error("date_to", "The 'to' date must be the same as or after the 'from' date.")
        return data

    def to_choices(self) -> Choices:
        data = self.cleaned_data
        names = [self.participants[int(i)]["name"] for i in data["suspects"]]
        return Choices(suspects=names, date_from=data.get("date_from"), date_to=data.get("date_to"), time_zone=data["time_zone"])
