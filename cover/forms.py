"""Forms of cover's pages. They help the person; cover/services.py enforces the rules."""

from __future__ import annotations

from django import forms

from cover.models import StaffRiskKind, VisitKind
from organisations.access import ROLE_CAN, Can
from organisations.models import Membership


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def _when(label: str) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


def colleagues(organisation: object) -> object:
    roles = [role for role, can in ROLE_CAN.items() if Can.SEE_CLIENTS in can]
    return Membership.objects.filter(organisation=organisation, active=True, role__in=roles)


class DutyForm(forms.Form):
    on = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}))
    member = forms.ModelChoiceField(label="Duty worker", queryset=Membership.objects.none())

    def __init__(self, *args: object, organisation: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = colleagues(organisation)


class CoverForm(forms.Form):
    covering = forms.ModelChoiceField(label="Who covers", queryset=Membership.objects.none())
    absent = forms.ModelChoiceField(label="Whose clients (the colleague who is away)", queryset=Membership.objects.none())
    starts_at = _when("From")
    ends_at = _when("Until")
    reason = forms.CharField(label="Reason (about the absence, not a client)", max_length=300)

    def __init__(self, *args: object, organisation: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["covering"].queryset = colleagues(organisation)
        self.fields["absent"].queryset = Membership.objects.filter(organisation=organisation)


class HandoverForm(forms.Form):
    text = forms.CharField(label="Handover note", max_length=5000, widget=_area(4), help_text="What a colleague needs to pick this client up safely.")


class StaffRiskForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "risk_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    kind = forms.ChoiceField(label="Risk to staff", choices=StaffRiskKind.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="What staff need to know (needed for 'another risk')", max_length=1000, required=False, widget=_area(2))


class VisitForm(forms.Form):
    member = forms.ModelChoiceField(label="Who goes", queryset=Membership.objects.none())
    kind = forms.ChoiceField(label="Kind", choices=VisitKind.choices, widget=forms.RadioSelect)
    starts_at = _when("Starts")
    ends_at = _when("Ends (check out by then)")
    place = forms.CharField(label="Where", max_length=300)

    def __init__(self, *args: object, organisation: object = None, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "visit_%s")
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["member"].queryset = colleagues(organisation)


class SupervisionForm(forms.Form):
    held_on = forms.DateField(label="Held on", widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label="Notes (wellbeing, caseload, cases discussed)", max_length=5000, widget=_area(5))
    actions = forms.CharField(
        label="Agreed actions, one a line (optionally ending with a due date as | 2027-01-31)", max_length=5000, required=False, widget=_area(4)
    )
    cases = forms.MultipleChoiceField(label="Cases discussed", required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, cases: list[tuple[int, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cases"].choices = [(str(k), v) for k, v in (cases or [])]

    def action_list(self) -> list[dict[str, str]]:
        out = []
        for line in (self.cleaned_data.get("actions") or "").splitlines():
            if not line.strip():
                continue
            text, _, due = line.partition("|")
            out.append({"text": text.strip(), "due_on": due.strip()})
        return out
