"""The person's data pages: download everything, load an export, delete a case or the account, choose notices.
Thin: the rules are in services.py, load.py, deletion.py. Another person's export or case is a missing page; a case
this person already deleted is "gone" (410)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from audit.actions import AuditAction
from audit.services import record
from cases.policy import Action, case_for, cases_for
from takeout import deletion, forms, services
from takeout.models import Export, Load, NoticeChoice


def _add_errors(form: forms.forms.Form, exc: ValidationError) -> None:
    for name, problems in exc.message_dict.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "takeout/gone.html", status=410)


@login_required
@require_http_methods(["GET", "POST"])
def data_home(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        services.request_export(request.user)
        messages.success(request, "Your copy is being made. This page shows when it is ready.")
        return redirect("takeout_home")
    exports = list(Export.objects.filter(owner=request.user)[:5])
    for export in exports:
        services.keep_going(export)
    return render(
        request,
        "takeout/home.html",
        {
            "exports": exports,
            "working": any(e.status in {"queued", "running"} for e in exports),
            "cases": list(cases_for(request.user)),
            "pending": deletion.pending_for(request.user),
            "cooling_days": deletion.cooling_days(),
        },
    )


@login_required
@require_safe
def export_download(request: HttpRequest, export_id: str) -> HttpResponse:
    export = Export.objects.filter(owner=request.user, uuid=_uuid_or_404(export_id)).first()
    if export is None:
        raise Http404("No such export")
    if export.status == "expired" or (export.expires_at and export.expires_at < timezone.now()):
        return _gone(request)
    if export.status != "ready":
        raise Http404("Not ready")
    services.downloaded(request.user, export)
    response = StreamingHttpResponse(services.read(export), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="my-data-{export.requested_at:%Y-%m-%d}.zip"'
    response["Content-Length"] = str(export.size)
    return response


def _uuid_or_404(value: str) -> str:
    import uuid  # noqa: PLC0415

    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise Http404("No such export") from exc


@login_required
@require_http_methods(["GET", "POST"])
def load(request: HttpRequest) -> HttpResponse:
    """Upload an export: sealed at once, checked and loaded by the worker (a large one takes minutes)."""
    posted = request.method == "POST"
    form = forms.LoadForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        job = services.request_load(request.user, form.cleaned_data["export"].chunks())
        return redirect("takeout_load_status", load_id=job.uuid)
    return render(request, "takeout/load.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_safe
def load_status(request: HttpRequest, load_id: str) -> HttpResponse:
    job = Load.objects.filter(owner=request.user, uuid=_uuid_or_404(load_id)).first()
    if job is None:
        raise Http404("No such load")
    services.keep_going(job)
    return render(request, "takeout/load_status.html", {"job": job})


@login_required
@require_http_methods(["GET", "POST"])
def case_delete(request: HttpRequest, case_id: int) -> HttpResponse:
    if deletion.deleted_case(request.user, case_id) is not None:
        return _gone(request)
    case = case_for(request.user, case_id, Action.MANAGE)
    form = forms.PassphraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deletion.delete_case(user=request.user, case=case, passphrase=form.cleaned_data["passphrase"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "The case has been deleted. Its key was destroyed first, so no copy of it can be read.")
            return redirect("takeout_home")
    return render(request, "takeout/case_delete.html", {"case": case, "form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    pending = deletion.pending_for(request.user)
    form = forms.PassphraseForm(request.POST or None)
    if request.method == "POST" and pending is None and form.is_valid():
        try:
            pending = deletion.request_account_deletion(user=request.user, passphrase=form.cleaned_data["passphrase"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Your account will be deleted. You can cancel until then.")
            return redirect("takeout_account_delete")
    context = {"form": form, "pending": pending, "cooling_days": deletion.cooling_days()}
    return render(request, "takeout/account_delete.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def account_delete_cancel(request: HttpRequest) -> HttpResponse:
    pending = deletion.pending_for(request.user)
    form = forms.PassphraseForm(request.POST)
    if pending is not None and form.is_valid():
        try:
            deletion.cancel_account_deletion(user=request.user, passphrase=form.cleaned_data["passphrase"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, "Deleting your account is cancelled. Nothing was deleted.")
            return redirect("takeout_account_delete")
    if pending is None:
        return redirect("takeout_account_delete")
    context = {"form": forms.PassphraseForm(), "cancel_form": form, "pending": pending, "cooling_days": deletion.cooling_days()}
    return render(request, "takeout/account_delete.html", context, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def notices(request: HttpRequest) -> HttpResponse:
    choice = NoticeChoice.objects.filter(owner=request.user).first()
    initial = {"wording": choice.wording if choice else "none", "subject": choice.subject if choice else ""}
    form = forms.NoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        NoticeChoice.objects.update_or_create(
            owner=request.user, defaults={"wording": form.cleaned_data["wording"], "subject": form.cleaned_data["subject"], "changed_at": timezone.now()}
        )
        record(request.user, AuditAction.NOTICES_CHANGED, None, form.cleaned_data["wording"])
        messages.success(request, "Your choice is saved.")
        return redirect("takeout_notices")
    return render(request, "takeout/notices.html", {"form": form, "email": bool(request.user.email)}, status=400 if form.errors else 200)
