"""Thin views for the evidence locker. Every one goes through ``cases.policy.case_for``; refusals are 404s.

The upload protocol (JSON, used by evidence/static/evidence/uploader.js; a small protocol of our own):

* ``POST uploads/`` with ``{"name", "size", "last_modified", "incident", "photo_of"}``: opens an upload, or
  finds the unfinished upload of the same file, and answers ``{"id", "offset", "chunk_size", "url", "finish_url"}``.
  An empty file, one over the limit, or one that will not fit on the server is refused at once (400/413/507).
* ``PUT uploads/<id>/`` with ``Upload-Offset: <n>`` and the bytes from ``n``: encrypted as they arrive and
  committed; answers ``{"offset"}``. A wrong offset gets 409 with the right one. Every chunk but the last is
  a whole number of MiB, at most 8 MiB.
* ``GET``/``HEAD uploads/<id>/``: the committed offset (``Upload-Offset`` header too): where to resume.
* ``POST uploads/<id>/finish/``: seals the file and makes the exhibit; answers the exhibit, or the existing
  exhibit when the same file is already in the case (``"duplicate": true``).
* ``DELETE uploads/<id>/`` (or ``POST uploads/<id>/discard/`` from a form): forgets the upload.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import record
from cases.models import Case
from cases.policy import Action, case_for, child_or_404
from diary.models import Incident
from evidence import forms, limits, names, selectors, services, sniff, tasks
from evidence import uploads as resumable
from evidence.models import Exhibit, UploadSession
from evidence.uploading import READ_SIZE, SealingUploadHandler, request_chunks
from kernel.sizes import human_size
from vault import store, stream


def _targets(case: Case, incident: Any, photo_of: Any, strict: bool = True) -> services.Details:
    """The incident and the physical item new files are for (by number, in this case); unknown ones are a 404,
    or ignored when not ``strict``."""
    details = services.Details()
    incident, photo_of = _number(incident), _number(photo_of)
    if incident:
        details.incident = Incident.objects.filter(case=case, number=incident).first()
        if details.incident is None and strict:
            raise Http404("No such incident")
    if photo_of:
        details.photo_of = Exhibit.objects.filter(case=case, number=photo_of, kind="physical").first()
        if details.photo_of is None and strict:
            raise Http404("No such item")
    for target in (details.incident, details.photo_of):
        if target is not None:
            target.case = case
    return details


def _number(value: Any) -> int | None:
    """A number within a case (1 to 999 999 999) from a form field or JSON, or None for anything else."""
    if isinstance(value, bool):
        return None
    text = str(value) if isinstance(value, int | str) else ""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def _details_from(request: HttpRequest, case: Case, body: bool = True) -> services.Details:
    """From ``?incident=N`` / ``?photo_of=N`` (or the same fields of a posted form, unless ``body=False``: the file
    form must not touch the body before its upload handler is set)."""
    source = request.POST if body and request.method == "POST" else request.GET
    return _targets(case, source.get("incident") or request.GET.get("incident"), source.get("photo_of") or request.GET.get("photo_of"))


@login_required
def locker(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    rows = selectors.exhibits(case)
    uploads = list(selectors.open_uploads(case))
    return render(
        request,
        "evidence/locker.html",
        {
            "case": case,
            "files": [e for e in rows if e.kind == "file"],
            "items": [e for e in rows if e.kind == "physical"],
            "uploads": uploads,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD"])
def add_files(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.RECORD)
    details = _details_from(request, case)
    return _add_page(request, case, details.incident, details.photo_of)


def _add_page(
    request: HttpRequest, case: Case, incident: Incident | None, item: Exhibit | None, errors: list[tuple[str, str]] | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "evidence/add.html",
        {
            "case": case,
            "incident": incident,
            "item": item,
            "limit": limits.max_upload_bytes(),
            "limit_text": human_size(limits.max_upload_bytes()),
            "uploads": list(selectors.open_uploads(case)),
            "errors": errors or [],
        },
        status=status,
    )


@csrf_exempt
@login_required
@require_POST
def add_files_form(request: HttpRequest, case_id: int) -> HttpResponse:
    """The plain form (no JavaScript): files stream through SealingUploadHandler, never to disk in the clear.

    The access check comes first; the CSRF check is made by the inner view, and anything staged by a request
    that fails it is thrown away."""
    case = case_for(request.user, case_id, Action.RECORD)
    details = _details_from(request, case, body=False)
    handler = SealingUploadHandler(request, case, request.user, details)
    request.upload_handlers = [handler]
    response = _add_files_form(request, case, handler, details.incident, details.photo_of)
    if response.status_code == 403:
        handler.upload_interrupted()
    return response


@csrf_protect
def _add_files_form(request: HttpRequest, case: Case, handler: SealingUploadHandler, incident: Incident | None, item: Exhibit | None) -> HttpResponse:
    files = request.FILES.getlist("files")  # reading the body runs the handler
    errors = list(handler.errors)
    added, duplicates = [], []
    for session in list(handler.sessions):
        session.refresh_from_db()
        try:
            result = resumable.finish_upload(session, request.user)
        except limits.UploadError as exc:
            errors.append((session.name, exc.message))
            resumable.discard_upload(session, request.user)
            continue
        (added if result.created else duplicates).append(result.exhibit)
    if not files and not errors:
        errors.append(("", "Choose one or more files to add."))
    for exhibit in added:
        messages.success(request, f"Saved and sealed as exhibit {exhibit.reference}.")
    for exhibit in duplicates:
        messages.info(
            request, f"{_shown(exhibit)} is already in your evidence as exhibit {exhibit.reference} (the same SHA-256 fingerprint). It was not added again."
        )
    if errors:
        return _add_page(request, case, incident, item, errors=[(names.display_name(n, "file") if n else "", m) for n, m in errors], status=400)
    if incident is not None:
        return redirect("incident_detail", case_id=case.pk, number=incident.number)
    if item is not None:
        return redirect("exhibit_detail", case_id=case.pk, number=item.number)
    return redirect("evidence", case_id=case.pk)


def _shown(exhibit: Exhibit) -> str:
    return selectors.shown_name(exhibit)


# ------------------------------------------------------------------ the upload protocol


def _error(exc: limits.UploadError) -> JsonResponse:
    body: dict[str, Any] = {"error": exc.message}
    if exc.offset is not None:
        body["offset"] = exc.offset
    response = JsonResponse(body, status=exc.status)
    if exc.offset is not None:
        response["Upload-Offset"] = str(exc.offset)
    return response


NOT_UNDERSTOOD = "The upload could not be started: the request was not understood."
# Sizes and times beyond these are nonsense (and would not fit a database integer).
LARGEST = 2**53


def _start_request(body: Any) -> tuple[str, int, int | None] | None:
    """(name, size, last_modified) from the JSON that opens an upload, or None if it is not what the uploader sends:
    an object with a text name, a whole-number size and optionally a whole-number modification time."""
    if not isinstance(body, dict):
        return None
    name, size, last_modified = body.get("name") or "", body.get("size"), body.get("last_modified")
    whole = lambda v: isinstance(v, int) and not isinstance(v, bool) and -LARGEST < v < LARGEST  # noqa: E731
    if not isinstance(name, str) or not whole(size) or not (last_modified is None or whole(last_modified)):
        return None
    return name[:1000], size, last_modified


def _drain(request: HttpRequest, length: int) -> None:
    """Read what is left of a refused chunk, so the connection stays usable and the client reads our answer
    (a server that answers without reading the body resets the connection under the client)."""
    if 0 < length <= limits.MAX_CHUNK + READ_SIZE:
        for _ in request_chunks(request, length):
            pass


def _upload_json(case: Case, upload: UploadSession) -> dict[str, Any]:
    url = reverse("evidence_upload", args=[case.pk, upload.uuid])
    return {
        "id": str(upload.uuid),
        "name": names.display_name(upload.name, "file"),
        "size": upload.size,
        "offset": upload.received,
        "chunk_size": limits.CHUNK,
        "url": url,
        "finish_url": reverse("evidence_upload_finish", args=[case.pk, upload.uuid]),
    }


def _upload(case: Case, upload_id: str) -> UploadSession:
    return child_or_404(UploadSession, case, uuid=upload_id)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def uploads(request: HttpRequest, case_id: int) -> HttpResponse:
    if request.method in ("GET", "HEAD"):
        case = case_for(request.user, case_id, Action.VIEW)
        return JsonResponse({"uploads": [_upload_json(case, u) for u in selectors.open_uploads(case)], "limit": limits.max_upload_bytes()})
    case = case_for(request.user, case_id, Action.RECORD)
    try:
        body = json.loads(request.body or b"{}")
    except RequestDataTooBig:
        return JsonResponse({"error": NOT_UNDERSTOOD}, status=413)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested beyond reason
        body = None
    start = _start_request(body)
    if start is None:
        return JsonResponse({"error": NOT_UNDERSTOOD}, status=400)
    name, size, last_modified = start
    details = _targets(case, body.get("incident"), body.get("photo_of"), strict=False)
    existing = resumable.matching_upload(case, name, size, last_modified) if 0 < size <= limits.max_upload_bytes() else None
    if existing is not None:
        return JsonResponse(_upload_json(case, existing), status=200)
    try:
        upload = resumable.start_upload(case, request.user, name=name, size=size, last_modified=last_modified, details=details)
    except limits.UploadError as exc:
        return _error(exc)
    return JsonResponse(_upload_json(case, upload), status=201)


@login_required
@require_http_methods(["GET", "HEAD", "PUT", "DELETE"])
def upload(request: HttpRequest, case_id: int, upload_id: str) -> HttpResponse:
    action = Action.VIEW if request.method in ("GET", "HEAD") else Action.RECORD
    case = case_for(request.user, case_id, action)
    item = _upload(case, upload_id)
    if request.method in ("GET", "HEAD"):
        response = JsonResponse({**_upload_json(case, item), "status": item.status})
        response["Upload-Offset"] = str(item.received)
        response["Upload-Length"] = str(item.size)
        return response
    if request.method == "DELETE":
        resumable.discard_upload(item, request.user)
        return HttpResponse(status=204)
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
        length = int(request.META.get("CONTENT_LENGTH") or -1)
    except ValueError:
        return JsonResponse({"error": "Upload-Offset and Content-Length are needed.", "offset": item.received}, status=400)
    if length < 0:
        return JsonResponse({"error": "Content-Length is needed.", "offset": item.received}, status=411)
    try:
        new_offset = resumable.receive_chunk(item, offset, request_chunks(request, length), length)
    except limits.UploadError as exc:
        _drain(request, length)
        return _error(exc)
    response = JsonResponse({"offset": new_offset, "size": item.size})
    response["Upload-Offset"] = str(new_offset)
    return response


@login_required
@require_POST
def upload_finish(request: HttpRequest, case_id: int, upload_id: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.RECORD)
    item = _upload(case, upload_id)
    try:
        result = resumable.finish_upload(item, request.user)
    except limits.UploadError as exc:
        return _error(exc)
    exhibit = result.exhibit
    exhibit.case = case
    # A repeated finish of an upload that was a duplicate reports the duplicate again.
    if result.duplicate or (not result.created and exhibit.created_at < item.created_at):
        message = f"This file is already in your evidence as exhibit {exhibit.reference} (the same SHA-256 fingerprint). It was not added again."
        duplicate = True
    else:
        message = f"Saved and sealed as exhibit {exhibit.reference}."
        duplicate = False
    return JsonResponse(
        {
            "exhibit": {
                "number": exhibit.number,
                "reference": exhibit.reference,
                "url": reverse("exhibit_detail", args=[case.pk, exhibit.number]),
                "sha256": exhibit.sha256,
            },
            "duplicate": duplicate,
            "message": message,
        },
        status=201 if result.created else 200,
    )


@login_required
@require_POST
def upload_discard(request: HttpRequest, case_id: int, upload_id: str) -> HttpResponse:
    case = case_for(request.user, case_id, Action.RECORD)
    item = _upload(case, upload_id)
    resumable.discard_upload(item, request.user)
    messages.success(request, "The unfinished upload was discarded.")
    return redirect("evidence", case_id=case.pk)


# ------------------------------------------------------------------ exhibits


@login_required
def exhibit_detail(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    item = selectors.exhibit(case, number)
    tasks.requeue_if_lost(item)  # "A preview is being made" never for ever
    incidents = list(selectors.linked_incidents(item))
    context = {
        "case": case,
        "exhibit": item,
        "name": selectors.shown_name(item) if item.is_file else "",
        "facts": selectors.fact_rows(item),
        "notes": item.content_notes if isinstance(item.content_notes, list) else [],
        "incidents": incidents,
        "photos": selectors.photos(item),
        "history": selectors.history(item),
        "links_form": forms.LinksForm(initial={"incidents": ", ".join(str(i.number) for i in incidents)}, case=case),
    }
    return render(request, "evidence/exhibit.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def exhibit_edit(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    item = selectors.exhibit(case, number)
    form_class = forms.PhysicalEditForm if item.kind == "physical" else forms.ExhibitForm
    initial = {name: getattr(item, name) for name in services.EDITABLE}
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k in services.EDITABLE}
        try:
            event = services.edit_exhibit(item, request.user, **fields)
        except ValueError as exc:
            form.add_error("reference", str(exc))
        else:
            messages.success(request, "Saved. The earlier details are kept in the exhibit's history." if event else "Nothing was changed.")
            return redirect("exhibit_detail", case_id=case.pk, number=item.number)
    return render(request, "evidence/exhibit_form.html", {"case": case, "exhibit": item, "form": form})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def physical_new(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.RECORD)
    details = _details_from(request, case)
    incident = details.incident
    form = forms.PhysicalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        details.obtained_by = d.get("obtained_by", "")
        item = services.create_physical(
            case,
            request.user,
            description=d["description"],
            received_on=d.get("received_on"),
            arrived_how=d.get("arrived_how", ""),
            kept_where=d.get("kept_where", ""),
            details=details,
        )
        messages.success(request, f"Recorded as exhibit {item.reference}. You can add photos of it.")
        return redirect("exhibit_detail", case_id=case.pk, number=item.number)
    return render(request, "evidence/physical_form.html", {"case": case, "form": form, "incident": incident})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def continuity_new(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    item = selectors.exhibit(case, number)
    form = forms.ContinuityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_continuity(item, request.user, **form.service_kwargs())
        messages.success(request, "Recorded in the exhibit's history.")
        return redirect("exhibit_detail", case_id=case.pk, number=item.number)
    return render(request, "evidence/continuity_form.html", {"case": case, "exhibit": item, "form": form})


@login_required
@require_POST
def exhibit_links(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.EDIT)
    item = selectors.exhibit(case, number)
    form = forms.LinksForm(request.POST, case=case)
    if form.is_valid():
        event = services.set_links(item, request.user, form.cleaned_data["incidents"])
        messages.success(request, "Links saved." if event else "Nothing was changed.")
        return redirect("exhibit_detail", case_id=case.pk, number=item.number)
    messages.error(request, form.errors["incidents"][0])
    return redirect(reverse("exhibit_detail", args=[case.pk, item.number]) + "#links")


RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@login_required
@require_http_methods(["GET", "HEAD"])
def download(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    """The original, decrypted on the fly, always as an attachment; one byte range at a time (so players can seek)."""
    case = case_for(request.user, case_id, Action.VIEW)
    item = selectors.exhibit(case, number)
    if item.kind != "file" or item.original is None or item.original.status != "complete":
        raise Http404("No file")
    try:
        reader = store.open_reader(case, item.original)
    except (OSError, stream.BlobError):
        return render(request, "evidence/unreadable.html", {"case": case, "exhibit": item}, status=410)
    size = reader.size
    start, end, partial = 0, size - 1, False
    header = request.headers.get("Range", "")
    match = RANGE.match(header.strip()) if header else None
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start = int(first)
            end = min(int(last), size - 1) if last else size - 1
        else:
            start = max(0, size - int(last))
        if start >= size or start > end:
            reader.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return _download_headers(response, item)
        partial = True
    # The first piece is decrypted (its tag checked) before anything is sent, so a damaged or altered file gets
    # Daybook's own page, not the server's bare error. Damage further in stops the download part-way: the browser
    # then marks it failed (the length it was promised never arrives), and never keeps it as complete.
    pieces = reader.iter_range(start, end) if request.method != "HEAD" and size else iter(())
    try:
        first = next(pieces, b"")
    except (OSError, stream.BlobError):
        reader.close()
        return render(request, "evidence/unreadable.html", {"case": case, "exhibit": item}, status=410)
    if start == 0:
        record(request.user, "exhibit.downloaded", case, f"exhibit {item.number}")

    def body():  # noqa: ANN202
        try:
            if first:
                yield first
            yield from pieces
        finally:
            reader.close()

    response = StreamingHttpResponse(body(), status=206 if partial else 200)
    if partial:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1 if size else 0)
    return _download_headers(response, item)


def _download_headers(response: HttpResponse, item: Exhibit) -> HttpResponse:
    safe = item.media_type in sniff.SAFE_DOWNLOAD_TYPES
    response["Content-Type"] = item.media_type if safe else "application/octet-stream"
    response["Content-Disposition"] = names.content_disposition(item.original_name, fallback=f"exhibit-{item.number}")
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["X-Frame-Options"] = "DENY"
    return response


@login_required
def preview(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    """The derived preview (a JPEG we made, with no metadata): safe to show in an <img>."""
    case = case_for(request.user, case_id, Action.VIEW)
    item = selectors.exhibit(case, number)
    if item.preview is None or item.preview_status != "ready":
        raise Http404("No preview")
    try:
        data = b"".join(store.iter_plaintext(case, item.preview))
    except (OSError, stream.BlobError) as exc:
        raise Http404("Preview unreadable") from exc
    response = HttpResponse(data, content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="exhibit-{item.number}-preview.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
