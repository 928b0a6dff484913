"""Forms for exhibits: details, physical items, hand-overs (continuity) and incident links."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms

from cases.forms import area
from diary.models import Incident
from evidence.limits import REFERENCE_MAX
from kernel import limits, localtime
from kernel.widgets import DateInput, TimeInput

SHORT = limits.MAX_SHORT
TEXT = limits.MAX_TEXT


def _not_future(value: dt.date | None) -> dt.date | None:
    if value and value > localtime.today():
        raise forms.ValidationError("The date cannot be in the future")
    if value and value < limits.EARLIEST:
        raise forms.ValidationError("The date must be after 1900")
    return value


class ObtainedFields(forms.Form):
    description = forms.CharField(
        label="What is it?", required=False, max_length=TEXT, widget=area(), help_text="For example: screenshot of the messages he sent on 3 May."
    )
    obtained_on = forms.DateField(
        label="When did you get or take it? (optional)", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"}
    )
    obtained_time = forms.TimeField(label="Time (optional)", required=False, widget=TimeInput(), error_messages={"invalid": "Enter a real time, like 14:30"})
    obtained_where = forms.CharField(
        label="Where did it come from? (optional)", required=False, max_length=SHORT, help_text="For example: my phone, the doorbell camera, left on my car."
    )
    obtained_by = forms.CharField(
        label="Who got, took or found it? (optional)", required=False, max_length=SHORT, help_text="For example: me, my neighbour Sam."
    )

    def clean_obtained_on(self) -> Any:
        return _not_future(self.cleaned_data.get("obtained_on"))


class ExhibitForm(ObtainedFields):
    reference = forms.CharField(
        label="Exhibit reference",
        max_length=REFERENCE_MAX,
        help_text="Your initials and a number, like a police exhibit label: JB/1.",
        error_messages={"required": "Give the exhibit a reference, like JB/1"},
    )
    field_order = ["reference", "description", "obtained_on", "obtained_time", "obtained_where", "obtained_by"]


class PhysicalForm(ObtainedFields):
    description = forms.CharField(
        label="What is it?",
        max_length=TEXT,
        widget=area(),
        help_text="For example: a bunch of flowers with a card, a letter, a parcel of clothes.",
        error_messages={"required": "Say what the item is"},
    )
    received_on = forms.DateField(label="When did it arrive? (optional)", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    arrived_how = forms.CharField(
        label="How did it arrive? (optional)",
        required=False,
        max_length=SHORT,
        help_text="For example: left on the doorstep, posted, delivered by a courier, sent to work.",
    )
    kept_where = forms.CharField(
        label="Where is it kept now? (optional)",
        required=False,
        max_length=SHORT,
        help_text="For example: boxed in the loft, bagged in the freezer. Handle it as little as you can.",
    )
    field_order = ["description", "received_on", "arrived_how", "kept_where", "obtained_by"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("obtained_on", "obtained_time", "obtained_where"):
            del self.fields[name]
        self.fields["obtained_by"].label = "Who found or received it? (optional)"

    def clean_received_on(self) -> Any:
        return _not_future(self.cleaned_data.get("received_on"))


class PhysicalEditForm(ExhibitForm):
    received_on = PhysicalForm.base_fields["received_on"]
    arrived_how = PhysicalForm.base_fields["arrived_how"]
    kept_where = PhysicalForm.base_fields["kept_where"]
    field_order = ["reference", "description", "received_on", "arrived_how", "kept_where", "obtained_by"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("obtained_on", "obtained_time", "obtained_where"):
            del self.fields[name]
        self.fields["obtained_by"].label = "Who found or received it? (optional)"
        self.fields["description"].required = True

    def clean_received_on(self) -> Any:
        return _not_future(self.cleaned_data.get("received_on"))


CONTINUITY_CHOICES = [
    ("police", "I gave it to the police"),
    ("someone", "I gave it to someone else (a solicitor, a support worker)"),
    ("moved", "I moved it somewhere else"),
    ("returned", "It was given back to me"),
    ("other", "Something else"),
]


class ContinuityForm(forms.Form):
    what = forms.ChoiceField(
        label="What happened to it?", choices=CONTINUITY_CHOICES, widget=forms.RadioSelect, error_messages={"required": "Choose what happened to it"}
    )
    happened_on = forms.DateField(label="Date", widget=DateInput(), error_messages={"required": "Enter the date", "invalid": "Enter a real date"})
    to = forms.CharField(label="Given to (name or organisation)", required=False, max_length=SHORT, help_text="For example: Kent Police, Anytown station.")
    officer = forms.CharField(label="Officer's name or collar number (optional)", required=False, max_length=SHORT)
    reference = forms.CharField(
        label="Their reference (optional)", required=False, max_length=SHORT, help_text="The crime reference or the police exhibit number they gave it."
    )
    location = forms.CharField(label="Where is it now? (optional)", required=False, max_length=SHORT)
    notes = forms.CharField(label="Anything else (optional)", required=False, max_length=TEXT, widget=area())

    def clean_happened_on(self) -> Any:
        return _not_future(self.cleaned_data.get("happened_on"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("what") in ("police", "someone") and not (data.get("to") or data.get("officer")):
            self.add_error("to", "Say who it was given to")
        if data.get("what") == "moved" and not data.get("location"):
            self.add_error("location", "Say where it is now")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        action = {"police": "handed_over", "someone": "handed_over", "moved": "moved", "returned": "returned", "other": "other"}[d["what"]]
        return {
            "action": action,
            "to_police": d["what"] == "police",
            "happened_on": d["happened_on"],
            "to": d.get("to", ""),
            "officer": d.get("officer", ""),
            "reference": d.get("reference", ""),
            "location": d.get("location", ""),
            "notes": d.get("notes", ""),
        }


class LinksForm(forms.Form):
    incidents = forms.CharField(
        label="Incident numbers",
        required=False,
        max_length=2000,
        help_text="The numbers of the incidents this is evidence of, separated by commas, like 3, 7, 12. Leave empty for none.",
    )

    def __init__(self, *args: Any, case: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case

    def clean_incidents(self) -> list[Incident]:
        text = self.cleaned_data.get("incidents") or ""
        parts = [p for p in re.split(r"[\s,;]+", text) if p]
        numbers = []
        for part in parts:
            if not part.isdigit():
                raise forms.ValidationError(f"{part[:20]!s} is not an incident number. Use numbers only, like 3, 7, 12.")
            numbers.append(int(part))
        if len(numbers) > 500:
            raise forms.ValidationError("Link at most 500 incidents.")
        found = {i.number: i for i in Incident.objects.filter(case=self.case, number__in=numbers)}
        missing = sorted(set(numbers) - set(found))
        if missing:
            raise forms.ValidationError(f"There is no incident {', '.join(map(str, missing[:5]))} in this case.")
        return [found[n] for n in sorted(set(numbers))]
