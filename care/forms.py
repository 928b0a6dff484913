"""Forms of care's pages. They help whoever fills them in; care's services enforce the rules."""

from __future__ import annotations

from typing import Any

from django import forms

from care import plans, rules, safety
from care.models import Agency, ConsentPath, Goal, GoalStatus, NeedArea, Stage, Subject
from kernel.widgets import DateInput
from organisations.models import Membership, Role

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"})
PARENT = [("unknown", "Not known"), ("yes", "Yes"), ("no", "No")]
SCORES = [(0, "Not asked"), *((n, str(n)) for n in range(1, 6))]
STAFF_ROLES = (Role.CASEWORKER, Role.DUTY_WORKER, Role.TEAM_LEAD, Role.SAFEGUARDING_LEAD)


def area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def text(label: str, limit: int, *, required: bool = False, rows: int = 4, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, max_length=limit, required=required, widget=area(rows), help_text=help_text, strip=True)


class ChildFields(forms.Form):
    child_name = forms.CharField(label="Child's name", max_length=rules.SHORT, required=False)
    child_date_of_birth = forms.DateField(label="Date of birth", required=False, widget=DateInput())
    child_expected_on = forms.DateField(label="Expected date of birth (an unborn child)", required=False, widget=DateInput())
    child_school = forms.CharField(label="School or nursery", max_length=rules.SHORT, required=False)
    child_suspect_is_parent = forms.ChoiceField(label="Is the suspect the child's parent?", choices=PARENT, initial="unknown")
    child_lives_with_person = forms.BooleanField(label="The child lives with the person", required=False)
    child_contact_arrangements = text("Contact arrangements with the suspect (if any)", rules.MEDIUM, rows=3)

    def child(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d.get("child_name", ""),
            "date_of_birth": d.get("child_date_of_birth"),
            "expected_on": d.get("child_expected_on"),
            "school": d.get("child_school", ""),
            "suspect_is_parent": d.get("child_suspect_is_parent") or "unknown",
            "lives_with_person": d.get("child_lives_with_person", False),
            "contact_arrangements": d.get("child_contact_arrangements", ""),
        }

    def has_child(self) -> bool:
        d = self.cleaned_data
        return any(d.get(k) for k in ("child_name", "child_date_of_birth", "child_expected_on", "child_school", "child_contact_arrangements"))


class ConcernForm(ChildFields):
    subject = forms.ChoiceField(label="Who is the concern about?", choices=Subject.choices, widget=forms.RadioSelect)
    summary = text("What is the concern?", rules.LONG, required=True, rows=6, help_text="What you saw or were told, when, and why you are worried.")
    consent = forms.ChoiceField(
        label="Consent",
        choices=[c for c in ConsentPath.choices if c[0] != ConsentPath.WITHDRAWN],
        widget=forms.RadioSelect,
        initial=ConsentPath.NOT_YET,
        help_text="You can act at once without consent. Record how it stands.",
    )
    consent_note = text("Who decided, and why (optional when not asked yet or consent was given)", rules.MEDIUM, rows=3)


class ChildForm(ChildFields):
    pass


class SafeguardingReferralForm(forms.Form):
    agency = forms.ChoiceField(label="Referred to", choices=Agency.choices, widget=forms.RadioSelect)
    made_at = forms.DateTimeField(label="When (leave empty for now)", required=False, widget=WHEN)
    outcome_due = forms.DateField(
        label="Outcome expected by (optional)", required=False, widget=DateInput(), help_text="Left empty: one working day (five for adult safeguarding)."
    )
    reference = forms.CharField(label="Their reference, or who you spoke to (optional)", max_length=rules.SHORT, required=False)


class OutcomeForm(forms.Form):
    outcome = text("What did they decide?", rules.MEDIUM, required=True, rows=3)
    outcome_on = forms.DateField(label="Date of the outcome (leave empty for today)", required=False, widget=DateInput())


class ChaseForm(forms.Form):
    next_due = forms.DateField(label="Outcome now expected by", widget=DateInput())


class ConsentForm(forms.Form):
    consent = forms.ChoiceField(label="How consent stands now", choices=ConsentPath.choices, widget=forms.RadioSelect)
    note = text("Who decided, and why", rules.MEDIUM, rows=3)


class NoteForm(forms.Form):
    note = text("Your review", rules.MEDIUM, required=True, rows=4)


