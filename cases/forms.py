from __future__ import annotations

from typing import Any

from django import forms

from cases.models import ORDER_TYPES, RELATIONSHIPS
from kernel import limits, localtime
from kernel.widgets import DateInput

SHORT = limits.MAX_SHORT
TEXT = limits.MAX_TEXT


def area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": TEXT})


class CaseForm(forms.Form):
    label = forms.CharField(
        label="A name for this case",
        max_length=100,
        help_text="Only you see this. Use initials or a word that means nothing to anyone else if you prefer.",
        error_messages={"required": "Give this case a name, for example their initials"},
    )
    # Nothing chosen for the person: left unanswered it stays "not said" on pages, in the report and in screening.
    relationship = forms.ChoiceField(label="Who are they to you? (optional)", choices=RELATIONSHIPS, widget=forms.RadioSelect, required=False)
    suspect_name = forms.CharField(label="Their name, or a description if you do not know it", required=False, max_length=SHORT)
    suspect_aliases = forms.CharField(label="Other names they use", required=False, max_length=SHORT)
    suspect_description = forms.CharField(label="What they look like", required=False, max_length=TEXT, widget=area())
    suspect_addresses = forms.CharField(label="Addresses you know", required=False, max_length=TEXT, widget=area())
    suspect_vehicles = forms.CharField(label="Vehicles (make, colour, number plate)", required=False, max_length=TEXT, widget=area(2))
    suspect_phones = forms.CharField(label="Phone numbers they use", required=False, max_length=TEXT, widget=area(2))
    suspect_accounts = forms.CharField(label="Online accounts and email addresses they use", required=False, max_length=TEXT, widget=area(2))
    started_on = forms.DateField(
        label="When did it start? (approximate is fine)", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"}
    )
    notes = forms.CharField(label="Anything else (private)", required=False, max_length=TEXT, widget=area())

    def clean_started_on(self) -> Any:
        value = self.cleaned_data.get("started_on")
        if value and value > localtime.today():
            raise forms.ValidationError("The start date cannot be in the future")
        if value and value < limits.EARLIEST:
            raise forms.ValidationError("The date must be after 1900")
        return value


class CrimeReferenceForm(forms.Form):
    reference = forms.CharField(label="Crime reference number", max_length=100, error_messages={"required": "Enter the crime reference number"})
    force = forms.CharField(label="Police force", required=False, max_length=100, help_text="For example: Staffordshire Police.")
    given_on = forms.DateField(label="Date given", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    officer = forms.CharField(label="Officer's name and number", required=False, max_length=SHORT)
    notes = forms.CharField(label="Notes", required=False, max_length=TEXT, widget=area(2))

    def clean_given_on(self) -> Any:
        value = self.cleaned_data.get("given_on")
        if value and value > localtime.today():
            raise forms.ValidationError("The date cannot be in the future")
        return value


class OrderForm(forms.Form):
    order_type = forms.ChoiceField(
        label="Type of order", choices=ORDER_TYPES, widget=forms.RadioSelect, error_messages={"required": "Choose the type of order"}
    )
    starts_on = forms.DateField(label="Start date", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    ends_on = forms.DateField(
        label="End date (leave empty if until further order)", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"}
    )
    court = forms.CharField(label="Court or who made it", required=False, max_length=SHORT)
    conditions = forms.CharField(
        label="What it says they must not do",
        required=False,
        max_length=TEXT,
        widget=area(4),
        help_text="For example: must not contact me by any means; must not enter Station Road.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The end date must be after the start date")
        return data
