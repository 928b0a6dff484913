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
from organisations.forms import AgreementForm, ConnectionForm, InvitationForm, SettingsForm
from organisations.home import notices
from organisations.models import Membership


def _errors(form, exc: ValidationError) -> None:  # noqa: ANN001
    if hasattr(exc, "error_dict"):
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)


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
            _errors(form, exc)
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
            _errors(form, exc)
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


@staff_view()
@require_http_methods(["GET", "POST"])
def my_connections(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_declare(staff=staff.membership, name=form.cleaned_data["name"])
        except ValidationError as exc:
            _errors(form, exc)
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