class CloseForm(forms.Form):
    outcome = text("Outcome: what was done and decided", rules.MEDIUM, required=True, rows=4)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].error_messages["required"] = "A concern cannot be closed without its outcome: say what was done and decided."


class NeedsForm(forms.Form):
    stage = forms.ChoiceField(label="When is this assessment?", choices=Stage.choices, widget=forms.RadioSelect)
    assessed_on = forms.DateField(label="Date of the assessment", widget=DateInput())
    own_words = text("What the person wants, in their own words", rules.LONG, rows=5)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in NeedArea.choices:
            self.fields[f"{value}_level"] = forms.ChoiceField(label=f"{label}: level of need", choices=list(plans.LEVELS.items()), initial="none")
            self.fields[f"{value}_note"] = text(f"{label}: notes", rules.MEDIUM, rows=2)
        for key, label in plans.OUTCOMES.items():
            self.fields[f"outcome_{key}"] = forms.TypedChoiceField(label=label, choices=SCORES, coerce=int, initial=0, help_text="1 not at all, 5 completely")

    def area_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{v}_level"], self[f"{v}_note"]) for v in NeedArea.values]

    def outcome_fields(self) -> list[forms.BoundField]:
        return [self[f"outcome_{k}"] for k in plans.OUTCOMES]

    def to_input(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "stage": d["stage"],
            "assessed_on": d["assessed_on"],
            "own_words": d["own_words"],
            "areas": {v: {"level": d[f"{v}_level"], "note": d[f"{v}_note"]} for v in NeedArea.values},
            "outcomes": {k: d[f"outcome_{k}"] for k in plans.OUTCOMES},
        }


class GoalForm(forms.Form):
    area = forms.ChoiceField(label="Needs area", choices=NeedArea.choices)
    text = text("Goal (in the person's words where you can)", rules.MEDIUM, required=True, rows=2)


class ActionForm(forms.Form):
    goal = forms.ModelChoiceField(label="For the goal", queryset=Goal.objects.none())
    text = text("Action", rules.MEDIUM, required=True, rows=2)
    owner = forms.ModelChoiceField(label="Owner", queryset=Membership.objects.none())
    due_on = forms.DateField(label="Due on", widget=DateInput())

    def __init__(self, *args: Any, client: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["goal"].queryset = Goal.objects.filter(client=client, status=GoalStatus.OPEN)

        def goal_label(goal: Goal) -> str:
            goal.client = client  # the client's key, unwrapped once
            return f"{goal.get_area_display()}: {goal.text[:80]}"

        self.fields["goal"].label_from_instance = goal_label
        self.fields["owner"].queryset = Membership.objects.filter(organisation=client.organisation, active=True, role__in=STAFF_ROLES).order_by("display_name")
        self.fields["owner"].label_from_instance = lambda m: m.display_name


class DoneForm(forms.Form):
    done_on = forms.DateField(label="Done on (leave empty for today)", required=False, widget=DateInput())


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(label="Where the goal stands", choices=GoalStatus.choices)


class PlanReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="Reviewed on", widget=DateInput())
    next_review_on = forms.DateField(label="Next review on", widget=DateInput())
    note = text("What the review found", rules.MEDIUM, required=True, rows=3)


class SafetyPlanForm(forms.Form):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    made_with_person = forms.BooleanField(label="Made with the person", required=False, initial=True)
    review_on = forms.DateField(label="Review the plan on", widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for s in safety.SECTIONS:
            self.fields[f"{s.key}_text"] = text(s.title, rules.LONG, rows=4, help_text=s.hint)
            self.fields[f"{s.key}_marked"] = forms.BooleanField(
                label="The suspect must never see this: keep it inside the service", required=False, initial=s.marked
            )

    def section_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"{s.key}_text"], self[f"{s.key}_marked"]) for s in safety.SECTIONS]

    def sections(self) -> dict[str, dict[str, Any]]:
        d = self.cleaned_data
        return {s.key: {"text": d[f"{s.key}_text"], "marked": d[f"{s.key}_marked"]} for s in safety.SECTIONS}


def safety_initial(plan: Any) -> dict[str, Any]:
    if plan is None:
        return {"base_version": 0}
    initial: dict[str, Any] = {"base_version": plan.version, "made_with_person": plan.made_with_person, "review_on": plan.review_on}
    for s in safety.SECTIONS:
        value = plan.sections.get(s.key) or {}
        initial[f"{s.key}_text"] = value.get("text", "")
        initial[f"{s.key}_marked"] = bool(value.get("marked"))
    return initial
