from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from organisations.models import DataSharingAgreement, OrganisationSettings, Role


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where it names one, otherwise for the whole form."""
    if hasattr(exc, "error_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


class InvitationForm(forms.Form):
    display_name = forms.CharField(label="Their name", max_length=120)
    email = forms.EmailField(label="Their e-mail address (they sign in with it)", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)
    intake_allowed = forms.BooleanField(label="May also work the intake queue (caseworkers)", required=False)
    agreement = forms.ModelChoiceField(label="Agreement a partner referrer refers under", queryset=DataSharingAgreement.objects.none(), required=False)

    def __init__(self, *args: object, organisation: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = DataSharingAgreement.objects.filter(organisation=organisation, active=True)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = OrganisationSettings
        fields = [
            "idle_timeout_minutes",
            "first_contact_days_high",
            "first_contact_days_medium",
            "first_contact_days_standard",
            "first_contact_days_unknown",
            "caseload_ceiling",
            "failed_attempts_limit",
            "next_step_after_failed",
            "check_in_grace_minutes",
            "cover_max_days",
            "self_referral_open",
            "service_hours",
            "helpline",
        ]
        labels = {
            "idle_timeout_minutes": "Sign staff out after this many minutes without activity",
            "first_contact_days_high": "First contact within (working days): high risk",
            "first_contact_days_medium": "First contact within (working days): medium risk",
            "first_contact_days_standard": "First contact within (working days): standard risk",
            "first_contact_days_unknown": "First contact within (working days): not yet screened or not known",
            "caseload_ceiling": "Caseload ceiling per caseworker (high risk counts 3, medium 2, standard 1)",
            "failed_attempts_limit": "Failed first-contact attempts before the next step is offered",
            "next_step_after_failed": "The next step after that many failed attempts",
            "check_in_grace_minutes": "Lone working: minutes a check-in or check-out may be late before the duty worker and team leads are alerted",
            "cover_max_days": "Longest cover for an absent colleague, in days (a longer absence is a reallocation)",
            "self_referral_open": "Take self-referrals through the public form",
            "service_hours": "The service's hours (shown on the self-referral form)",
            "helpline": "Helpline shown on the self-referral form",
        }

    def clean_idle_timeout_minutes(self) -> int:
        value = self.cleaned_data["idle_timeout_minutes"]
        if not 2 <= value <= 240:
            raise forms.ValidationError("Choose between 2 and 240 minutes.")
        return value

    def clean(self) -> dict:
        data = super().clean()
        for name in ("first_contact_days_high", "first_contact_days_medium", "first_contact_days_standard", "first_contact_days_unknown"):
            if name in data and not 0 <= data[name] <= 30:
                self.add_error(name, "Choose between 0 and 30 working days.")
        if "failed_attempts_limit" in data and not 1 <= data["failed_attempts_limit"] <= 20:
            self.add_error("failed_attempts_limit", "Choose between 1 and 20 attempts.")
        if "check_in_grace_minutes" in data and not 5 <= data["check_in_grace_minutes"] <= 120:
            self.add_error("check_in_grace_minutes", "Choose between 5 and 120 minutes.")
        if "cover_max_days" in data and not 1 <= data["cover_max_days"] <= 366:
            self.add_error("cover_max_days", "Choose between 1 and 366 days.")
        if "caseload_ceiling" in data and not 1 <= data["caseload_ceiling"] <= 500:
            self.add_error("caseload_ceiling", "Choose between 1 and 500.")
        return data


class AgreementForm(forms.ModelForm):
    class Meta:
        model = DataSharingAgreement
        fields = ["name", "partner", "reference", "lawful_basis", "conditions", "starts_on", "ends_on"]
        labels = {
            "name": "Name of the agreement or protocol",
            "partner": "Partner (for example the police force)",
            "reference": "Reference (optional)",
            "lawful_basis": "Lawful basis",
            "conditions": "Special-category and criminal-offence conditions relied on (optional)",
            "starts_on": "Starts on",
            "ends_on": "Ends on (optional)",
        }
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}), "ends_on": forms.DateInput(attrs={"type": "date"})}


class ConnectionForm(forms.Form):
    name = forms.CharField(
        label="Full name of someone you are connected to",
        max_length=200,
        help_text="A relative, partner or close friend. Only a coded form of the name is kept, used to warn before you are given their case.",
    )


class ApiCredentialForm(forms.Form):
    agreement = forms.ModelChoiceField(queryset=DataSharingAgreement.objects.none(), label="Data-sharing agreement", empty_label=None)
    sender = forms.CharField(label="Sender (for example the force's victim care unit)", max_length=200)
    force = forms.CharField(label="Police force its referrals come from", max_length=100)

    def __init__(self, *args: Any, organisation: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agreement"].queryset = DataSharingAgreement.objects.filter(organisation=organisation, active=True)
