"""Writes for insights: keeping a screening, and loading an organisation's licensed instrument wording.

Each write is one transaction with an audit row (screenings), as everywhere in Daybook."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.services import record
from cases.models import Case
from insights import instruments
from insights.analysis import Analysis
from insights.models import ANSWERS, InstrumentWording, Screening

ANSWER_VALUES = {value for value, _ in ANSWERS}
MAX_NOTE = 1000
MAX_CONTEXT = 5000


def record_screening(
    case: Case,
    user: Any,
    instrument: instruments.Instrument,
    answers: dict[str, str],
    analysis: Analysis,
    notes: dict[str, str] | None = None,
    context: str = "",
) -> Screening:
    """Keep a screening: every question must have an answer the person chose (yes, no, don't know)."""
    missing = [qid for qid in instrument.ids if answers.get(qid) not in ANSWER_VALUES]
    if missing:
        raise ValueError(f"Every question needs an answer: {', '.join(missing)}")
    unknown = set(answers) - set(instrument.ids)
    if unknown:
        raise ValueError(f"Answers for questions this instrument does not have: {', '.join(sorted(unknown))}")
    notes = {qid: text.strip()[:MAX_NOTE] for qid, text in (notes or {}).items() if qid in instrument.ids and text and text.strip()}
    suggested = {q.id: instruments.suggest(q, analysis).answer for q in instrument.questions}
    combos = instruments.combinations(instrument, answers, analysis)
    with transaction.atomic():
        screening = Screening(
            case=case,
            instrument=instrument.id,
            instrument_version=instrument.version,
            created_at=timezone.now(),
            created_by=user if getattr(user, "pk", None) else None,
            answers={qid: answers[qid] for qid in instrument.ids},
            suggested=suggested,
            incidents=analysis.total,
            combinations=[c.key for c in combos],
        )
        screening.details = {
            "notes": notes,
            "context": (context or "").strip()[:MAX_CONTEXT],
            "findings": [{"key": f.key, "title": f.title, "summary": f.summary} for f in analysis.findings],
        }
        screening.save()
        record(user, "screening.recorded", case, f"{instrument.id} {screening.uuid}")
    return screening


def load_wording(data: dict[str, Any]) -> int:
    """Load an organisation's licensed wording for an instrument's questions. Returns the number of questions.

    ``data`` is ``{"instrument": id, "licence": "who gave permission, when", "questions": [{"id", "text", "help"}]}``.
    Every question of the instrument must be given, so the instrument is never shown half in official words."""
    inst_id = data.get("instrument")
    raw_instrument = instruments.get(str(inst_id)) if inst_id else None
    if raw_instrument is None:
        raise ValueError(f"No instrument '{inst_id}'. Known: {', '.join(instruments.instrument_ids())}")
    licence = str(data.get("licence") or "").strip()
    if not licence:
        raise ValueError("Say who gave permission to use this wording, and when ('licence').")
    questions = data.get("questions")
    if not isinstance(questions, list):
        raise ValueError("'questions' must be a list of {id, text, help}.")
    given: dict[str, tuple[str, str]] = {}
    for q in questions:
        if not isinstance(q, dict):
            raise ValueError("Each question must be an object with id, text and help.")
        qid = str(q.get("id") or "")
        text = str(q.get("text") or "").strip()
        help_text = str(q.get("help") or "").strip()
        if qid not in raw_instrument.ids:
            raise ValueError(f"{inst_id} has no question '{qid}'.")
        if not text:
            raise ValueError(f"{qid}: the text is empty.")
        if len(text) > instruments.MAX_TEXT or len(help_text) > instruments.MAX_TEXT:
            raise ValueError(f"{qid}: text and help must each be under {instruments.MAX_TEXT} characters.")
        if qid in given:
            raise ValueError(f"{qid} is given twice.")
        given[qid] = (text, help_text)
    missing = [qid for qid in raw_instrument.ids if qid not in given]
    if missing:
        raise ValueError(f"Wording is missing for {', '.join(missing)}: give every question.")
    with transaction.atomic():
        InstrumentWording.objects.filter(instrument=inst_id).delete()
        InstrumentWording.objects.bulk_create(
            [InstrumentWording(instrument=inst_id, question_id=qid, text=t, help=h, licence=licence[:300]) for qid, (t, h) in given.items()]
        )
    return len(given)


def clear_wording(instrument_id: str) -> int:
    deleted, _ = InstrumentWording.objects.filter(instrument=instrument_id).delete()
    return deleted
