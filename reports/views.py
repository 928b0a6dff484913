"""Thin views for reports, bundles and hand-over links.

Owner pages go through ``cases.policy.case_for`` (refusals are 404s). The hand-over pages are public: whoever
holds a live link may see the report's size and fingerprints and download it; an unknown, expired, revoked or used
link gets the same kind of plain page with no data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.services import record
from cases.models import Case
from cases.policy import Action, case_for, child_or_404
from reports import forms, services
from reports.impact import gather_impact
from reports.models import Handover, Report
from reports.options import ReportOptions
from vault import stream


def _report(case: Case, report_id: Any) -> Report:
    return child_or_404(Report, case, uuid=report_id)


@login_required
def report_list(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    services.sweep_expired(case=case)
    reports = list(Report.objects.filter(case=case).exclude(status="deleted")[:50])
    for r in reports:
        r.case = case
    return render(request, "reports/list.html", {"case": case, "reports": reports, "has_incidents": case.incidents.exists()})


@login_required
def report_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    timestamp_available = bool(services.tsa_url())
    form = forms.ReportForm(request.POST or None, timestamp_available=timestamp_available)
    problem = ""
    if request.method == "POST" and form.is_valid():
        try:
            report = services.request_report(
                case,
                request.user,
                form.options(),
                with_bundle=form.cleaned_data.get("with_bundle", False),
                with_timestamp=form.cleaned_data.get("with_timestamp", False),
            )
        except services.NothingToReport as exc:
            problem = str(exc)
            form.add_error(None, problem)
        else:
            return redirect("report_detail", case_id=case.pk, report_id=report.uuid)
    has_incidents = case.incidents.exists()
    return render(
        request,
        "reports/new.html",
        {"case": case, "form": form, "has_incidents": has_incidents, "timestamp_available": timestamp_available},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def report_detail(request: HttpRequest, case_id: int, report_id: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    report = _report(case, report_id)
    services.revive_if_dead(report)
    services.requeue_if_lost(report)
    if report.status == "done" and not report.is_available:
        services.sweep_expired(case=case)
        report.refresh_from_db()
        report.case = case
    handovers = list(report.handovers.prefetch_related("downloads"))
    now = timezone.now()
    for h in handovers:
        h.report = report
        h.current = h.state(now)
    new_link = request.session.pop(f"handover-{report.uuid}", None)
    options = ReportOptions.from_dict(report.options or {})
    return render(
        request,
        "reports/detail.html",
        {
            "case": case,
            "report": report,
            "options": options,
            "handovers": handovers,
            "new_link": new_link,
            "form": forms.HandoverForm(),
            "max_days": services.handover_max_days(),
            "pending": report.status in {"queued", "running"},
        },
    )


@login_required
def report_status(request: HttpRequest, case_id: int, report_id: str) -> JsonResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    report = _report(case, report_id)
    services.revive_if_dead(report)
    services.requeue_if_lost(report)
    return JsonResponse({"status": report.status, "stage": report.stage, "percent": report.percent, "problem": report.problem})


def _download(request: HttpRequest, report: Report, what: str, on_complete: Any = None) -> HttpResponse:
    """The PDF from its sealed file; the bundle made as it is sent from the sealed originals (reports.bundle)."""
    if what == "bundle" and not report.bundle_name:
        try:
            size, pieces = services.stream_bundle(report)
        except services.BundleUnavailable as exc:
            return render(request, "reports/bundle_problem.html", {"problem": str(exc)}, status=409)
        return _response(pieces, size, report.file_name(what), MEDIA[what], on_complete)
    return _stream(services.reader_for(report, what), report.file_name(what), MEDIA[what], on_complete)


def _response(pieces: Any, size: int, filename: str, media_type: str, on_complete: Any = None) -> HttpResponse:
    def body():  # noqa: ANN202
        sent = 0
        for piece in pieces:
            sent += len(piece)
            yield piece
        if on_complete and sent == size:
            on_complete()

    response = StreamingHttpResponse(body(), content_type=media_type)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _stream(reader_factory: Any, filename: str, media_type: str, on_complete: Any = None) -> HttpResponse:
    try:
        reader = reader_factory()
    except (OSError, stream.BlobError, FileNotFoundError) as exc:
        raise Http404("The file is not available") from exc
    size = reader.size

    def body():  # noqa: ANN202
        sent = 0
        try:
            while True:
                piece = reader.read(1024 * 1024)
                if not piece:
                    break
                sent += len(piece)
                yield piece
            if on_complete and sent == size:
                on_complete()
        finally:
            reader.close()

    response = StreamingHttpResponse(body(), content_type=media_type)
    response["Content-Length"] = str(size)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


MEDIA = {"pdf": "application/pdf", "bundle": "application/zip"}


@login_required
def report_download(request: HttpRequest, case_id: int, report_id: str, what: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    report = _report(case, report_id)
    if what not in MEDIA or not report.is_available or (what == "bundle" and not report.has_bundle):
        raise Http404("Not available")
    record(request.user, "report.downloaded", case, f"report {report.short_id} {what}")
    return _download(request, report, what)


@login_required
@require_POST
def report_delete(request: HttpRequest, case_id: int, report_id: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    report = _report(case, report_id)
    services.delete_report(report, request.user)
    messages.success(request, "The report files were deleted and its hand-over links stopped.")
    return redirect("report_list", case_id=case.pk)


@login_required
@require_POST
def handover_new(request: HttpRequest, case_id: int, report_id: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.MANAGE)
    report = _report(case, report_id)
    form = forms.HandoverForm(request.POST)
    if not report.is_available:
        messages.error(request, "This report is no longer available, so no link can be made. Make a new report.")
        return redirect("report_detail", case_id=case.pk, report_id=report.uuid)
    if not form.is_valid():
        handovers = list(report.handovers.all())
        for h in handovers:
            h.report = report
            h.current = h.state()
        return render(
            request,
            "reports/detail.html",
            {
                "case": case,
                "report": report,
                "options": ReportOptions.from_dict(report.options or {}),
                "handovers": handovers,
                "form": form,
                "max_days": services.handover_max_days(),
                "pending": False,
            },
            status=400,
        )
    made = services.create_handover(
        report, request.user, recipient=form.cleaned_data["recipient"], days=int(form.cleaned_data["days"]), single_use=form.cleaned_data["single_use"]
    )
    # Shown once, on the next page: only a hash of the secret is kept.
    request.session[f"handover-{report.uuid}"] = request.build_absolute_uri(reverse("handover") + "?key=" + made.token)
    return redirect(reverse("report_detail", args=[case.pk, report.uuid]) + "#new-link")


@login_required
@require_POST
def handover_revoke(request: HttpRequest, case_id: int, report_id: str, handover_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.MANAGE)
    report = _report(case, report_id)
    handover = Handover.objects.filter(report=report, pk=handover_id).first()
    if handover is None:
        raise Http404("No such link")
    handover.report = report
    services.revoke_handover(handover, request.user)
    messages.success(request, "The link was stopped. It will not work again.")
    return redirect("report_detail", case_id=case.pk, report_id=report.uuid)


@login_required
def impact(request: HttpRequest, case_id: int) -> HttpResponse:
    """The person's own words about how it made them feel: a starting point for a Victim Personal Statement."""
    case = case_for(request.user, case_id, Action.VIEW)
    entries = gather_impact(case, ReportOptions(include_private_notes=False))
    return render(request, "reports/impact.html", {"case": case, "entries": entries})


