"""Thin views for imports: upload an export, choose, follow progress, see the result, undo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Case
from cases.policy import Action, case_for, child_or_404
from evidence import limits, names, uploads
from evidence import services as evidence
from evidence.uploading import SealingUploadHandler
from imports import flags, phrases, services, tasks
from imports.errors import ImportRefused
from imports.forms import ChoicesForm
from imports.models import Import
from imports.services import liveness
from imports.services.reading import supported_labels
from kernel import night
from kernel.sizes import human_size


def _import(case: Case, import_id: int) -> Import:
    job = child_or_404(Import.objects.select_related("exhibit"), case, pk=import_id)
    job.exhibit.case = case
    return job


def _home(request: HttpRequest, case: Case, errors: list[str] | None = None, status: int = 200) -> HttpResponse:
    imports = list(Import.objects.filter(case=case).select_related("exhibit")[:50])
    for job in imports:
        job.case = case
        job.exhibit.case = case
    context = {
        "case": case,
        "imports": imports,
        "errors": errors or [],
        "limit_text": human_size(limits.max_upload_bytes()),
        "formats": supported_labels(),
    }
    return render(request, "imports/home.html", context, status=status)


@login_required
def home(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    return _home(request, case)


@csrf_exempt  # the CSRF check is made by the inner view, after the upload handler is set
@login_required
@require_POST
def upload(request: HttpRequest, case_id: int) -> HttpResponse:
    """The export streams through the evidence locker's SealingUploadHandler: sealed as it arrives, never on disk
    in the clear. The access check comes first; the CSRF check is made by the inner view."""
    case = case_for(request.user, case_id, Action.RECORD)
    details = evidence.Details(description="A message or call-log export, added to be imported into the diary.")
    handler = SealingUploadHandler(request, case, request.user, details)
    request.upload_handlers = [handler]
    response = _upload(request, case, handler)
    if response.status_code == 403:
        handler.upload_interrupted()
    return response


@csrf_protect
def _upload(request: HttpRequest, case: Case, handler: SealingUploadHandler) -> HttpResponse:
    files = request.FILES.getlist("export")
    errors = [f"{names.display_name(n, 'file')}: {m}" if n else m for n, m in handler.errors]
    sessions = list(handler.sessions)
    if not errors and len(sessions) > 1:
        errors.append("Choose one export at a time.")
    if errors or not sessions:
        handler.upload_interrupted()
        if not files and not errors:
            errors.append("Choose the export file to import.")
        return _home(request, case, errors=errors, status=400)
    session = sessions[0]
    session.refresh_from_db()
    try:
        result = uploads.finish_upload(session, request.user)
    except limits.UploadError as exc:
        uploads.discard_upload(session, request.user)
        return _home(request, case, errors=[exc.message], status=400)
    job = services.start(case, request.user, result.exhibit)
    if job.status == "scanning":
        tasks.enqueue_scan(job)
    if not result.created:
        messages.info(request, f"This file was already in your evidence as exhibit {result.exhibit.reference}, so it was not added again.")
    return redirect("import_detail", case_id=case.pk, import_id=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, case_id: int, import_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW if request.method == "GET" else Action.RECORD)
    job = _import(case, import_id)
    liveness.keep_going(job)
    form = None
    if job.status == "ready":
        form = ChoicesForm(request.POST or None, participants=job.participants or [], initial={"time_zone": job.time_zone})
        if request.method == "POST" and form.is_valid():
            try:
                services.choose(job, request.user, form.to_choices())
            except ImportRefused as exc:
                form.add_error(None, str(exc))
            else:
                tasks.enqueue_run(job)
                return redirect("import_detail", case_id=case.pk, import_id=job.pk)
    elif request.method == "POST":
        messages.info(request, "This import has already been started.")
        return redirect("import_detail", case_id=case.pk, import_id=job.pk)
    job.refresh_from_db()
    job.case = case
    job.exhibit.case = case
    context = {
        "case": case,
        "job": job,
        "form": form,
        "exhibit": job.exhibit,
        "export_name": names.display_name(job.exhibit.original_name, "export"),
        "stats": job.stats or {},
        "warnings": job.warnings or [],
        "thresholds": {
            "burst_messages": flags.BURST_MESSAGES,
            "burst_message_minutes": flags.BURST_MESSAGE_MINUTES,
            "burst_calls": flags.BURST_CALLS,
            "burst_call_minutes": flags.BURST_CALL_MINUTES,
            "night_words": night.WORDS,
            "night_span": night.SPAN,
            "phrases": phrases.count(),
            "phrase_labels": [c.label for c in phrases.categories().values()],
        },
    }
    return render(request, "imports/detail.html", context, status=400 if form is not None and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def undo(request: HttpRequest, case_id: int, import_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    job = _import(case, import_id)
    if job.status != "done":
        messages.info(request, "Only a finished import can be undone.")
        return redirect("import_detail", case_id=case.pk, import_id=job.pk)
    if request.method == "POST":
        try:
            services.undo(job, request.user)
        except ImportRefused as exc:
            messages.info(request, str(exc))
        else:
            messages.success(request, "The import is undone. Its incidents are marked as retracted (reason: import undone); the export stays in your evidence.")
        return redirect("import_detail", case_id=case.pk, import_id=job.pk)
    return render(request, "imports/undo.html", {"case": case, "job": job, "stats": job.stats or {}})
