"""Forms: the FOUR self-check and a risk screening (one required answer per question, built from the instrument)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django import forms

from insights import instruments
from insights.models import ANSWERS
from insights.services import MAX_CONTEXT, MAX_NOTE

FOUR_DATA = Path(__file__).parent / "data" / "four.json"
FOUR_ANSWERS = [("yes", "Yes"), ("no", "No"), ("unsure", "I'm not sure")]


@cache
def four_data() -> dict[str, Any]:
    return json.loads(FOUR_DATA.read_text(encoding="utf-8"))


class FourCheckForm(forms.Form):
    """Fixated, obsessive, unwanted, repeated: one question each. Nothing is stored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for q in four_data()["questions"]:
            self.fields[q["id"]] = forms.ChoiceField(
                label=q["question"],
                help_text=q["examples"],
                choices=FOUR_ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": f"Choose yes, no or not sure for: {q['question']}", "invalid_choice": "Choose one of the answers"},
            )

    @property
    def questions(self) -> list[dict[str, Any]]:
        return [{**q, "field": self[q["id"]]} for q in four_data()["questions"]]


def four_outcome(answers: dict[str, str]) -> dict[str, Any]:
    """What the answers suggest, in plain words. Not a legal judgement."""
    yes = {k for k, v in answers.items() if v == "yes"}
    unsure = {k for k, v in answers.items() if v == "unsure"}
    if {"unwanted", "repeated"} <= yes:
        kind = "pattern"
    elif "unwanted" in yes:
        kind = "once"
    elif "unwanted" in unsure or "repeated" in unsure:
        kind = "unsure"
    else:
        kind = "not_unwanted"
    return {"kind": kind, "yes": yes, "fixated_or_obsessive": bool(yes & {"fixated", "obsessive"}), "count": len(yes)}


def answer_field(name: str) -> str:
    return f"answer_{name}"


def note_field(name: str) -> str:
    return f"note_{name}"


class ScreeningForm(forms.Form):
    """Every question needs the person's own answer: yes, no or don't know. Nothing is pre-selected."""

    context = forms.CharField(
        label="Anything else about what is going on (optional)",
        help_text="For example a recent separation, a court date, or what worries you most. Only you, and anyone you share this case with, can read it.",
        required=False,
        max_length=MAX_CONTEXT,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_CONTEXT}),
        error_messages={"max_length": f"Keep this under {MAX_CONTEXT:,} characters"},
    )

    def __init__(self, *args: Any, instrument: instruments.Instrument, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for q in instrument.questions:
            self.fields[answer_field(q.id)] = forms.ChoiceField(
                label=q.asks,
                help_text=q.help,
                choices=ANSWERS,
                widget=forms.RadioSelect,
                error_messages={"required": f"Answer yes, no or I don't know for: {q.topic}", "invalid_choice": f"Choose one of the answers for: {q.topic}"},
            )
            self.fields[note_field(q.id)] = forms.CharField(
                label="Details (optional)",
                required=False,
                max_length=MAX_NOTE,
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_NOTE}),
                error_messages={"max_length": f"Keep the details for '{q.topic}' under {MAX_NOTE:,} characters"},
            )
        # The context box last.
        self.order_fields([*[n for q in instrument.questions for n in (answer_field(q.id), note_field(q.id))], "context"])

    def answers(self) -> dict[str, str]:
        return {q.id: self.cleaned_data[answer_field(q.id)] for q in self.instrument.questions}

    def notes(self) -> dict[str, str]:
        return {q.id: self.cleaned_data.get(note_field(q.id)) or "" for q in self.instrument.questions}
