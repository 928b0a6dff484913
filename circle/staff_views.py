"""The staff side of a shared diary: beside the client record, read-only and live. Every view that shows anything
of the person's diary starts with :func:`circle.policy.shared_for` (one policy: a share in force, in scope), which
also writes the read down. Staff never change the diary; the one write is the service's own kept copy."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from cases.policy import child_or_404
from casework.policy import client_in_org
from circle import forms, selectors, shares
from circle.policy import Part, incidents_in_scope, may_see_client, shared_for, shares_of
from circle.scope import scope_of
from diary import selectors as diary_selectors
from evidence import selectors as evidence_selectors
from insights import instruments
from insights import selectors as insight_selectors
from organisations.access import staff_view
from reports import services as report_services
from reports.models import Report
from vault import store, stream


def _client(staff: Any, client_id: int) -> Any:
    client = client_in_org(staff, client_id)
    if not may_see_client(staff, client):
        raise Http404("No such page")
    return client


def _base(staff: Any, share: Any, **more: Any) -> dict[str, Any]:
    return {"staff": staff, "client": share.client, "share": share, "scope": scope_of(share).words(), **more}


@staff_view()
@require_safe
def panel(request: HttpRequest, client_id: int) -> HttpResponse:
    """The client's shared diaries (scope and since, no content), the code form and the service's kept copies."""
    staff = request.staff
    client = _client(staff, client_id)
    rows = [{"share": s, "scope": scope_of(s).words()} for s in shares_of(staff, client)]
    context = {
        "staff": staff,
        "client": client,
        "rows": rows,
        "form": forms.ScopeForm(initial={"diary": True, "screening": True, "evidence": "descriptions"}),
        "kept": selectors.kept_copies(staff.organisation, client),
        "minutes": shares.code_minutes(),
    }
    return render(request, "circle/staff/panel.html", context)


@staff_view()
@require_POST
def code_new(request: HttpRequest, client_id: int) -> HttpResponse:
    staff = request.staff
    client = _client(staff, client_id)
    form = forms.ScopeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what the service asks the person to share.")
        return redirect("staff_client_diary", slug=staff.organisation.slug, client_id=client.pk)
    code = shares.code_issue(staff=staff, client=client, scope=form.scope())
    context = {"staff": staff, "client": client, "code": code, "asked": form.scope().words(), "minutes": shares.code_minutes()}
    response = render(request, "circle/staff/code.html", context)
    response["Cache-Control"] = "no-store"
    return response


@staff_view()
@require_safe
def timeline(request: HttpRequest, client_id: int, share_id: str) -> HttpResponse:
    staff = request.staff
    share = shared_for(staff, client_id, share_id, Part.DIARY)
    order = "oldest" if request.GET.get("order") == "oldest" else "newest"
    page = diary_selectors.timeline_page(share.case, {"date_from": share.diary_from, "order": order}, request.GET.get("after"))
    return render(request, "circle/staff/timeline.html", _base(staff, share, page=page, order=order))


@staff_view()
@require_safe
def incident(request: HttpRequest, client_id: int, share_id: str, number: int) -> HttpResponse:
    staff = request.staff
    share = shared_for(staff, client_id, share_id, Part.DIARY, target=f"diary: incident {number}")
    item = child_or_404(incidents_in_scope(share).select_related("crime_reference", "breached_order"), share.case, number=number)
    return render(request, "circle/staff/incident.html", _base(staff, share, incident=item, keep=forms.KeepForm(initial={"what": f"incident:{item.number}"})))


@staff_view()
@require_safe
def evidence(request: HttpRequest, client_id: int, share_id: str) -> HttpResponse:
    staff = request.staff
    share = shared_for(staff, client_id, share_id, Part.EVIDENCE)
    return render(request, "circle/staff/evidence.html", _base(staff, share, exhibits=evidence_selectors.exhibits(share.case), files=share.evidence == "files"))


def _attachment(reader: Any, filename: str, media_type: str) -> StreamingHttpResponse:
    def body():  # noqa: ANN202
        try:
            while piece := reader.read(1024 * 1024):
                yield piece
        finally:
            reader.close()

    response = StreamingHttpResponse(body(), content_type=media_type or "application/octet-stream")
    response["Content-Length"] = str(reader.size)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "no-store"
    return response


@staff_view()
@require_safe
def exhibit_file(request: HttpRequest, client_id: int, share_id: str, number: int) -> HttpResponse:
    staff = request.staff
    share = shared_for(staff, client_id, share_id, Part.FILES, target=f"files: exhibit {number}")
    item = evidence_selectors.exhibit(share.case, number)
    if item.kind != "file" or item.original is None or item.original.status != "complete":
        raise Http404("No file")
    try:
        reader = store.open_reader(share.case, item.original)
    except (OSError, stream.BlobError) as exc:
        raise Http404("The file is not available") from exc
    return _attachment(reader, f"exhibit-{item.number}", item.media_type)


@staff_view()
@require_safe
def reports(request: HttpRequest, client_id: int, share_id: str) -> HttpResponse:
    staff = request.staff
    share = shared_for(staff, client_id, share_id, Part.REPORTS)
    rows = [r for r in Report.objects.filter(case=share.case) if r.is_available]
    return render(request, "circle/staff/reports.html", _base(staff, share, reports=rows))


@staff_view()
@require_safe
def report_pdf(request: HttpRequest, client_id: int, share_id: str, report_id: str) -> HttpResponse:
    staff = request.staff
    share = shared_for(staff, client_id, share_id, Part.REPORTS, target=f"reports: {report_id}"[:60])
    report = child_or_404(Report, share.case, uuid=report_id)
    if not report.is_available:
        raise Http404("Not available")
    try:
        reader = report_services.reader_for(report, "pdf")()
    except (OSError, stream.BlobError, FileNotFoundError) as exc:
        raise Http404("The file is not available") from exc
    return _attachment(reader, f"report-{report.short_id}.pdf", "application/pdf")


def _suggested(analysis: Any) -> list[dict[str, Any]]:
    out = []
    for inst in instruments.all_instruments():
        found = instruments.suggestions(inst, analysis)
        out.append({"instrument": inst, "rows": [{"q": q, "s": found[q.id]} for q in inst.questions]})
    return out


@staff_view()
@require_safe
def pattern(request: HttpRequest, client_id: int, share_id: str) -> HttpResponse:
    """The diary's findings and the suggested screening answers, for the service's own risk form."""
    staff = request.staff
    share = shared_for(staff, client_id, share_id, Part.SCREENING)
    analysis = insight_selectors.case_analysis(share.case, incidents=incidents_in_scope(share))
    context = _base(
        staff,
        share,
        a=analysis,
        suggested=_suggested(analysis),
        screenings=insight_selectors.screenings(share.case)[:5],
        keep=forms.KeepForm(initial={"what": "findings"}),
    )
    return render(request, "circle/staff/pattern.html", context)


def _copy_text(share: Any, what: str) -> tuple[Part, str, str]:
    """(part needed, the words of what is copied, its text as read now)."""
    if what == "findings":
        analysis = insight_selectors.case_analysis(share.case, incidents=incidents_in_scope(share))
        lines = [f"{f.title}: {f.summary}" for f in analysis.findings]
        return Part.SCREENING, "The diary's findings", "\n".join(lines) or "No findings."
    if what.startswith("incident:") and what[9:].isdigit():
        item = child_or_404(incidents_in_scope(share), share.case, number=int(what[9:]))
        when = f"{item.occurred_at:%-d %B %Y %H:%M}"
        return Part.DIARY, f"Incident {item.number}", f"{when}. {item.location}\n{item.description}".strip()
    raise Http404("Nothing to copy")


@staff_view()
@require_POST
def keep(request: HttpRequest, client_id: int, share_id: str) -> HttpResponse:
    staff = request.staff
    form = forms.KeepForm(request.POST)
    what = request.POST.get("what", "")
    part = Part.SCREENING if what == "findings" else Part.DIARY
    share = shared_for(staff, client_id, share_id, part, target=f"copy: {what}"[:60])
    _, words, text = _copy_text(share, what)
    if not form.is_valid():
        messages.error(request, "Say what the service relies on this for (up to 500 characters).")
    else:
        try:
            shares.copy_keep(staff=staff, share=share, what=words, text=text, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, " ".join(m for ms in exc.message_dict.values() for m in ms))
        else:
            messages.success(request, f"{words} kept in the client record as a copy.")
    return redirect("staff_client_diary", slug=staff.organisation.slug, client_id=share.client.pk)
