"""The report options form and the hand-over link form."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from cases.forms import area
from kernel import limits
from kernel.widgets import DateInput
from reports.options import ReportOptions

NUMBERS = re.compile(r"^\s*(\d{1,7})\s*(?:-\s*(\d{1,7})\s*)?$")
MAX_SELECTED = 100_000


def parse_numbers(text: str) -> tuple[int, ...]:
    """ "1-5, 8, 12" -> (1, 2, 3, 4, 5, 8, 12). Raises ValidationError naming the part it cannot read."""
    numbers: set[int] = set()
    for part in re.split(r"[,;]+", text):
        if not part.strip():
            continue
        match = NUMBERS.match(part)
        if not match:
            shown = part.strip()[:30]
            raise forms.ValidationError(f"“{shown}” is not an incident number or a range like 3-7")
        low = int(match.group(1))
        high = int(match.group(2) or low)
        if high < low:
            low, high = high, low
        if high - low > MAX_SELECTED or len(numbers) > MAX_SELECTED:
            raise forms.ValidationError("That is too many incidents to list; leave this empty to include them all")
        numbers.update(range(low, high + 1))
    return tuple(sorted(numbers))


class ReportForm(forms.Form):
    date_from = forms.DateField(label="From (optional)", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    date_to = forms.DateField(label="To (optional)", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    numbers = forms.CharField(
        label="Only these incidents (optional)",
        required=False,
        max_length=2000,
        help_text="Incident numbers or ranges, separated by commas, for example: 1-12, 15, 20. Leave empty to include every incident between the dates.",
    )
    person_name = forms.CharField(
        label="Your name, as you want it on the report (optional)",
        required=False,
        max_length=limits.MAX_SHORT,
        help_text="Daybook does not keep your name anywhere else. Leave it empty if you prefer.",
    )
    person_contact = forms.CharField(
        label="Your address and contact details (optional)",
        required=False,
        max_length=2000,
        widget=area(rows=3),
        help_text="One per line: address, phone, e-mail. The police need a way to reach you; the court bundle may not.",
    )
    redact_contact = forms.BooleanField(
        label="Withhold my address and contact details: leave them off the cover and blank them out wherever they appear in my entries",
        required=False,
    )
    include_private_notes = forms.BooleanField(label="Include my private notes", required=False)
    with_bundle = forms.BooleanField(
        label="Also make an evidence bundle: a ZIP with the report, every original file, a list of fingerprints and how to check them",
        required=False,
        initial=True,
    )
    with_timestamp = forms.BooleanField(
        label="Ask a trusted time-stamping service to sign the bundle's fingerprint (proves it existed at this time)",
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, timestamp_available: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not timestamp_available:
            del self.fields["with_timestamp"]

    def clean_numbers(self) -> tuple[int, ...] | None:
        text = self.cleaned_data.get("numbers") or ""
        if not text.strip():
            return None
        numbers = parse_numbers(text)
        if not numbers:
            raise forms.ValidationError("Enter incident numbers, like 1-12, 15")
        return numbers

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        if data.get("redact_contact") and not (data.get("person_contact") or "").strip():
            self.add_error("person_contact", "Write the details you want withheld, so Daybook can find and blank them out")
        return data

    def options(self) -> ReportOptions:
        data = self.cleaned_data
        return ReportOptions(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            incident_numbers=data.get("numbers"),
            person_name=(data.get("person_name") or "").strip(),
            person_contact=(data.get("person_contact") or "").strip(),
            redact_contact=bool(data.get("redact_contact")),
            include_private_notes=bool(data.get("include_private_notes")),
        )


class HandoverForm(forms.Form):
    DAYS = [("1", "1 day"), ("3", "3 days"), ("7", "7 days"), ("14", "14 days")]

    recipient = forms.CharField(
        label="Who is it for?",
        max_length=200,
        help_text="For example: DC Khan, Kent Police. Only you see this.",
        error_messages={"required": "Say who the link is for, so you can recognise their downloads"},
    )
    days = forms.ChoiceField(label="How long should the link work?", choices=DAYS, initial="7", widget=forms.RadioSelect)
    single_use = forms.BooleanField(label="Stop the link after the first download", required=False)