# ---------------------------------------------------------------------------------------------- public hand-over

GONE_REASONS = {
    "revoked": "The person who gave you this link has stopped it.",
    "expired": "This link has expired.",
    "used": "This link could be used once, and it has been used.",
    None: "This link does not work. Check it was copied in full.",
}


def _live_handover(request: HttpRequest, token: str) -> tuple[Handover | None, HttpResponse | None]:
    handover = services.handover_for(token)
    state = handover.state() if handover else None
    if handover is None or state != "active":
        reason = GONE_REASONS.get(state, GONE_REASONS[None])
        response = render(request, "reports/handover_gone.html", {"reason": reason}, status=404 if handover is None else 410)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return None, response
    return handover, None


def handover(request: HttpRequest) -> HttpResponse:
    token = request.GET.get("key", "")
    handover_row, gone = _live_handover(request, token)
    if gone:
        return gone
    assert handover_row is not None
    report = handover_row.report
    response = render(request, "reports/handover.html", {"report": report, "handover": handover_row, "token": token})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
def handover_download(request: HttpRequest, what: str) -> HttpResponse:
    """POST, so link previews and prefetchers never use up a one-time link or count as a download."""
    token = request.POST.get("key", "")
    handover_row, gone = _live_handover(request, token)
    if gone:
        return gone
    assert handover_row is not None
    report = handover_row.report
    if what not in MEDIA or (what == "bundle" and not report.has_bundle):
        raise Http404("Not available")
    client = {"ip": request.META.get("REMOTE_ADDR", ""), "browser": request.headers.get("User-Agent", "")[:200]}
    download = services.record_download(handover_row, what, client)
    return _download(request, report, what, on_complete=lambda: services.mark_completed(download.pk))
