"""Forms of the justice pages. They help the person filling them in; the services (risk.py, orders.py,
onward.py) enforce every rule whoever calls them."""

from __future__ import annotations

from typing import Any

from django import forms

from insights.instruments import Instrument
from justice import marac
from justice.models import Basis, CourtDate, Level, OnwardKind, OrderKind, OrderStep, SuspectState, VpsStep
from justice.onward import ITEMS, BasisInput
from organisations.models import Membership, Organisation

DATE = forms.DateInput(attrs={"type": "date"})
ANSWER_CHOICES = [("yes", "Yes"), ("no", "No"), ("unknown", "Not known or not asked")]


def _area(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class AssessmentForm(forms.Form):
    """One radio group per question ID; the label is the question's topic, or the licensed wording where an
    organisation has loaded it (insights/instruments.py). Never the restricted wording otherwise."""

    domestic = forms.BooleanField(label="The suspect is a partner, ex-partner or family member (domestic abuse)", required=False)
    level = forms.ChoiceField(label="Risk level, in your professional judgement", choices=Level.choices, widget=forms.RadioSelect)
    judgement = forms.CharField(label="Your professional judgement and its reason", widget=_area(5), max_length=5000)

    def __init__(self, *args: Any, instrument: Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for q in instrument.questions:
            label = f"{q.id}: {q.text}" if q.licensed and q.text else f"{q.id}: {q.topic}"
            self.fields[f"q_{q.id}"] = forms.ChoiceField(label=label, choices=ANSWER_CHOICES, widget=forms.RadioSelect, required=False, initial="unknown")

    def answers(self) -> dict[str, str]:
        return {q.id: self.cleaned_data.get(f"q_{q.id}") or "unknown" for q in self.instrument.questions}

    def question_fields(self) -> list[forms.BoundField]:
        return [self[f"q_{q.id}"] for q in self.instrument.questions]


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your review", choices=[("agree", "Agree: the lower level takes effect"), ("disagree", "Do not agree: the level stays")], widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reason", widget=_area(3), max_length=5000)


class StatusForm(forms.Form):
    state = forms.ChoiceField(label="The suspect's status", choices=SuspectState.choices, widget=forms.RadioSelect)
    on = forms.DateField(label="Date of the change", widget=DATE)
    until = forms.DateField(label="Bail or licence runs to (if any)", widget=DATE, required=False)
    conditions = forms.CharField(label="Conditions (bail or licence)", widget=_area(3), max_length=5000, required=False)
    note = forms.CharField(label="Note (optional)", widget=_area(2), max_length=5000, required=False)


class OrderForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of order", choices=OrderKind.choices, widget=forms.RadioSelect)


class OrderEventForm(forms.Form):
    step = forms.ChoiceField(label="What happened", choices=OrderStep.choices)
    on = forms.DateField(label="Date", widget=DATE)
    decision = forms.ChoiceField(
        label="Police decision (for a police decision only)",
        choices=[("", "Not a police decision"), ("apply", "The police will apply"), ("refuse", "The police refused")],
        required=False,
    )
    expires_on = forms.DateField(label="Expires on (if made or varied)", widget=DATE, required=False)
    conditions = forms.CharField(label="Conditions (optional)", widget=_area(3), max_length=5000, required=False)
    note = forms.CharField(
        label="Reason or note", help_text="A police decision or a court refusal needs its reason.", widget=_area(2), max_length=5000, required=False
    )


class CourtDateForm(forms.Form):
    on = forms.DateField(label="Date of the hearing", widget=DATE)
    purpose = forms.ChoiceField(label="Hearing", choices=CourtDate._meta.get_field("purpose").choices)
    court = forms.CharField(label="Court (optional)", max_length=200, required=False)


class VpsForm(forms.Form):
    step = forms.ChoiceField(label="Victim Personal Statement", choices=VpsStep.choices, widget=forms.RadioSelect)
    on = forms.DateField(label="Date", widget=DATE)


class OnwardForm(forms.Form):
    kind = forms.ChoiceField(label="Refer to", choices=OnwardKind.choices, widget=forms.RadioSelect)
    to_organisation = forms.ModelChoiceField(label="Organisation (for another organisation)", queryset=Organisation.objects.none(), required=False)
    purpose = forms.CharField(label="Purpose of the referral", max_length=200)
    items = forms.MultipleChoiceField(
        label="What to share with another organisation (only what you choose is sent)",
        choices=list(ITEMS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    summary = forms.CharField(label="Summary to share (if chosen above)", widget=_area(3), max_length=5000, required=False)
    basis = forms.ChoiceField(label="Basis for sharing", choices=Basis.choices, widget=forms.RadioSelect)
    consent_on = forms.DateField(label="Date the person consented (for consent)", widget=DATE, required=False)
    decided_by = forms.CharField(label="Who decided to share without consent (for a protocol or safeguarding)", max_length=120, required=False)
    person_told = forms.ChoiceField(
        label="Was the person told? (for a protocol or safeguarding)", choices=[("", "Choose"), ("yes", "Yes"), ("no", "No")], required=False
    )
    rationale = forms.CharField(
        label="Rationale for sharing without consent, and why the person was not told (if not)", widget=_area(3), max_length=5000, required=False
    )
    reasons = forms.MultipleChoiceField(
        label="MARAC or panel: reason for referral", choices=list(marac.REASONS.items()), widget=forms.CheckboxSelectMultiple, required=False
    )
    victim_aware = forms.ChoiceField(
        label="MARAC or panel: is the person aware of the referral?", choices=[("", "Choose"), ("yes", "Yes"), ("no", "No")], required=False
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_organisation"].queryset = Organisation.objects.exclude(pk=organisation.pk).order_by("name")
        for key, label, limit in marac.FIELDS:
            self.fields[f"m_{key}"] = forms.CharField(
                label=f"MARAC or panel: {label}", max_length=limit, required=False, widget=_area(3) if limit > 400 else forms.TextInput
            )

    def basis_input(self) -> BasisInput:
        d = self.cleaned_data
        return BasisInput(d["basis"], d.get("consent_on"), d.get("decided_by", ""), d.get("person_told", ""), d.get("rationale", ""))

    def detail(self) -> dict[str, Any]:
        d = self.cleaned_data
        raw = {key: d.get(f"m_{key}", "") for key, _label, _limit in marac.FIELDS}
        raw.update(reasons=d.get("reasons", []), victim_aware=d.get("victim_aware", ""))
        return marac.clean_detail(raw)

    def marac_fields(self) -> list[forms.BoundField]:
        return [self[f"m_{key}"] for key, _label, _limit in marac.FIELDS]


class MeetingForm(forms.Form):
    meeting_on = forms.DateField(label="Meeting date", widget=DATE)


class FeedbackForm(forms.Form):
    on = forms.DateField(label="Feedback given to the person on", widget=DATE)


class ActionForm(forms.Form):
    what = forms.CharField(label="This service's action", widget=_area(2), max_length=1000)
    owner = forms.ModelChoiceField(label="Owner", queryset=Membership.objects.none())
    due_on = forms.DateField(label="Due on", widget=DATE)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Membership.objects.filter(organisation=organisation, active=True, role__in=["caseworker", "team_lead", "duty_worker"])
        self.fields["owner"].label_from_instance = lambda m: m.display_name


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why the referral is withdrawn", widget=_area(2), max_length=5000)


class AnswerForm(forms.Form):
    state = forms.ChoiceField(
        label="Your answer", choices=[("accepted", "Accept"), ("declined", "Decline"), ("completed", "Completed")], widget=forms.RadioSelect
    )
    reason = forms.CharField(label="Reason (needed to decline)", widget=_area(2), max_length=5000, required=False)


class ProtocolForm(forms.Form):
    name = forms.CharField(label="Name of the local MARAC protocol", max_length=200, required=False)
    escalation = forms.CharField(label="What the protocol counts as potential escalation", widget=_area(3), max_length=5000, required=False)
    repeat = forms.CharField(label="What the protocol counts as a repeat", widget=_area(3), max_length=5000, required=False)
