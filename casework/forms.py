"""Forms of the staff side. They help the person filling them in; casework/services.py enforces the rules."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone

from casework.models import Consent, ContactOutcome, Offence, Relationship, Risk, Source
from casework.services import ReferralInput, SafeContact
from organisations.models import LawfulBasis, Membership

CALL_SOURCES = [(v, label) for v, label in Source.choices if v not in (Source.POLICE_API, Source.POLICE_FILE)]
SHORT = {"max_length": 200, "required": False}
DATE = forms.DateInput(attrs={"type": "date"})
WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"})


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class ReferralForm(forms.Form):
    """A referral taken by staff on a call (design 3.1): who, basis and consent, the person, safe contact, the crime."""

    source = forms.ChoiceField(label="Where the referral came from", choices=CALL_SOURCES, initial=Source.STAFF_CALL)
    sender = forms.CharField(label="Referring organisation or role (optional)", **SHORT)
    referrer = forms.CharField(label="Name of the person referring, if not the person themselves (optional)", **SHORT)
    received_at = forms.DateTimeField(label="Received at", widget=WHEN, required=False, help_text="Leave empty for now.")
    consent = forms.ChoiceField(label="Consent", choices=Consent.choices, widget=forms.RadioSelect)
    lawful_basis = forms.ChoiceField(label="Lawful basis", choices=LawfulBasis.choices, initial=LawfulBasis.CONSENT)
    agreement = forms.ModelChoiceField(label="Data-sharing agreement (optional)", queryset=None, required=False)
    full_name = forms.CharField(label="The person's full name", max_length=200)
    date_of_birth = forms.DateField(label="Date of birth (optional)", widget=DATE, required=False)
    phones = forms.CharField(label="Phone numbers (optional)", help_text="One a line.", widget=_area(2), max_length=500, required=False)
    email = forms.EmailField(label="E-mail address (optional)", max_length=254, required=False)
    address_area = forms.CharField(label="Area they live in (optional)", help_text="Town or postcode district, not the full address.", **SHORT)
    safe_numbers = forms.CharField(label="Which numbers are safe to call (optional)", **SHORT)
    voicemail_ok = forms.BooleanField(label="A voicemail may be left", required=False)
    text_ok = forms.BooleanField(label="A text message may be sent", required=False)
    safe_times = forms.CharField(label="Safe times to call (optional)", **SHORT)
    email_safe = forms.BooleanField(label="E-mail is safe", required=False)
    post_safe = forms.BooleanField(label="Post is safe", required=False)
    code_word = forms.CharField(label="Code word (optional)", max_length=60, required=False)
    alternative_contact = forms.CharField(label="Alternative safe contact (optional)", **SHORT)
    suspect_has_access = forms.BooleanField(label="The suspect lives with them or has access to their phone", required=False)
    language = forms.CharField(label="Language (optional)", max_length=60, required=False)
    interpreter = forms.CharField(label="Interpreter needs (optional)", help_text="Never family, children or anyone from the suspect's circle.", **SHORT)
    access_needs = forms.CharField(label="Access needs (optional)", help_text="For example Relay UK, BSL, text only.", **SHORT)
    crime_reference = forms.CharField(label="Crime reference (optional)", max_length=60, required=False)
    force = forms.CharField(label="Police force (optional)", max_length=100, required=False)
    officer = forms.CharField(label="Officer in charge (optional)", max_length=120, required=False)
    date_reported = forms.DateField(label="Date reported to the police (optional)", widget=DATE, required=False)
    home_office_code = forms.CharField(label="Home Office crime code (optional)", max_length=10, required=False)
    enhanced_rights = forms.BooleanField(label="Entitled to enhanced rights under the Victims' Code", required=False)
    offences = forms.MultipleChoiceField(label="Offences", choices=Offence.choices, widget=forms.CheckboxSelectMultiple, required=False)
    domestic_abuse = forms.BooleanField(label="Domestic abuse", required=False)
    police_risk = forms.ChoiceField(label="Police risk grading", choices=Risk.choices, initial=Risk.UNKNOWN)
    suspect_name = forms.CharField(label="Suspect's name (optional)", **SHORT)
    suspect_relationship = forms.ChoiceField(label="Suspect's relationship to the person", choices=Relationship.choices, initial=Relationship.UNKNOWN)
    suspect_is_police = forms.BooleanField(label="The suspect is a police officer", required=False)
    person_is_police = forms.BooleanField(label="The person is a police officer", required=False)
    household = forms.CharField(label="Children and adults at risk in the household (optional)", widget=_area(2), max_length=2000, required=False)
    account = forms.CharField(label="Brief account", widget=_area(4), max_length=5000, required=False)
    restricted = forms.BooleanField(label="Restrict this record (only you, until a team lead names others)", required=False)

    def __init__(self, *args: object, organisation: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = organisation.agreements.filter(active=True)  # type: ignore[attr-defined]

    def clean_received_at(self) -> dt.datetime | None:
        value = self.cleaned_data.get("received_at")
        if value and value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError("The time received cannot be in the future.")
        return value

    def to_input(self) -> ReferralInput:
        d = self.cleaned_data
        safe = SafeContact(**{k: d[k] for k in SafeContact.__dataclass_fields__})
        phones = [p.strip() for p in re.split(r"[\n,;]+", d["phones"]) if p.strip()]
        skip = set(SafeContact.__dataclass_fields__) | {"phones"}
        return ReferralInput(safe_contact=safe, phones=phones, **{k: v for k, v in d.items() if k not in skip})


class ScreenForm(forms.Form):
    risk = forms.ChoiceField(label="Risk after screening", choices=Risk.choices, widget=forms.RadioSelect)


DECISIONS = [("accept", "Accept"), ("decline", "Decline"), ("pass_on", "Pass on to another service")]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=[("accept", "Accept"), ("decline", "Decline"), ("pass_on", "Pass on to another service")], widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reason (needed to decline or pass on)", max_length=1000, required=False, widget=_area(2))
    passed_on_to = forms.CharField(label="Service passed on to", max_length=200, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") in ("decline", "pass_on") and len((data.get("reason") or "").strip()) < 3:
            self.add_error("reason", "Give the reason.")
        if data.get("decision") == "pass_on" and not (data.get("passed_on_to") or "").strip():
            self.add_error("passed_on_to", "Name the service it was passed on to.")
        return data


class AttemptForm(forms.Form):
    at = forms.DateTimeField(label="When", widget=WHEN)
    channel = forms.ChoiceField(label="How", choices=[("phone", "Phone"), ("text", "Text message"), ("email", "E-mail"), ("in_person", "In person")])
    outcome = forms.ChoiceField(label="What happened", choices=ContactOutcome.choices, widget=forms.RadioSelect)
    override_reason = forms.CharField(
        label="If this breaks a safe-contact rule: why (optional)",
        max_length=1000,
        required=False,
        help_text="Only when there was no safe way, for example an emergency.",
    )


class AllocateForm(forms.Form):
    member = forms.ModelChoiceField(label="Allocate to", queryset=Membership.objects.none())
    conflict_reason = forms.CharField(label="If there are possible conflicts: why this allocation is still right", max_length=1000, required=False)
    over_ceiling_reason = forms.CharField(label="If this goes over the caseload ceiling: why", max_length=1000, required=False)

    def __init__(self, *args: object, members: list[Membership] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Membership.objects.filter(pk__in=[m.pk for m in members or []])


class RestrictForm(forms.Form):
    restricted = forms.BooleanField(label="Restricted record", required=False)
    members = forms.ModelMultipleChoiceField(
        label="Staff who may see it", queryset=Membership.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args: object, organisation: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = Membership.objects.filter(organisation=organisation, active=True)


class BreakGlassForm(forms.Form):
    reason = forms.CharField(label="Why you need to open this record", max_length=1000, widget=_area(3))


class ClientSearchForm(forms.Form):
    name = forms.CharField(label="Full name", max_length=200, required=False)
    date_of_birth = forms.DateField(label="Date of birth", widget=DATE, required=False)
    phone = forms.CharField(label="Phone number", max_length=40, required=False)


class AccessLogForm(forms.Form):
    member = forms.ModelChoiceField(label="Staff member", queryset=Membership.objects.none(), required=False)
    date_from = forms.DateField(label="From", widget=DATE, required=False)
    date_to = forms.DateField(label="To", widget=DATE, required=False)

    def __init__(self, *args: object, organisation: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = Membership.objects.filter(organisation=organisation)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date must be on or after the start date.")
        return data
