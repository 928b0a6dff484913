"""Thin views of the staff area's casework pages: the triage queue, referrals, clients, alerts, the access log.

Every view goes through organisations.access.staff_view (membership, MFA, idle timeout) and casework.policy
(which client, restriction, break-glass); every read of a client is written to the audit log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.actions import AuditAction
from audit.actions import label as action_label
from audit.services import record_staff
from casework import selectors, services
from casework.allocation import allocatable, caseloads, conflicts
from casework.forms import AccessLogForm, AllocateForm, BreakGlassForm, ClientSearchForm, DecisionForm, ReferralForm, RestrictForm, ScreenForm
from casework.forms_intake import FirstContactForm
from casework.gate import gate
from casework.identity import NEITHER_CONFIRM_NOR_DENY
from casework.index import duplicate_hints, possible_duplicates, search
from casework.merge import open_merges, referrals_of
from casework.models import SUCCESSFUL_OUTCOMES, Alert
from casework.policy import Sight, client_in_org, hides_name, referral_in_org, role_sees, sight, visible_clients
from organisations.access import Can, Staff, staff_view
from organisations.forms import add_errors
from organisations.models import Membership

LATEST_ATTEMPTS = 10
LOG_PAGE = 50
LOG_MAX_PAGE = 1000


@staff_view(Can.SEE_QUEUE)
def queue(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    now = timezone.now()
    try:
        page = max(1, min(int(request.GET.get("page", "1")), selectors.QUEUE_MAX_PAGE))
    except ValueError:
        page = 1
    found = list(selectors.queue(staff.organisation, limit=selectors.QUEUE_PAGE + 1, page=page))
    # One more than a page is read only to know whether there is a next page (no count of the whole queue).
    more = len(found) > selectors.QUEUE_PAGE
    duplicates = possible_duplicates(staff.organisation, [r.client_id for r in found[: selectors.QUEUE_PAGE]])
    rows = [
        {
            "referral": r,
            "risk": services.effective_risk(r),
            "unscreened": not r.screened_risk,
            "overdue": selectors.is_overdue(r, now),
            "hidden": hides_name(staff, r.client),
            "duplicate": r.client_id in duplicates,
        }
        for r in found[: selectors.QUEUE_PAGE]
    ]
    waiting = [
        {"referral": r, "overdue": selectors.is_overdue(r, now), "hidden": hides_name(staff, r.client)}
        for r in selectors.awaiting_allocation(staff.organisation)
    ]
    with transaction.atomic():
        record_staff(staff.user, AuditAction.QUEUE_VIEWED, organisation=staff.organisation, target=f"{len(rows)} referral(s)")
    pages = {"page": page, "previous": page - 1 if page > 1 else None, "next": page + 1 if more and page < selectors.QUEUE_MAX_PAGE else None}
    return render(request, "casework/queue.html", {"staff": staff, "rows": rows, "waiting": waiting, **pages})


@staff_view(Can.RECORD_REFERRAL)
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = ReferralForm(request.POST or None, organisation=staff.organisation)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_record(staff=staff, data=form.to_input())
        except services.ReferralRefused as exc:
            refused = str(exc)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Referral {referral.reference} recorded.")
            if sight(staff, referral.client) is Sight.FULL:
                return redirect("staff_referral", slug=staff.organisation.slug, referral_id=referral.pk)
            return redirect("staff_home", slug=staff.organisation.slug)
    return render(request, "casework/referral_form.html", {"staff": staff, "form": form, "refused": refused})


def _referral_page(request: HttpRequest, staff: Staff, referral_id: object, forms: dict | None = None, status: int = 200) -> HttpResponse:
    referral = referral_in_org(staff, referral_id)
    client = referral.client
    if (stop := gate(request, staff, client)) is not None:
        return stop
    services.client_read(staff=staff, client=client, action=AuditAction.REFERRAL_VIEWED, target=f"referral {referral.pk}")
    hints = [
        {
            "hint": h,
            "hidden": hides_name(staff, h.client),
            "linkable": sight(staff, h.client) is not Sight.NONE,
            "mergeable": sight(staff, h.client) is Sight.FULL,
        }
        for h in duplicate_hints(client)
    ]
    # The latest few attempts only (one more is read to know whether there are older ones): the full log is paged.
    attempts = list(referral.attempts.select_related("by").order_by("-at", "-id")[: LATEST_ATTEMPTS + 1])
    failed = referral.attempts.exclude(outcome__in=SUCCESSFUL_OUTCOMES).count() if referral.first_contact_at is None else 0
    org_settings = staff.organisation.settings
    forms = forms or {}
    context = {
        "staff": staff,
        "referral": referral,
        "client": client,
        "risk": services.effective_risk(referral),
        "overdue": selectors.is_overdue(referral),
        "hints": hints,
        "attempts": attempts[:LATEST_ATTEMPTS],
        "attempts_more": len(attempts) > LATEST_ATTEMPTS,
        "alerts": referral.alerts.filter(closed_at__isnull=True) if staff.can(Can.SEE_ALERTS) else [],
        "can_triage": staff.can(Can.TRIAGE),
        "can_allocate": staff.can(Can.ALLOCATE),
        "screen_form": forms.get("screen") or ScreenForm(initial={"risk": referral.screened_risk}),
        "decision_form": forms.get("decision") or DecisionForm(),
        "attempt_form": forms.get("attempt") or FirstContactForm(initial={"at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}),
        "ncnd": NEITHER_CONFIRM_NOR_DENY,
        "failed": failed,
        "next_step": org_settings.get_next_step_after_failed_display() if failed >= org_settings.failed_attempts_limit else "",
    }
    return render(request, "casework/referral.html", context, status=status)


@staff_view()
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    staff = request.staff
    if not (staff.can(Can.SEE_QUEUE) or staff.can(Can.SEE_CLIENTS)):
        raise Http404("No such page")
    return _referral_page(request, staff, referral_id)


@staff_view()
def referral_contact_log(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Every contact attempt of a referral, newest first, a page at a time."""
    staff = request.staff
    if not (staff.can(Can.SEE_QUEUE) or staff.can(Can.SEE_CLIENTS)):
        raise Http404("No such page")
    referral = referral_in_org(staff, referral_id)
    if (stop := gate(request, staff, referral.client)) is not None:
        return stop
    try:
        page = max(1, min(int(request.GET.get("page", "1")), LOG_MAX_PAGE))
    except ValueError:
        page = 1
    services.client_read(staff=staff, client=referral.client, action=AuditAction.REFERRAL_VIEWED, target=f"referral {referral.pk} contact log")
    start = (page - 1) * LOG_PAGE
    found = list(referral.attempts.select_related("by").order_by("-at", "-id")[start : start + LOG_PAGE + 1])
    context = {
        "staff": staff,
        "referral": referral,
        "attempts": found[:LOG_PAGE],
        "page": page,
        "previous": page - 1 if page > 1 else None,
        "next": page + 1 if len(found) > LOG_PAGE and page < LOG_MAX_PAGE else None,
    }
    return render(request, "casework/contact_log.html", context)


