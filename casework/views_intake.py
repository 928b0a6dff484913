"""Thin views of the intake side: the daily file, the public self-referral form, a partner's referral form,
merging duplicates and changing safe-contact rules after an identity check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.actions import AuditAction
from audit.services import record_staff
from casework import feed, feedjobs, identity, merge, police, selfreferral, services
from casework.forms_intake import FeedForm, MergeForm, PartnerReferralForm, SafeContactForm, SelfReferralForm, referral_input_from
from casework.models import Client, ClientMerge, Consent, FeedStatus, FeedUpload, Referral, Source
from casework.policy import Sight, client_in_org, sight
from organisations.access import Can, staff_view
from organisations.forms import add_errors
from organisations.models import LawfulBasis, Organisation


@staff_view(Can.TAKE_FEED)
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = FeedForm(request.POST or None, request.FILES or None, organisation=staff.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            taken = feedjobs.feed_receive(
                staff=staff, credential=form.cleaned_data["credential"], upload=form.cleaned_data["file"], file_format=form.cleaned_data["file_format"]
            )
        except feed.FeedRefused as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, "Daily file received and stored. It is read in the background: this page shows how far it has got.")
            return redirect("staff_feed", slug=staff.organisation.slug, upload_id=taken.pk)
    uploads = FeedUpload.objects.filter(organisation=staff.organisation).select_related("credential")[:50]
    context = {"staff": staff, "form": form, "uploads": uploads, "columns": feed.COLUMNS}
    return render(request, "casework/feeds.html", context, status=400 if form.errors else 200)


def _upload(staff: object, upload_id: int) -> FeedUpload:
    upload = FeedUpload.objects.select_related("credential", "organisation").filter(organisation=staff.organisation, pk=upload_id).first()  # type: ignore[attr-defined]
    if upload is None:
        raise Http404("No such page")
    return upload


@staff_view(Can.TAKE_FEED)
def feed_detail(request: HttpRequest, upload_id: int) -> HttpResponse:
    staff = request.staff
    upload = _upload(staff, upload_id)
    feedjobs.keep_going(upload)
    return render(request, "casework/feed.html", {"staff": staff, "upload": upload})


@staff_view(Can.TAKE_FEED)
@require_GET
def feed_status(request: HttpRequest, upload_id: int) -> JsonResponse:
    """How far the worker has got, for the progress bar (kernel/static/kernel/progress.js)."""
    upload = _upload(request.staff, upload_id)
    feedjobs.keep_going(upload)
    body = {"status": upload.status, "stage": upload.get_status_display(), "percent": upload.percent, "problem": upload.problem}
    response = JsonResponse(body)
    response["Cache-Control"] = "no-store"
    return response


@staff_view(Can.TAKE_FEED)
def feed_rejects(request: HttpRequest, upload_id: int) -> HttpResponse:
    staff = request.staff
    upload = _upload(staff, upload_id)
    if not upload.rejected or upload.status != FeedStatus.DONE:
        raise Http404("No such page")
    with transaction.atomic():
        record_staff(staff.user, AuditAction.FEED_REJECTS_DOWNLOADED, organisation=staff.organisation, target=f"file {upload.pk}")
    kind = "text/csv" if upload.file_format == "csv" else "application/x-ndjson"
    response = HttpResponse(feed.rejects_file(upload), content_type=f"{kind}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-rows-{upload.pk}.{upload.file_format}"'
    response["Cache-Control"] = "no-store"
    return response


def _open_organisation(slug: str) -> Organisation:
    org = Organisation.objects.select_related("settings").filter(slug=slug, settings__self_referral_open=True).first()
    if org is None:
        raise Http404("No such page")
    return org


@require_http_methods(["GET", "POST"])
def self_referral(request: HttpRequest, slug: str) -> HttpResponse:
    """The public form: no account, no confirmation e-mail or text, the same answer whoever it is about."""
    org = _open_organisation(slug)
    context = {"organisation": org, "settings": org.settings}
    if request.method == "POST" and selfreferral.too_large(request):
        return render(request, "casework/self_referral_limited.html", context | {"why": "The form was too long to send."}, status=413)
    form = SelfReferralForm(request.POST or None, initial={"shown": selfreferral.shown_stamp()})
    refused = ""
    if request.method == "POST":
        if selfreferral.rate_limited(request, org.pk):
            return render(request, "casework/self_referral_limited.html", context | {"why": "Too many forms have been sent from here."}, status=429)
        if (request.POST.get("website") or "").strip():
            with transaction.atomic():
                record_staff(None, AuditAction.SELF_REFERRAL_TRAPPED, organisation=org, target="honeypot")
            return redirect("self_referral_sent", slug=org.slug)
        if not selfreferral.stamp_ok(request.POST.get("shown", "")):
            form = SelfReferralForm(request.POST, initial={"shown": selfreferral.shown_stamp()})
            form.is_valid()
            form.add_error(None, "Please check your answers and send the form again.")
            form.data = form.data.copy()
            form.data["shown"] = selfreferral.shown_stamp()
        elif form.is_valid():
            consent = form.consent()
            basis = LawfulBasis.CONSENT if consent in (Consent.SELF, Consent.THIRD_PARTY_KNOWS) else LawfulBasis.LEGITIMATE_INTERESTS
            data = referral_input_from(
                form, source=Source.SELF, consent=consent, lawful_basis=basis, referrer=form.cleaned_data.get("referrer") or "", sender="Self-referral form"
            )
            try:
                services.referral_store(organisation=org, data=data)
            except services.ReferralRefused as exc:
                refused = str(exc)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                return redirect("self_referral_sent", slug=org.slug)
    return render(request, "casework/self_referral.html", context | {"form": form, "refused": refused}, status=400 if form.errors or refused else 200)


def self_referral_sent(request: HttpRequest, slug: str) -> HttpResponse:
    org = _open_organisation(slug)
    return render(request, "casework/self_referral_sent.html", {"organisation": org, "settings": org.settings})


@staff_view(Can.REFER_AS_PARTNER)
@require_http_methods(["GET", "POST"])
def partner_referrals(request: HttpRequest) -> HttpResponse:
    """A partner's referral form and what became of its own referrals (never their content)."""
    staff = request.staff
    agreement = staff.membership.agreement
    form = PartnerReferralForm(request.POST or None)
    refused = ""
    if request.method == "POST" and agreement is not None and form.is_valid():
        data = referral_input_from(
            form,
            source=Source.PROFESSIONAL,
            consent=form.cleaned_data["consent"],
            lawful_basis=agreement.lawful_basis,
            agreement=agreement,
            sender=agreement.partner,
            referrer=form.cleaned_data["referrer"],
        )
        try:
            referral, _ = services.referral_store(organisation=staff.organisation, data=data, membership=staff.membership)
        except services.ReferralRefused as exc:
            refused = str(exc)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Referral {referral.reference} sent. The service will contact the person safely.")
            return redirect("staff_partner_referrals", slug=staff.organisation.slug)
    sent = Referral.objects.filter(organisation=staff.organisation, recorded_by=staff.membership, source=Source.PROFESSIONAL).order_by("-received_at")[:100]
    unreachable = police.unreachable_after(staff.organisation)
    rows = [{"referral": r, "outcome": police.outcome(r, unreachable).replace("_", " ")} for r in sent]
    context = {"staff": staff, "form": form, "refused": refused, "agreement": agreement, "rows": rows}
    return render(request, "casework/partner_referrals.html", context, status=400 if form.errors or refused else 200)


