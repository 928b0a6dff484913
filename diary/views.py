"""Thin views for the diary: quick capture, the full form, the timeline, history and integrity."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Case
from cases.policy import Action, case_for, cases_for, child_or_404
from cases.services import create_case, save_crime_reference
from diary import integrity as integrity_checks
from diary import selectors, services, taxonomy
from diary.demo import load_sample_case
from diary.forms import IncidentForm, QuickCaptureForm, RetractForm, TimelineFilterForm
from diary.models import Incident


def _saved_words(incident: Incident, words: str) -> str:
    """The confirmation; for a note sent twice, that it was already saved (once)."""
    if getattr(incident, "repeated", False):
        return f"This was already saved as incident {incident.number}: it was sent twice and is kept once."
    return words


def _incident(case: Case, number: int) -> Incident:
    return child_or_404(Incident.objects.select_related("crime_reference", "breached_order"), case, number=number)


@login_required
@require_http_methods(["GET", "POST"])
def quick_capture(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.RECORD)
    form = QuickCaptureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        incident = services.create_incident(case, request.user, form.to_data(), quick=True, submission=form.cleaned_data["submission"])
        request.session["last_case"] = case.pk
        messages.success(request, _saved_words(incident, f"Saved as incident {incident.number}. You can add more detail later."))
        return redirect("incident_detail", case_id=case.pk, number=incident.number)
    return render(request, "diary/quick_capture.html", {"form": form, "case": case})


# The case a first note starts when the person has none yet: a neutral name they can change, nothing else said.
FIRST_CASE_LABEL = "My diary"


@login_required
@require_http_methods(["GET", "POST"])
def quick_capture_any(request: HttpRequest) -> HttpResponse:
    cases = list(cases_for(request.user))
    if not cases:
        # The first note comes first: the case is made from it, and can be named and filled in later.
        form = QuickCaptureForm(request.POST or None)
        form.fields["description"].help_text = "A few words is enough. It is kept in a new case that you can name and fill in later."
        if request.method == "POST" and form.is_valid():
            with transaction.atomic():
                case = create_case(request.user, label=FIRST_CASE_LABEL)
                incident = services.create_incident(case, request.user, form.to_data(), quick=True, submission=form.cleaned_data["submission"])
            request.session["last_case"] = case.pk
            messages.success(
                request,
                f"Saved as incident {incident.number}, in a new case called '{FIRST_CASE_LABEL}'. "
                "You can rename it and say who is doing this whenever you are ready.",
            )
            return redirect("incident_detail", case_id=case.pk, number=incident.number)
        return render(request, "diary/quick_capture.html", {"form": form, "case": None})
    if request.method == "POST" and (done := services.already_saved(cases, request.POST.get("submission", ""))) is not None:
        # The first note, sent again (a retry after it was saved and its case made): show the note, make nothing.
        messages.info(request, _saved_words(done, ""))
        return redirect("incident_detail", case_id=done.case_id, number=done.number)
    last = request.session.get("last_case")
    chosen = next((c for c in cases if c.pk == last), None)
    if len(cases) == 1 or chosen:
        return redirect("quick_capture", case_id=(chosen or cases[0]).pk)
    return render(request, "diary/choose_case.html", {"cases": cases})


def _with_new_reference(form: IncidentForm, case: Case, user: Any) -> services.IncidentData:
    """The form's data; a crime reference number typed in place joins the case first (inside the caller's transaction)."""
    data = form.to_data()
    if form.new_reference:
        data.crime_reference = save_crime_reference(case, user, None, reference=form.new_reference)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.RECORD)
    form = IncidentForm(request.POST or None, case=case)
    if request.method == "POST" and form.is_valid():
        submission = form.cleaned_data["submission"]
        with transaction.atomic():
            incident = services.already_saved([case], submission) or services.create_incident(
                case, request.user, _with_new_reference(form, case, request.user), submission=submission
            )
        request.session["last_case"] = case.pk
        messages.success(request, _saved_words(incident, f"Incident {incident.number} saved."))
        return redirect("incident_detail", case_id=case.pk, number=incident.number)
    return render(request, "diary/incident_form.html", {"form": form, "case": case, "creating": True})


@login_required
def incident_detail(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    incident = _incident(case, number)
    history = []
    for version, payload in services.version_payloads(incident):
        version.incident.case = case
        history.append({"version": version, "changes": [services.describe_change(f) for f in version.changed_fields], "payload": payload})
    return render(request, "diary/incident_detail.html", {"case": case, "incident": incident, "history": history})


@login_required
@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    incident = _incident(case, number)
    if incident.retracted:
        messages.info(request, "This entry is retracted, so it cannot be changed.")
        return redirect("incident_detail", case_id=case.pk, number=number)
    data = services.IncidentData.from_incident(incident)
    rows = len(data.witnesses) + 1
    initial = IncidentForm.initial_from(data)
    if incident.needs_detail and not incident.reported:
        initial["reported"] = None  # a quick note never asked: nothing is chosen for the person
    form = IncidentForm(request.POST or None, case=case, initial=initial, witness_rows=max(rows, 2))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            version = services.edit_incident(incident, request.user, _with_new_reference(form, case, request.user))
        if version is None:
            messages.info(request, "Nothing was changed.")
        else:
            messages.success(request, f"Saved as version {version.version}. The earlier version is kept in the history.")
        return redirect("incident_detail", case_id=case.pk, number=number)
    return render(request, "diary/incident_form.html", {"form": form, "case": case, "incident": incident, "creating": False})


@login_required
@require_http_methods(["GET", "POST"])
def incident_retract(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    incident = _incident(case, number)
    if incident.retracted:
        messages.info(request, "This entry is already retracted.")
        return redirect("incident_detail", case_id=case.pk, number=number)
    form = RetractForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.retract_incident(incident, request.user, form.cleaned_data["reason"])
        messages.success(request, f"Incident {number} is retracted. It stays in your log, marked as retracted.")
        return redirect("incident_detail", case_id=case.pk, number=number)
    return render(request, "diary/retract.html", {"form": form, "case": case, "incident": incident})


@login_required
def timeline(request: HttpRequest, case_id: int) -> HttpResponse:
    """Search words and filters are posted and kept in the session (never in the address, so never in the browser's
    history); the address only ever carries the page cursor. Filters in the query string still work for old links."""
    case = case_for(request.user, case_id, Action.VIEW)
    key = f"timeline_filters_{case.pk}"
    if request.method == "POST" or "clear" in request.GET:
        request.session.pop(key, None)
        form = TimelineFilterForm(request.POST) if request.method == "POST" and "clear" not in request.POST else None
        if form is None or form.is_valid():
            if form is not None:
                request.session[key] = {name: request.POST[name] for name in form.fields if request.POST.get(name)}
            return redirect("timeline", case_id=case.pk)
    else:
        from_address = {name: request.GET[name] for name in TimelineFilterForm.base_fields if name in request.GET}
        source = from_address or request.session.get(key)
        form = TimelineFilterForm(source or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    page = selectors.timeline_page(case, filters, request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    next_url = None
    if page.next_cursor:
        query["after"] = page.next_cursor
        next_url = f"{reverse('timeline', args=[case.pk])}?{query.urlencode()}"
    active = {k: v for k, v in filters.items() if v and k != "order"}
    context = {
        "case": case,
        "form": form,
        "page": page,
        "next_url": next_url,
        "is_later_page": bool(request.GET.get("after")),
        "filters_active": bool(active),
        "weeks": selectors.weekly_counts(case),
        "chart_width": 260,
        "total": selectors.total_incidents(case),
        "needing_detail": selectors.needing_detail(case),
    }
    return render(request, "diary/timeline.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def integrity(request: HttpRequest, case_id: int) -> HttpResponse:
    """Small cases are checked as the page loads; large ones by the background worker (the page follows it), which
    starts by itself when entries were added since the last verdict."""
    case = case_for(request.user, case_id, Action.VIEW)
    if request.method == "POST":
        integrity_checks.request_check(case, request.user)
        return redirect("integrity", case_id=case.pk)
    state = integrity_checks.page_state(case, request.user)  # the checks record themselves in the audit trail
    context = {"case": case, "state": state, **vars(state)}
    return render(request, "diary/integrity.html", context)


@login_required
@require_POST
def load_sample(request: HttpRequest) -> HttpResponse:
    case = load_sample_case(request.user)
    messages.success(request, "A sample case has been added. It is made-up data to show how Daybook works.")
    return redirect("timeline", case_id=case.pk)


def behaviours_help(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "diary/behaviours.html",
        {"groups": taxonomy.groups(), "legal": taxonomy.legal_examples(), "legal_source": taxonomy.legal_source()},
    )
