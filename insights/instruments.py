"""Risk screening instruments as data, the diary's suggestions for each question, and what the answers mean.

An instrument is a JSON file in ``insights/data/instruments/``: question IDs, topics, text, help, the
combination marks of each question and the diary rules that suggest an answer. Daybook ships its own
indicators (its own words) and the S-DASH by question ID and topic only: the S-DASH wording is
restricted and never ships. An organisation holding permission loads it with
``manage.py load_instrument_wording FILE`` (rows of :class:`insights.models.InstrumentWording`).

Rule kinds (``rules`` of a question):

* ``relationship``: ``yes``/``no`` lists of ``Case.relationship`` values;
* ``behaviours``: a ``group`` of behaviour codes by name, from ``insights/data/code_groups.json`` (the same groups
  the analysis uses); incidents with any of its codes suggest yes;
* ``visits_per_week``: weeks with more than three visits or approaches (S-DASH topic);
* ``danger``: incidents marked "I felt in danger";
* ``finding``: ``keys`` of findings from ``insights.analysis`` (``insights.analysis.checks``);
* ``context``: the diary cannot tell; no suggestion.

The diary only ever suggests; the person confirms every answer (yes, no or don't know).

This is the one registry for both sides: an instrument's ``audience`` (``person``, ``staff`` or both; the person's
side when unsaid) says where it is offered. The service side (justice/risk.py) records the S-DASH and the DASH by
question ID through :func:`get`, with the same licensed wording, never its own copy.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from cases.models import RELATIONSHIPS
from insights import thresholds as T
from insights.analysis import Analysis, Point, point, visit_weeks
from insights.analysis.codes import code_group, code_groups
from kernel.words import day_text, plural, times

DATA = Path(__file__).parent / "data" / "instruments"
AUDIENCES = {"person", "staff"}
RULE_KINDS = {"relationship", "behaviours", "visits_per_week", "danger", "finding", "context"}
MARKS = {"intimate", "threats", "violence", "fear", "duration", "escalation", "past_violence"}
MAX_TEXT = 2000


class InstrumentError(ValueError):
    pass


@dataclass(frozen=True)
class Question:
    id: str
    topic: str
    text: str
    help: str
    marks: tuple[str, ...]
    rules: tuple[dict[str, Any], ...]
    licensed: bool = False  # text and help come from an organisation's licensed wording

    @property
    def asks(self) -> str:
        """What the person reads: the question text, or the topic when the wording is not available."""
        return self.text or self.topic


@dataclass(frozen=True)
class Instrument:
    id: str
    version: int
    name: str
    short_name: str
    description: str
    source: str
    licence: str
    wording_restricted: bool
    questions: tuple[Question, ...]
    wording_licence: str = ""  # set when an organisation's wording is loaded
    audience: tuple[str, ...] = ("person",)  # where it is offered: the person's side, the staff side

    @property
    def has_wording(self) -> bool:
        return all(q.text for q in self.questions)

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]


def validate(raw: dict[str, Any], name: str = "") -> None:
    """Raise InstrumentError if an instrument file is malformed."""
    for key in ("id", "version", "name", "questions"):
        if key not in raw:
            raise InstrumentError(f"{name}: missing '{key}'")
    if not set(raw.get("audience", ["person"])) <= AUDIENCES or not raw.get("audience", ["person"]):
        raise InstrumentError(f"{name}: audience must name some of {sorted(AUDIENCES)}")
    seen = set()
    for q in raw["questions"]:
        qid = q.get("id")
        if not qid or qid in seen:
            raise InstrumentError(f"{name}: question without an id, or a repeated id ({qid})")
        seen.add(qid)
        if not q.get("topic"):
            raise InstrumentError(f"{name}: {qid} has no topic")
        if raw.get("wording_restricted") and (q.get("text") or q.get("help")):
            raise InstrumentError(f"{name}: {qid} carries text, but this instrument's wording is restricted and must not ship")
        for mark in q.get("marks", []):
            if mark not in MARKS:
                raise InstrumentError(f"{name}: {qid} has an unknown mark {mark}")
        for rule in q.get("rules", []):
            if rule.get("kind") not in RULE_KINDS:
                raise InstrumentError(f"{name}: {qid} has an unknown rule kind {rule.get('kind')}")
            if rule["kind"] == "behaviours" and rule.get("group") not in code_groups():
                raise InstrumentError(f"{name}: {qid} names no known code group ({rule.get('group')}): see insights/data/code_groups.json")


@cache
def _files() -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(DATA.glob("*.json")):
        raw = json.loads(path.read_text(encoding="utf-8"))
        validate(raw, path.name)
        out[raw["id"]] = raw
    return out


def instrument_ids() -> list[str]:
    return list(_files())


def _build(raw: dict[str, Any], wording: dict[str, tuple[str, str]], licence: str) -> Instrument:
    questions = []
    for q in raw["questions"]:
        text, help_text = q.get("text", ""), q.get("help", "")
        licensed = False
        if q["id"] in wording:
            text, help_text = wording[q["id"]]
            licensed = True
        questions.append(Question(q["id"], q["topic"], text, help_text, tuple(q.get("marks", [])), tuple(q.get("rules", [])), licensed))
    return Instrument(
        raw["id"],
        int(raw["version"]),
        raw["name"],
        raw.get("short_name") or raw["name"],
        raw.get("description", ""),
        raw.get("source", ""),
        raw.get("licence", ""),
        bool(raw.get("wording_restricted")),
        tuple(questions),
        licence,
        tuple(raw.get("audience", ["person"])),
    )


def get(instrument_id: str) -> Instrument | None:
    """The instrument with any licensed wording an organisation has loaded."""
    raw = _files().get(instrument_id)
    if raw is None:
        return None
    from insights.models import InstrumentWording  # noqa: PLC0415

    rows = list(InstrumentWording.objects.filter(instrument=instrument_id))
    wording = {r.question_id: (r.text, r.help) for r in rows}
    licence = rows[0].licence if rows else ""
    return _build(raw, wording, licence)


def all_instruments(audience: str = "person") -> list[Instrument]:
    """The instruments offered to ``audience``: ``person`` (the diary's screening) or ``staff`` (risk assessment)."""
    return [i for i in (get(x) for x in instrument_ids()) if i is not None and audience in i.audience]


# --- Suggestions from the diary --------------------------------------------------------------------------


@dataclass
class Suggestion:
    answer: str | None  # "yes", "no" or None (the diary cannot tell)
    points: list[Point] = field(default_factory=list)
    cannot_tell: bool = False  # a context question: the diary does not record this

    @property
    def numbers(self) -> list[int]:
        return [r.number for p in self.points for r in p.refs]


RELATIONSHIP_LABELS = dict(RELATIONSHIPS)


def rule_codes(rule: dict[str, Any]) -> frozenset[str]:
    """The behaviour codes a ``behaviours`` rule looks for: its named code group."""
    return code_group(rule["group"])


def suggest(question: Question, analysis: Analysis) -> Suggestion:
    """What the diary suggests for one question, with the incidents behind it."""
    points: list[Point] = []
    answer: str | None = None
    cannot_tell = False
    facts = analysis.facts
    for rule in question.rules:
        kind = rule["kind"]
        if kind == "relationship":
            rel = analysis.relationship
            label = RELATIONSHIP_LABELS.get(rel, rel).lower()
            if rel in rule.get("yes", []):
                answer = "yes"
                points.append(Point(f"Your case says they are your {label}."))
            elif rel in rule.get("no", []) and answer is None:
                answer = "no"
                points.append(Point(f"Your case says they are: {label}."))
            elif not rel:
                points.append(Point("Not said: your case does not say who they are to you, so the diary suggests nothing."))
        elif kind == "behaviours":
            codes = rule_codes(rule)
            hits = [f for f in facts if f.codes and not codes.isdisjoint(f.codes)]
            if hits:
                answer = "yes"
                what = rule.get("label") or "these behaviours"
                points.append(point(f"Your diary records {what} {plural(len(hits), 'time')}, most recently on {day_text(hits[-1].day)}.", hits))
        elif kind == "visits_per_week":
            weeks = visit_weeks(analysis.buckets.turning_up)
            if weeks:
                answer = "yes"
                for week, fs in weeks[-5:]:
                    points.append(point(f"Turned up at your home, work or other places {times(len(fs))} in the week of {day_text(week)}.", fs))
                if len(weeks) > 5:
                    points.insert(0, Point(f"{plural(len(weeks), 'week')} with more than {T.VISITS_PER_WEEK.value} visits; the latest 5 are shown."))
        elif kind == "danger":
            hits = analysis.buckets.danger
            if hits:
                answer = "yes"
                points.append(point(f"You marked {plural(len(hits), 'incident')} 'I felt in danger', most recently on {day_text(hits[-1].day)}.", hits))
        elif kind == "finding":
            for key in rule.get("keys", []):
                found = analysis.finding(key)
                if found is None:
                    continue
                answer = "yes"
                points.append(Point(found.summary))
                for p in found.points:
                    if p.refs:
                        points.append(p)
        elif kind == "context":
            cannot_tell = True
    return Suggestion(answer, points, cannot_tell and answer is None)


def suggestions(instrument: Instrument, analysis: Analysis) -> dict[str, Suggestion]:
    return {q.id: suggest(q, analysis) for q in instrument.questions}


# --- What the answers mean: the highest-risk combinations ---------------------------------------------------


@dataclass(frozen=True)
class Combination:
    key: str
    title: str
    why: str  # plain words
    source: str
    from_diary: bool = False  # named from the diary's findings, not from an answer


COMBINATIONS = {
    "ex_intimate_threats": (
        "A partner or ex-partner who has made threats",
        "Research finds that people stalked by an ex-partner who has threatened them are the group most at risk of being attacked.",
        T.EX_INTIMATE_THREATS_SOURCE,
    ),
    "escalation": (
        "It is getting worse",
        "Stalking that is becoming more frequent or more serious was found in most cases that ended in homicide.",
        T.ESCALATION_SOURCE,
    ),
    "duration": (
        "It has gone on for more than two weeks",
        "Stalking that lasts beyond two weeks is more likely to persist and to become more threatening.",
        T.DURATION_SOURCE,
    ),
    "fear": (
        "You fear what they might do",
        "How frightened you are matters: you are often the best judge of the danger you are in.",
        T.FEAR_SOURCE,
    ),
    "violence": (
        "Violence, now or in the past",
        "Past violence is one of the most important warning signs of future violence.",
        T.PAST_VIOLENCE_SOURCE,
    ),
}


def _yes_marks(instrument: Instrument, answers: dict[str, str]) -> set[str]:
    marks: set[str] = set()
    for q in instrument.questions:
        if answers.get(q.id) == "yes":
            marks.update(q.marks)
    return marks


def combinations(instrument: Instrument, answers: dict[str, str], analysis: Analysis) -> list[Combination]:
    """The highest-risk combinations present, from the confirmed answers; where the instrument has no question
    for something (the S-DASH asks nothing about the relationship, duration or escalation) the case and the diary
    findings are used and the combination says so."""
    marks = _yes_marks(instrument, answers)
    asked = {m for q in instrument.questions for m in q.marks}
    diary: set[str] = set()
    if "intimate" not in asked and analysis.relationship in ("ex_partner", "partner"):
        marks.add("intimate")
        diary.add("intimate")
    if "duration" not in asked and analysis.fired("duration"):
        marks.add("duration")
        diary.add("duration")
    if "escalation" not in asked and (analysis.fired("escalation_frequency") or analysis.fired("escalation_seriousness")):
        marks.add("escalation")
        diary.add("escalation")
    if "threats" not in asked and analysis.fired("threats"):
        marks.add("threats")
        diary.add("threats")
    present: list[tuple[str, set[str]]] = []
    if {"intimate", "threats"} <= marks:
        present.append(("ex_intimate_threats", {"intimate", "threats"}))
    if "escalation" in marks:
        present.append(("escalation", {"escalation"}))
    if "duration" in marks:
        present.append(("duration", {"duration"}))
    if "fear" in marks:
        present.append(("fear", {"fear"}))
    if marks & {"violence", "past_violence"}:
        present.append(("violence", marks & {"violence", "past_violence"}))
    out = []
    for key, needs in present:
        title, why, source = COMBINATIONS[key]
        out.append(Combination(key, title, why, source, from_diary=bool(needs & diary)))
    return out
