"""The circle's forms: they help the person; circle/shares.py and circle/contacts.py refuse what is wrong again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from circle.models import EvidenceScope, PersonPresent
from circle.scope import Scope
from kernel.localtime import local_tz
from kernel.widgets import DateInput, TimeInput

EVIDENCE_CHOICES = [
    (EvidenceScope.NONE, "No evidence"),
    (EvidenceScope.DESCRIPTIONS, "What each item is (descriptions only)"),
    (EvidenceScope.FILES, "Descriptions and the files"),
]


class ScopeForm(forms.Form):
    diary = forms.BooleanField(required=False, initial=True, label="My diary (the timeline and each incident)")
    diary_from = forms.DateField(required=False, widget=DateInput(), label="Only from this date", help_text="Leave empty to share the whole diary.")
    evidence = forms.ChoiceField(choices=EVIDENCE_CHOICES, initial=EvidenceScope.NONE, widget=forms.RadioSelect, label="My evidence")
    reports = forms.BooleanField(required=False, label="My reports")
    screening = forms.BooleanField(required=False, label="My pattern page and screening")

    def scope(self) -> Scope:
        d = self.cleaned_data
        return Scope(
            diary=d["diary"], diary_from=d["diary_from"] if d["diary"] else None, evidence=d["evidence"], reports=d["reports"], screening=d["screening"]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors:
            for name, message in self.scope().check().items():
                self.add_error(name if name in self.fields else None, message)
        return data


class CaseChoiceMixin(forms.Form):
    case = forms.TypedChoiceField(coerce=int, label="Which case")

    def set_cases(self, cases: Any) -> None:
        self.fields["case"].choices = [(c.pk, c.label or f"Case opened {c.created_at:%-d %b %Y}") for c in cases]
        self.cases = {c.pk: c for c in cases}

    def chosen_case(self) -> Any:
        return self.cases[self.cleaned_data["case"]]


class SupportForm(CaseChoiceMixin, ScopeForm):
    organisation = forms.TypedChoiceField(coerce=int, label="Which service")
    name = forms.CharField(max_length=200, label="The name the service should use for you")
    safe_number = forms.CharField(max_length=40, required=False, label="A safe phone number (optional)")
    code_word = forms.CharField(
        max_length=60, required=False, label="A code word for calls (optional)", help_text="The service says it when it calls, so you know it is them."
    )
    suspect_has_phone = forms.BooleanField(required=False, label="The person harming me has, or has had, access to my phone")

    field_order = ["organisation", "case", "name", "safe_number", "code_word", "suspect_has_phone"]

    def __init__(self, *args: Any, cases: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_cases(cases)
        self.organisations = {o.pk: o for o in organisations}
        self.fields["organisation"].choices = [(o.pk, o.name) for o in organisations]


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="The code your support service gave you",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}),
    )


class AcceptForm(CaseChoiceMixin, ScopeForm):
    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_cases(cases)


class PassphraseMixin(forms.Form):
    passphrase = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), label="Your passphrase", max_length=200)


class NarrowForm(PassphraseMixin, ScopeForm):
    pass


class EndForm(PassphraseMixin):
    pass


class InviteForm(CaseChoiceMixin):
    name = forms.CharField(max_length=100, label="Their name, as you want to see it", help_text="They will not see this name or anything else from your diary.")
    days = forms.IntegerField(
        min_value=1, max_value=90, initial=14, label="How many days the link works", help_text="From 1 to 90 days. You can stop it at any time."
    )

    def __init__(self, *args: Any, cases: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_cases(cases)


class SightingForm(forms.Form):
    seen_on = forms.DateField(widget=DateInput(), label="Date you saw it")
    seen_time = forms.TimeField(widget=TimeInput(), label="Time (roughly is fine)")
    where = forms.CharField(max_length=200, label="Where")
    what = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 5}), label="What you saw", help_text="Who, what they did, how long. Up to 2,000 characters."
    )
    person_present = forms.ChoiceField(choices=PersonPresent.choices, widget=forms.RadioSelect, label="Was the person you are helping there?")
    photo = forms.FileField(required=False, label="A photo (optional)", help_text="Up to 10 MB.", widget=forms.ClearableFileInput(attrs={"accept": "image/*"}))

    def seen_at(self) -> dt.datetime:
        return dt.datetime.combine(self.cleaned_data["seen_on"], self.cleaned_data["seen_time"], tzinfo=local_tz())


class KeepForm(forms.Form):
    what = forms.CharField(max_length=100, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=500, label="What the service relies on this for", help_text="For example: a MARAC referral, the risk level.")


class AttachForm(forms.Form):
    incident = forms.IntegerField(min_value=1, label="Incident number")
