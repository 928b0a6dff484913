"""Forms for quick capture, the full incident form and retraction. Validation rules live in diary.rules."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from django import forms

from cases.models import Case
from diary import rules, taxonomy
from diary.services import IncidentData
from kernel import localtime
from kernel.widgets import DateInput, TimeInput


def text_area(limit: int, rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "maxlength": limit})


YES_NO = [("yes", "Yes"), ("no", "No")]
ANSWERS = {"yes": True, "no": False}  # a question left unanswered is None: "not said"
ANSWER_OF = {True: "yes", False: "no"}  # and back, for a form's initial values (None: nothing chosen)


SUBMISSION = re.compile(r"[A-Za-z0-9_-]{16,40}")


def new_submission_key() -> str:
    return secrets.token_urlsafe(18)


class OnceOnly(forms.Form):
    """A hidden one-time key, made when the form is shown: the same form sent twice saves one note."""

    submission = forms.CharField(required=False, widget=forms.HiddenInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("submission", new_submission_key())

    def clean_submission(self) -> str:
        value = self.cleaned_data.get("submission") or ""
        return value if SUBMISSION.fullmatch(value) else ""  # anything else is no key at all, never an error


class QuickCaptureForm(OnceOnly):
    """A note in a few words. Its date and time start as the moment of writing; that moment is never claimed as the
    exact time it happened: left as it was it is saved as "time of writing", changed it is approximate, and it is
    exact only when the person ticks "This is the exact time". Fields are in page order (the error summary follows it)."""

    description = forms.CharField(
        label="What happened",
        max_length=rules.MAX_DESCRIPTION,
        widget=text_area(rules.MAX_DESCRIPTION, rows=5),
        help_text="A few words is enough. You can add more detail later.",
        error_messages={"required": "Say in a few words what happened", "max_length": f"Keep this under {rules.MAX_DESCRIPTION:,} characters"},
    )
    date = forms.DateField(label="Date", widget=DateInput(), error_messages={"required": "Enter the date", "invalid": "Enter a real date"})
    time = forms.TimeField(
        label="Time",
        required=False,
        widget=TimeInput(),
        help_text="Filled in with the time now. Change it if it happened earlier.",
        error_messages={"invalid": "Enter a real time, like 14:30"},
    )
    time_exact = forms.BooleanField(label="This is the exact time it happened", required=False)
    written = forms.CharField(required=False, widget=forms.HiddenInput(), max_length=20)
    behaviour = forms.ChoiceField(label="What did they do? (optional)", required=False, choices=[])
    felt_in_danger = forms.BooleanField(label="I felt in danger", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["behaviour"].choices = (
            [("", "Choose if you want")]
            + taxonomy.quick_choices()
            + [(code, label) for code, label in ((b.code, b.label) for b in taxonomy.behaviours().values()) if not taxonomy.behaviours()[code].quick]
        )
        if not self.is_bound:
            now = localtime.now_local().replace(second=0, microsecond=0)
            self.initial.setdefault("date", now.date())
            self.initial.setdefault("time", now.time())
            self.initial.setdefault("written", f"{now:%Y-%m-%dT%H:%M}")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date"):
            when = rules.combine(data["date"], data.get("time"))
            for name, message in rules.check_when(when).items():
                self.add_error(name if name in self.fields else None, message)
            data["occurred_at"] = when
        code = data.get("behaviour")
        if code and not taxonomy.is_known(code):
            self.add_error("behaviour", "Choose a behaviour from the list")
        return data

    def precision(self) -> str:
        """How exact the time is, from what the person did: nothing said makes it the time of writing."""
        d = self.cleaned_data
        if not d.get("time"):
            return "date"
        if d.get("time_exact"):
            return "exact"
        untouched = f"{d['date']:%Y-%m-%d}T{d['time']:%H:%M}" == (d.get("written") or "")
        return "recorded" if untouched else "approx"

    def to_data(self) -> IncidentData:
        d = self.cleaned_data
        return IncidentData(
            occurred_at=d["occurred_at"],
            time_precision=self.precision(),
            description=d["description"],
            behaviours=[d["behaviour"]] if d.get("behaviour") else [],
            # Ticked: yes. Not ticked says nothing: "not said", never "No".
            felt_in_danger=True if d.get("felt_in_danger") else None,
        )


class IncidentForm(OnceOnly):
    date = forms.DateField(label="Date", widget=DateInput(), error_messages={"required": "Enter the date it happened", "invalid": "Enter a real date"})
    time = forms.TimeField(label="Time", required=False, widget=TimeInput(), error_messages={"invalid": "Enter a real time, like 14:30"})
    # No answer is chosen for the person: an unanswered question would otherwise become "Exact time" in a report.
    time_precision = forms.ChoiceField(
        label="How sure are you of the time?",
        choices=taxonomy.TIME_PRECISION_QUESTIONS,
        widget=forms.RadioSelect,
        error_messages={"required": "Say how sure you are of the time", "invalid_choice": "Choose one of the answers about the time"},
    )
    end_date = forms.DateField(label="End date", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    end_time = forms.TimeField(label="End time", required=False, widget=TimeInput(), error_messages={"invalid": "Enter a real time"})
    location_kind = forms.ChoiceField(label="Kind of place", required=False, choices=[("", "Choose")] + taxonomy.LOCATION_KINDS)
    location = forms.CharField(
        label="Where it happened", required=False, max_length=rules.MAX_SHORT, help_text="For example: outside my work, Station Road car park, Instagram."
    )
    description = forms.CharField(
        label="What happened",
        max_length=rules.MAX_DESCRIPTION,
        widget=text_area(rules.MAX_DESCRIPTION, rows=7),
        help_text=f"Include what they said or did, what they looked like or wore, and any car and number plate. Up to {rules.MAX_DESCRIPTION:,} characters.",
        error_messages={"required": "Say what happened", "max_length": f"Keep this under {rules.MAX_DESCRIPTION:,} characters"},
    )
    behaviours = forms.MultipleChoiceField(
        label="What did they do?",
        required=False,
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose behaviours from the list"},
    )
    channel = forms.ChoiceField(label="How did they make contact?", required=False, choices=[("", "Choose")] + taxonomy.CHANNELS)
    how_many = forms.IntegerField(
        label="How many times (optional)",
        required=False,
        min_value=1,
        max_value=rules.MAX_HOW_MANY,
        help_text="For example, 23 calls.",
        error_messages={"invalid": "Enter a whole number, like 23", "min_value": "Enter 1 or more", "max_value": f"Enter {rules.MAX_HOW_MANY:,} or fewer"},
    )
    feelings = forms.CharField(label="How it made you feel", required=False, max_length=rules.MAX_TEXT, widget=text_area(rules.MAX_TEXT))
    impact = forms.CharField(
        label="Effect on your daily life",
        required=False,
        max_length=rules.MAX_TEXT,
        widget=text_area(rules.MAX_TEXT),
        help_text="For example: changed my route to work, stayed home, could not sleep.",
    )
    # Not pre-selected, and may be left unanswered: shown as "not said", never as "No".
    felt_in_danger = forms.ChoiceField(label="Did you feel in danger?", required=False, choices=YES_NO, widget=forms.RadioSelect)
    # Not pre-selected: "No" chosen for the person would print "Not reported" in their police report.
    reported = forms.ChoiceField(
        label="Have you reported this?", choices=YES_NO, widget=forms.RadioSelect, error_messages={"required": "Say whether you have reported this"}
    )
    reported_on = forms.DateField(label="Date reported", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    report_how = forms.CharField(
        label="How you reported it", required=False, max_length=rules.MAX_SHORT, help_text="For example: 101, 999, online, at the police station."
    )
    crime_reference = forms.ChoiceField(label="Crime reference number", required=False, choices=[])
    new_crime_reference = forms.CharField(
        label="Crime reference number (if you have one)",
        required=False,
        max_length=100,
        help_text="Type it as the police gave it. It is added to this case's crime reference numbers.",
    )
    report_officer = forms.CharField(label="Officer's name or number", required=False, max_length=rules.MAX_SHORT)
    breached_order = forms.ChoiceField(label="Did this break an order?", required=False, choices=[])
    notes = forms.CharField(
        label="Private notes",
        required=False,
        max_length=rules.MAX_TEXT,
        widget=text_area(rules.MAX_TEXT, rows=3),
        help_text="Only you see these unless you choose to include them in a report.",
    )

    def __init__(self, *args: Any, case: Case, witness_rows: int = 2, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["behaviours"].choices = taxonomy.behaviour_choices()
        self.refs = list(case.crime_references.all())
        self.orders = list(case.orders.all())
        self.fields["crime_reference"].choices = [("", "None, or not yet")] + [(str(r.uuid), r.reference) for r in self.refs]
        if self.refs:
            self.fields["new_crime_reference"].label = "Or type a new crime reference number"
        self.new_reference = ""
        self.fields["breached_order"].choices = [("", "No")] + [(str(o.uuid), str(o)) for o in self.orders]
        if self.is_bound:
            witness_rows = max(witness_rows, self._bound_witness_rows())
        self.witness_rows = min(max(witness_rows, 1), rules.MAX_WITNESSES)
        for i in range(self.witness_rows):
            self.fields[f"witness_{i}_name"] = forms.CharField(label="Name", required=False, max_length=rules.MAX_SHORT)
            self.fields[f"witness_{i}_contact"] = forms.CharField(label="How to contact them", required=False, max_length=rules.MAX_SHORT)
            self.fields[f"witness_{i}_saw"] = forms.CharField(
                label="What they saw or heard", required=False, max_length=rules.MAX_TEXT, widget=text_area(rules.MAX_TEXT, rows=2)
            )
        if not self.is_bound and "date" not in self.initial:
            now = localtime.now_local()
            self.initial["date"] = now.date()
            self.initial["time"] = now.time().replace(second=0, microsecond=0)

    def _bound_witness_rows(self) -> int:
        n = 0
        for key in self.data:
            if key.startswith("witness_") and key.endswith("_name"):
                try:
                    n = max(n, int(key.split("_")[1]) + 1)
                except ValueError:
                    continue
        return n

    def witness_fields(self) -> list[tuple[int, Any, Any, Any]]:
        return [(i + 1, self[f"witness_{i}_name"], self[f"witness_{i}_contact"], self[f"witness_{i}_saw"]) for i in range(self.witness_rows)]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        precision = data.get("time_precision") or ""
        if data.get("date"):
            if precision not in ("", "date") and not data.get("time") and "time" not in self.errors:
                self.add_error("time", "Enter the time, or choose 'I know the day but not the time'")
            when = rules.combine(data["date"], data.get("time") if precision != "date" else None)
            end = None
            if data.get("end_date"):
                end = rules.combine(data["end_date"], data.get("end_time"), unknown=dt.time(23, 59))
            elif data.get("end_time"):
                end = rules.combine(data["date"], data["end_time"])
            for name, message in rules.check_when(when, end).items():
                self.add_error(name, message)
            data["occurred_at"], data["ended_at"] = when, end
        reported = data.get("reported") == "yes"
        data["reported_bool"] = reported
        if reported and data.get("reported_on") and data.get("date") and data["reported_on"] < data["date"]:
            self.add_error("reported_on", "The date reported cannot be before the incident")
        if data.get("reported_on") and data["reported_on"] > localtime.today():
            self.add_error("reported_on", "The date reported cannot be in the future")
        refs = {str(r.uuid): r for r in self.refs}
        orders = {str(o.uuid): o for o in self.orders}
        data["crime_reference_obj"] = refs.get(data.get("crime_reference") or "")
        typed = " ".join((data.get("new_crime_reference") or "").split())
        if typed:
            same = next((r for r in self.refs if " ".join(r.reference.split()).casefold() == typed.casefold()), None)
            if data["crime_reference_obj"] and data["crime_reference_obj"] is not same:
                self.add_error("new_crime_reference", "Choose a number from the list or type a new one, not both")
            elif same:
                data["crime_reference_obj"] = same
            else:
                self.new_reference = typed  # made by the view when the incident is saved (diary.views)
        data["breached_order_obj"] = orders.get(data.get("breached_order") or "")
        return data

    def to_data(self) -> IncidentData:
        d = self.cleaned_data
        witnesses = [
            {"name": d.get(f"witness_{i}_name", ""), "contact": d.get(f"witness_{i}_contact", ""), "saw": d.get(f"witness_{i}_saw", "")}
            for i in range(self.witness_rows)
        ]
        return IncidentData(
            occurred_at=d["occurred_at"],
            time_precision=d["time_precision"],
            ended_at=d.get("ended_at"),
            location_kind=d.get("location_kind") or "",
            location=d.get("location") or "",
            description=d["description"],
            behaviours=list(d.get("behaviours") or []),
            channel=d.get("channel") or "",
            how_many=d.get("how_many"),
            witnesses=witnesses,
            feelings=d.get("feelings") or "",
            impact=d.get("impact") or "",
            reported=d["reported_bool"],
            reported_on=d.get("reported_on"),
            report_how=d.get("report_how") or "",
            report_officer=d.get("report_officer") or "",
            crime_reference=d.get("crime_reference_obj"),
            breached_order=d.get("breached_order_obj"),
            felt_in_danger=ANSWERS.get(d.get("felt_in_danger") or ""),
            notes=d.get("notes") or "",
        )

    @staticmethod
    def initial_from(data: IncidentData) -> dict[str, Any]:
        local = localtime.local(data.occurred_at)
        initial: dict[str, Any] = {
            "date": local.date(),
            "time": local.time().replace(second=0, microsecond=0) if data.time_precision != "date" else None,
            "time_precision": data.time_precision,
            "location_kind": data.location_kind,
            "location": data.location,
            "description": data.description,
            "behaviours": data.behaviours,
            "channel": data.channel,
            "how_many": data.how_many,
            "feelings": data.feelings,
            "impact": data.impact,
            "felt_in_danger": ANSWER_OF.get(data.felt_in_danger),
            "reported": ANSWER_OF.get(data.reported),
            "reported_on": data.reported_on,
            "report_how": data.report_how,
            "report_officer": data.report_officer,
            "crime_reference": str(data.crime_reference.uuid) if data.crime_reference else "",
            "breached_order": str(data.breached_order.uuid) if data.breached_order else "",
            "notes": data.notes,
        }
        if data.ended_at:
            end = localtime.local(data.ended_at)
            initial["end_date"], initial["end_time"] = end.date(), end.time().replace(second=0, microsecond=0)
        for i, w in enumerate(data.witnesses):
            initial[f"witness_{i}_name"] = w.get("name", "")
            initial[f"witness_{i}_contact"] = w.get("contact", "")
            initial[f"witness_{i}_saw"] = w.get("saw", "")
        return initial


class RetractForm(forms.Form):
    reason = forms.CharField(
        label="Why are you retracting this entry?",
        max_length=rules.MAX_TEXT,
        widget=text_area(rules.MAX_TEXT, rows=3),
        help_text="For example: I entered the wrong date, or this was entered twice. The entry stays in your log, marked as retracted.",
        error_messages={"required": "Say why you are retracting this entry"},
    )


class TimelineFilterForm(forms.Form):
    ORDER = [("newest", "Newest first"), ("oldest", "Oldest first")]
    TRI = [("", "Any"), ("yes", "Yes"), ("no", "No"), ("not_said", "Not said")]

    q = forms.CharField(label="Search words", required=False, max_length=200)
    behaviour = forms.ChoiceField(label="Behaviour", required=False, choices=[])
    channel = forms.ChoiceField(label="Contact by", required=False, choices=[("", "Any")] + taxonomy.CHANNELS)
    date_from = forms.DateField(label="From", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    date_to = forms.DateField(label="To", required=False, widget=DateInput(), error_messages={"invalid": "Enter a real date"})
    reported = forms.ChoiceField(label="Reported to police", required=False, choices=TRI)
    danger = forms.ChoiceField(label="I felt in danger", required=False, choices=TRI)
    order = forms.ChoiceField(label="Order", required=False, choices=ORDER)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["behaviour"].choices = [("", "Any")] + taxonomy.behaviour_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The 'to' date must be after the 'from' date")
        return data