def _full(staff: object, client_id: object) -> Client:
    client = client_in_org(staff, client_id)  # type: ignore[arg-type]
    if sight(staff, client) is not Sight.FULL:  # type: ignore[arg-type]
        raise Http404("No such page")
    return client


@staff_view(Can.TRIAGE)
@require_POST
def client_merge(request: HttpRequest, client_id: int) -> HttpResponse:
    staff = request.staff
    kept = _full(staff, client_id)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why these are the same person.")
        return redirect("staff_client", slug=staff.organisation.slug, client_id=kept.pk)
    other = _full(staff, form.cleaned_data["other"])
    try:
        merge.client_merge(staff=staff, kept=kept, merged=other, reason=form.cleaned_data["reason"])
        messages.success(request, f"{other.reference} merged into {kept.reference}. You can undo this on this page.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff_client", slug=staff.organisation.slug, client_id=kept.pk)


@staff_view(Can.TRIAGE)
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    staff = request.staff
    found = ClientMerge.objects.filter(organisation=staff.organisation, pk=merge_id).select_related("kept").first()
    if found is None:
        raise Http404("No such page")
    kept = _full(staff, found.kept_id)
    try:
        merge.client_unmerge(staff=staff, merge=found)
        messages.success(request, "Merge undone: both records are as they were.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff_client", slug=staff.organisation.slug, client_id=kept.pk)


@staff_view()
@require_http_methods(["GET", "POST"])
def safe_contact(request: HttpRequest, client_id: int) -> HttpResponse:
    staff = request.staff
    if not (staff.can(Can.TRIAGE) or staff.can(Can.SEE_CLIENTS)):
        raise Http404("No such page")
    client = _full(staff, client_id)
    rules = client.safe_contact or {}
    form = SafeContactForm(request.POST or None, initial=rules)
    if request.method == "POST" and form.is_valid():
        try:
            identity.safe_contact_change(staff=staff, client=client, rules=form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Safe-contact rules changed.")
            return redirect("staff_client", slug=staff.organisation.slug, client_id=client.pk)
    context = {
        "staff": staff,
        "client": client,
        "form": form,
        "confirmed": identity.recently_confirmed(staff, client),
        "ncnd": identity.NEITHER_CONFIRM_NOR_DENY,
    }
    return render(request, "casework/safe_contact.html", context, status=400 if form.errors else 200)
