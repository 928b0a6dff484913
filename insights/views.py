"""Thin views for insights. Every case page goes through cases.policy.case_for; the FOUR check is public
and stores nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from cases.models import Case
from cases.policy import Action, case_for
from insights import instruments, next_steps, overview, selectors, services
from insights import thresholds as T
from insights.analysis import Analysis
from insights.forms import FourCheckForm, ScreeningForm, answer_field, four_data, four_outcome, note_field
from insights.models import ANSWERS, Screening

ANSWER_LABELS = dict(ANSWERS)
# Findings drawn with a red rule: the warning signs the research names.
SERIOUS = {"escalation_frequency", "escalation_seriousness", "threats", "suicide_threats", "danger", "frequent_visits", "breaches", "repeat_domestic"}


@login_required
def case_overview(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    analysis = selectors.case_analysis(case)
    latest = selectors.screenings(case)[:1]
    context = {
        "case": case,
        "a": analysis,
        "charts": overview.charts_for(analysis) if analysis.total else None,
        "summary": overview.first_screen(analysis) if analysis.total else None,
        "period": overview.period_text(analysis),
        "silent": [c for c in analysis.checks if not c.found],
        "thresholds": T.ALL,
        "not_prediction": T.NOT_PREDICTION,
        "suggest_screening": analysis.total >= T.COURSE_OF_CONDUCT.value or analysis.danger > 0,
        "latest_screening": latest[0] if latest else None,
        "serious": SERIOUS,
    }
    return render(request, "insights/overview.html", context)


@require_http_methods(["GET", "POST"])
def four_check(request: HttpRequest) -> HttpResponse:
    """The FOUR self-check. The answers are used to write the page and then forgotten: nothing is saved."""
    form = FourCheckForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = four_outcome(form.cleaned_data)
    context = {
        "form": form,
        "result": result,
        "source": four_data()["source"],
        "steps": next_steps.steps(high_risk=False, for_case=False) if result else [],
    }
    return render(request, "insights/four.html", context)


@login_required
def screening_index(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    kept = selectors.screenings(case)
    names = {i.id: i for i in instruments.all_instruments()}
    return render(
        request,
        "insights/screening_index.html",
        {
            "case": case,
            "instruments": list(names.values()),
            "screenings": [(s, names.get(s.instrument)) for s in kept],
            "history": selectors.history(case),
            "answer_labels": ANSWER_LABELS,
            "not_prediction": T.NOT_PREDICTION,
        },
    )


def _instrument(instrument_id: str) -> instruments.Instrument:
    inst = instruments.get(instrument_id)
    if inst is None or "person" not in inst.audience:  # the DASH is the service side's (justice/risk.py)
        raise Http404("No such instrument")
    return inst


@login_required
@require_http_methods(["GET", "POST"])
def screening_new(request: HttpRequest, case_id: int, instrument_id: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.RECORD)
    inst = _instrument(instrument_id)
    analysis = selectors.case_analysis(case)
    form = ScreeningForm(request.POST or None, instrument=inst)
    if request.method == "POST" and form.is_valid():
        screening = services.record_screening(case, request.user, inst, form.answers(), analysis, form.notes(), form.cleaned_data.get("context", ""))
        messages.success(request, "Screening saved. It is kept with today's date, so you can see later how things have changed.")
        return redirect("screening_detail", case_id=case.pk, screening_id=screening.uuid)
    found = instruments.suggestions(inst, analysis)
    questions = [
        {"q": q, "answer": form[answer_field(q.id)], "note": form[note_field(q.id)], "suggestion": found[q.id], "number": i}
        for i, q in enumerate(inst.questions, start=1)
    ]
    return render(
        request,
        "insights/screening_form.html",
        {"case": case, "instrument": inst, "form": form, "questions": questions, "a": analysis, "answer_labels": ANSWER_LABELS},
    )


def _outcome(case: Case, screening: Screening) -> dict[str, Any]:
    inst = instruments.get(screening.instrument)
    if inst is None:
        raise Http404("No such instrument")
    analysis: Analysis = selectors.case_analysis(case)
    combos = [c for c in instruments.combinations(inst, screening.answers, analysis) if c.key in set(screening.combinations)]
    notes = screening.notes
    rows = []
    for i, q in enumerate(inst.questions, start=1):
        answer = screening.answers.get(q.id, "")
        suggested = screening.suggested.get(q.id)
        rows.append(
            {
                "number": i,
                "q": q,
                "answer": answer,
                "answer_label": ANSWER_LABELS.get(answer, "Not asked"),
                "suggested_label": ANSWER_LABELS.get(suggested, "") if suggested else "",
                "differs": bool(suggested and answer and suggested != answer),
                "note": notes.get(q.id, ""),
            }
        )
    prev = selectors.previous(screening)
    changes = []
    if prev is not None:
        for q in inst.questions:
            before, now = prev.answers.get(q.id), screening.answers.get(q.id)
            if before and now and before != now:
                changes.append({"q": q, "before": ANSWER_LABELS.get(before, before), "now": ANSWER_LABELS.get(now, now)})
    yes = sum(1 for r in rows if r["answer"] == "yes")
    refs = list(case.crime_references.all())
    return {
        "case": case,
        "screening": screening,
        "instrument": inst,
        "rows": rows,
        "yes": yes,
        "unknown": sum(1 for r in rows if r["answer"] == "unknown"),
        "combos": combos,
        "findings": screening.findings,
        "previous": prev,
        "changes": changes,
        "steps": next_steps.steps(high_risk=bool(combos), high_risk_reasons=[c.title for c in combos], crime_references=refs),
        "refs": refs,
        "not_prediction": T.NOT_PREDICTION,
        "current": analysis,
    }


@login_required
def screening_detail(request: HttpRequest, case_id: int, screening_id: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    screening = selectors.screening(case, screening_id)
    return render(request, "insights/screening_detail.html", _outcome(case, screening))


@login_required
def screening_print(request: HttpRequest, case_id: int, screening_id: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    screening = selectors.screening(case, screening_id)
    return render(request, "insights/screening_print.html", _outcome(case, screening))
