"""Forms of the governance pages: they help the person; the services refuse what is wrong whoever calls them."""

from __future__ import annotations

from django import forms

from governance import equality
from governance.models import Decision, FeedbackKind, FeedbackOutcome, RequestKind, VictimsCodeRight

TEXT = 4000


class ClosureForm(forms.Form):
    needs_met = forms.BooleanField(label="Their needs were met, or they were referred on", required=False)
    safety_plan_reviewed = forms.BooleanField(label="The safety plan was reviewed with them", required=False)
    told_can_return = forms.BooleanField(label="They were told they can come back at any time", required=False)
    reason = forms.CharField(label="Why support is ending", max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3}))
    no_measures_reason = forms.CharField(
        label="If no outcome measures were taken at the end of support, why not", max_length=TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=[("approve", "Approve the closure"), ("refuse", "Refuse: support carries on")], widget=forms.RadioSelect
    )
    note = forms.CharField(label="Note (needed when refusing)", max_length=TEXT, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2}))


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of request", choices=RequestKind.choices, widget=forms.RadioSelect)
    received_on = forms.DateField(label="Received on (YYYY-MM-DD)")
    requester = forms.CharField(label="Who asks, and for what", max_length=TEXT, widget=forms.Textarea(attrs={"rows": 2}))


class RequestDecideForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=Decision.choices, widget=forms.RadioSelect)
    person_told_on = forms.DateField(label="The person was told on (YYYY-MM-DD)", required=False)
    answer = forms.CharField(label="The answer given, and any exemption relied on", max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label="Complaint or compliment", choices=FeedbackKind.choices, widget=forms.RadioSelect)
    received_on = forms.DateField(label="Received on (YYYY-MM-DD)")
    summary = forms.CharField(label="What they said", max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class FeedbackAnswerForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=[c for c in FeedbackOutcome.choices if c[0] != FeedbackOutcome.OPEN], widget=forms.RadioSelect)
    response = forms.CharField(label="The answer given", max_length=TEXT, widget=forms.Textarea(attrs={"rows": 3}))


class RightsForm(forms.Form):
    rights = forms.TypedMultipleChoiceField(
        label="Rights whose information or support was given", choices=VictimsCodeRight.choices, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    delivered_on = forms.DateField(label="Given on (YYYY-MM-DD)")


class EqualityForm(forms.Form):
    """Every question optional, each with "Prefer not to say"; "Not answered" clears an answer."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for key, title, _ in equality.QUESTIONS:
            self.fields[key] = forms.ChoiceField(
                label=title, choices=[("", equality.UNANSWERED_LABEL), *equality.choices(key)], required=False, widget=forms.RadioSelect
            )
