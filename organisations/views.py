"""Thin views of the staff area's organisation pages. Every one goes through organisations.access.staff_view."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from organisations import services
from organisations.access import Can, staff_view
from organisations.forms import AgreementForm, ApiCredentialForm, ConnectionForm, InvitationForm, RoleForm, SettingsForm, add_errors
from organisations.home import notices
from organisations.models import Membership


@login_required
def staff_index(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user=request.user, active=True).select_related("organisation")
    return render(request, "staff/index.html", {"memberships": memberships})


@staff_view()
def staff_home(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/home.html", {"staff": request.staff, "notices": notices(request.staff)})


@staff_view(Can.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def people(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = InvitationForm(request.POST or None)
    new_link = ""
    if request.method == "POST" and form.is_valid():
        try:
            _inv, token = services.invitation_create(staff=staff.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            new_link = request.build_absolute_uri(f"/staff/join/{token}/")
            form = InvitationForm()
    org = staff.organisation
    return render(
        request,
        "staff/people.html",
        {
            "staff": staff,
            "form": form,
            "new_link": new_link,
            "members": org.memberships.filter(active=True).select_related("user"),
            "roles": RoleForm.base_fields["role"].choices,
            "agreements": org.agreements.filter(active=True),
            "invitations": org.invitations.all()[:50],
        },
    )


@staff_view(Can.MANAGE_PEOPLE)
@require_POST
def member_remove(request: HttpRequest, member_id: int) -> HttpResponse:
    staff = request.staff
    member = staff.organisation.memberships.filter(pk=member_id, active=True).first()
    if member is None:
        raise Http404("No such page")
    try:
        services.membership_end(staff=staff.membership, membership=member)
        messages.success(request, f"{member.display_name} no longer has access.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff_people", slug=staff.organisation.slug)


@staff_view(Can.MANAGE_PEOPLE)
@require_POST
def member_role(request: HttpRequest, member_id: int) -> HttpResponse:
    staff = request.staff
    member = staff.organisation.memberships.filter(pk=member_id, active=True).first()
    if member is None:
        raise Http404("No such page")
    form = RoleForm(request.POST, organisation=staff.organisation)
    if not form.is_valid():
        messages.error(request, "Choose a role from the list.")
    else:
        try:
            services.membership_change(staff=staff.membership, membership=member, **form.cleaned_data)
            messages.success(request, f"{member.display_name} is now {member.get_role_display().lower()}.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("staff_people", slug=staff.organisation.slug)


@staff_view(Can.MANAGE_PEOPLE)
@require_POST
def invitation_revoke(request: HttpRequest, invitation_id: int) -> HttpResponse:
    staff = request.staff
    invitation = staff.organisation.invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("No such page")
    try:
        services.invitation_revoke(staff=staff.membership, invitation=invitation)
        messages.success(request, "Invitation withdrawn.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("staff_people", slug=staff.organisation.slug)


@staff_view(Can.MANAGE_SETTINGS)
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = SettingsForm(request.POST or None, instance=staff.organisation.settings)
    if request.method == "POST" and form.is_valid():
        services.settings_update(staff=staff.membership, values={f: form.cleaned_data[f] for f in form.Meta.fields})
        messages.success(request, "Settings saved.")
        return redirect("staff_settings", slug=staff.organisation.slug)
    return render(request, "staff/settings.html", {"staff": staff, "form": form})


@staff_view(Can.MANAGE_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def agreements(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_add(staff=staff.membership, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Agreement added.")
            return redirect("staff_agreements", slug=staff.organisation.slug)
    return render(request, "staff/agreements.html", {"staff": staff, "form": form, "agreements": staff.organisation.agreements.all()})


@staff_view(Can.MANAGE_AGREEMENTS)
@require_POST
def agreement_end(request: HttpRequest, agreement_id: int) -> HttpResponse:
    staff = request.staff
    agreement = staff.organisation.agreements.filter(pk=agreement_id, active=True).first()
    if agreement is None:
        raise Http404("No such page")
    services.agreement_end(staff=staff.membership, agreement=agreement)
    messages.success(request, "Agreement ended. New referrals can no longer use it.")
    return redirect("staff_agreements", slug=staff.organisation.slug)


@staff_view(Can.MANAGE_AGREEMENTS)
@require_http_methods(["GET", "POST"])
def api_credentials(request: HttpRequest) -> HttpResponse:
    """Police senders' API credentials: issue one (its token is shown on this answer only), rotate, revoke."""
    staff = request.staff
    form = ApiCredentialForm(request.POST or None, organisation=staff.organisation)
    token = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, token = services.api_credential_issue(organisation=staff.organisation, by=staff.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            form = ApiCredentialForm(organisation=staff.organisation)
    return _credentials_page(request, form, token)


def _credentials_page(request: HttpRequest, form: ApiCredentialForm, token: str) -> HttpResponse:
    staff = request.staff
    credentials = staff.organisation.api_credentials.select_related("agreement").order_by("revoked_at", "sender", "pk")
    # The token is in this answer only; every staff page is already sent with "Cache-Control: no-store".
    return render(request, "staff/api_credentials.html", {"staff": staff, "form": form, "credentials": credentials, "token": token})


@staff_view(Can.MANAGE_AGREEMENTS)
@require_POST
def api_credential_change(request: HttpRequest, credential_id: int, action: str) -> HttpResponse:
    staff = request.staff
    credential = staff.organisation.api_credentials.filter(pk=credential_id, revoked_at__isnull=True).first()
    if credential is None or action not in ("rotate", "revoke"):
        raise Http404("No such page")
    token = ""
    if action == "rotate":
        token = services.api_credential_rotate(credential=credential, by=staff.user)
        messages.success(request, f"New token for {credential.sender}. The old one no longer works.")
    else:
        services.api_credential_revoke(credential=credential, by=staff.user)
        messages.success(request, f"The credential of {credential.sender} is revoked.")
    return _credentials_page(request, ApiCredentialForm(organisation=staff.organisation), token)


@staff_view()
@require_http_methods(["GET", "POST"])
def my_connections(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_declare(staff=staff.membership, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Connection recorded. You will not be given that person's case without a warning.")
            return redirect("staff_connections", slug=staff.organisation.slug)
    count = staff.membership.connections.count()
    return render(request, "staff/connections.html", {"staff": staff, "form": form, "count": count})


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_by_token(token)
    if invitation is None or invitation.email != (request.user.email or "").lower():
        raise Http404("No such page")
    if request.method == "POST":
        membership = services.invitation_accept(user=request.user, token=token)
        messages.success(request, f"You have joined {membership.organisation.name}.")
        return redirect("staff_home", slug=membership.organisation.slug)
    return render(request, "staff/join.html", {"invitation": invitation})