def _triage_target(request: HttpRequest, referral_id: int):  # noqa: ANN202
    staff = request.staff
    referral = referral_in_org(staff, referral_id)
    if sight(staff, referral.client) is not Sight.FULL:
        raise Http404("No such page")
    return staff, referral


@staff_view(Can.TRIAGE)
@require_POST
def referral_screen(request: HttpRequest, referral_id: int) -> HttpResponse:
    staff, referral = _triage_target(request, referral_id)
    form = ScreenForm(request.POST)
    if form.is_valid():
        services.referral_screen(staff=staff, referral=referral, risk=form.cleaned_data["risk"])
        messages.success(request, "Risk screening saved; the first-contact deadline follows it.")
        return redirect("staff_referral", slug=staff.organisation.slug, referral_id=referral.pk)
    return _referral_page(request, staff, referral_id, {"screen": form}, status=400)


@staff_view(Can.TRIAGE)
@require_POST
def referral_decide(request: HttpRequest, referral_id: int) -> HttpResponse:
    staff, referral = _triage_target(request, referral_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["decision"] == "accept":
                services.referral_accept(staff=staff, referral=referral)
            else:
                services.referral_decline(
                    staff=staff, referral=referral, reason=d["reason"], passed_on_to=d["passed_on_to"] if d["decision"] == "pass_on" else ""
                )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("staff_referral", slug=staff.organisation.slug, referral_id=referral.pk)
    return _referral_page(request, staff, referral_id, {"decision": form}, status=400)


@staff_view()
@require_POST
def referral_attempt(request: HttpRequest, referral_id: int) -> HttpResponse:
    staff = request.staff
    if not (staff.can(Can.TRIAGE) or staff.can(Can.SEE_CLIENTS)):
        raise Http404("No such page")
    staff, referral = _triage_target(request, referral_id)
    form = FirstContactForm(request.POST)
    if form.is_valid():
        try:
            services.contact_attempt_record(staff=staff, referral=referral, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Contact attempt recorded.")
            return redirect("staff_referral", slug=staff.organisation.slug, referral_id=referral.pk)
    return _referral_page(request, staff, referral_id, {"attempt": form}, status=400)


@staff_view()
def client_list(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    if not (staff.can(Can.SEE_CLIENTS) or staff.can(Can.SEE_QUEUE)):
        raise Http404("No such page")
    form = ClientSearchForm(request.GET or None)
    clients = visible_clients(staff).select_related("organisation", "allocated_to")
    searched = False
    if form.is_bound and form.is_valid() and any(form.cleaned_data.values()):
        d = form.cleaned_data
        clients = clients.filter(pk__in=search(staff.organisation, name=d["name"], date_of_birth=d["date_of_birth"] or "", phone=d["phone"]))
        searched = True
        with transaction.atomic():
            record_staff(staff.user, AuditAction.CLIENT_SEARCHED, organisation=staff.organisation, target="by " + ", ".join(k for k, v in d.items() if v))
    rows = [{"client": c, "hidden": hides_name(staff, c)} for c in clients.order_by("-created_at")[:100]]
    return render(request, "casework/clients.html", {"staff": staff, "form": form, "rows": rows, "searched": searched})


@staff_view()
def client_detail(request: HttpRequest, client_id: int) -> HttpResponse:
    staff = request.staff
    client = client_in_org(staff, client_id)
    if (stop := gate(request, staff, client)) is not None:
        return stop
    services.client_read(staff=staff, client=client, action=AuditAction.CLIENT_VIEWED, target=f"client {client.pk}")
    context = {
        "staff": staff,
        "client": client,
        "referrals": [{"referral": r, "overdue": selectors.is_overdue(r)} for r in referrals_of(client)],
        "merges": open_merges(client),
        "can_merge": staff.can(Can.TRIAGE),
        "looks": selectors.who_looked(client),
        "can_allocate": staff.can(Can.ALLOCATE),
        "restrict_form": RestrictForm(organisation=staff.organisation, initial={"restricted": client.restricted, "members": list(client.restricted_to.all())}),
    }
    return render(request, "casework/client.html", context)


@staff_view(Can.ALLOCATE)
@require_http_methods(["GET", "POST"])
def client_allocate(request: HttpRequest, client_id: int) -> HttpResponse:
    staff = request.staff
    client = client_in_org(staff, client_id)
    if (stop := gate(request, staff, client)) is not None:
        return stop
    members = allocatable(client)
    form = AllocateForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.client_allocate(staff=staff, client=client, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{client.reference} allocated to {form.cleaned_data['member'].display_name}.")
            return redirect("staff_client", slug=staff.organisation.slug, client_id=client.pk)
    loads = caseloads(members)
    ceiling = staff.organisation.settings.caseload_ceiling
    rows = [{"member": m, "load": loads[m.pk], "over": loads[m.pk] >= ceiling} for m in members]
    context = {"staff": staff, "client": client, "form": form, "rows": rows, "ceiling": ceiling, "conflicts": conflicts(client)}
    return render(request, "casework/allocate.html", context, status=400 if form.errors else 200)


@staff_view(Can.ALLOCATE)
@require_POST
def client_restrict(request: HttpRequest, client_id: int) -> HttpResponse:
    staff = request.staff
    client = client_in_org(staff, client_id)
    if (stop := gate(request, staff, client)) is not None:
        return stop
    form = RestrictForm(request.POST, organisation=staff.organisation)
    if form.is_valid():
        members = list(form.cleaned_data["members"])
        if form.cleaned_data["restricted"] and staff.membership not in members:
            members.append(staff.membership)
        services.client_restrict(staff=staff, client=client, restricted=form.cleaned_data["restricted"], members=members)
        messages.success(request, "Restriction saved.")
    else:
        messages.error(request, "Choose staff from the list.")
    return redirect("staff_client", slug=staff.organisation.slug, client_id=client.pk)


@staff_view()
@require_POST
def client_break_glass(request: HttpRequest, client_id: int) -> HttpResponse:
    staff = request.staff
    client = client_in_org(staff, client_id)
    if not role_sees(staff, client):
        raise Http404("No such page")
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        try:
            services.break_glass_open(staff=staff, client=client, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.info(request, "You opened a restricted record. A manager has been told.")
            return redirect("staff_client", slug=staff.organisation.slug, client_id=client.pk)
    return render(request, "casework/break_glass.html", {"staff": staff, "client": client, "form": form}, status=400)


@staff_view(Can.SEE_ALERTS)
def alerts(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    rows = Alert.objects.filter(organisation=staff.organisation).select_related("client", "referral", "raised_by")[:200]
    return render(request, "casework/alerts.html", {"staff": staff, "rows": rows, "can_close": staff.can(Can.ALLOCATE)})


@staff_view(Can.ALLOCATE)
@require_POST
def alert_close(request: HttpRequest, alert_id: int) -> HttpResponse:
    staff = request.staff
    alert = Alert.objects.filter(organisation=staff.organisation, pk=alert_id).first()
    if alert is None:
        raise Http404("No such page")
    try:
        services.alert_close(staff=staff, alert=alert)
        messages.success(request, "Alert closed.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff_alerts", slug=staff.organisation.slug)


@staff_view(Can.SEE_AUDIT)
def access_log(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = AccessLogForm(request.GET or None, organisation=staff.organisation)
    events = []
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        events = list(selectors.access_log(staff.organisation, member=d["member"], date_from=d["date_from"], date_to=d["date_to"]))
        with transaction.atomic():
            record_staff(
                staff.user, AuditAction.ACCESS_LOG_SEARCHED, organisation=staff.organisation, target=f"member {d['member'].pk if d['member'] else 'any'}"
            )
    names = dict(Membership.objects.filter(organisation=staff.organisation).values_list("user_id", "display_name"))
    rows = [{"event": e, "who": names.get(e.actor_id, "Not a staff member"), "what": action_label(e.action)} for e in events]
    return render(request, "casework/access_log.html", {"staff": staff, "form": form, "rows": rows, "searched": form.is_bound})
