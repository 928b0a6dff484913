"""The person's side of the circle: who can see my diary, getting support, a service's code, narrowing and ending a
share, inviting and stopping trusted contacts, and the sightings they added. Thin: the rules are in shares.py,
contacts.py and policy.py. Another person's share, contact or sighting is a missing page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from cases.policy import Action, case_for, cases_for, child_or_404
from casework.services import ReferralRefused
from circle import contacts, forms, safety_plans, selectors, shares
from circle.models import Sighting
from circle.scope import scope_of
from diary.models import Incident
from diary.services import IncidentRefused
from evidence.limits import UploadError

CODE_SESSION = "circle_code"


def add_errors(form: forms.forms.Form, exc: ValidationError) -> None:
    for name, problems in exc.message_dict.items():
        for problem in problems:
            form.add_error(name if name in form.fields else None, problem)


@login_required
@require_safe
def circle_home(request: HttpRequest) -> HttpResponse:
    context = selectors.circle_for(request.user)
    context["plans"] = safety_plans.shared_plans(request.user)
    return render(request, "circle/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def support(request: HttpRequest) -> HttpResponse:
    cases = list(cases_for(request.user))
    organisations = shares.hosted_organisations()
    form = forms.SupportForm(request.POST or None, cases=cases, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ask = shares.SupportRequest(
            organisation=form.organisations[d["organisation"]],
            case=form.chosen_case(),
            scope=form.scope(),
            name=d["name"],
            safe_number=d["safe_number"],
            code_word=d["code_word"],
            suspect_has_phone=d["suspect_has_phone"],
        )
        try:
            share = shares.share_ask_support(user=request.user, request=ask)
        except ValidationError as exc:
            add_errors(form, exc)
        except ReferralRefused as exc:  # the service's own refusal rules
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{share.organisation.name} can now see what you chose. Nothing was sent by e-mail or text.")
            return redirect("circle_home")
    status = 400 if form.errors else 200
    return render(request, "circle/support.html", {"form": form, "cases": cases, "organisations": organisations}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def code_enter(request: HttpRequest) -> HttpResponse:
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            row = shares.code_lookup(user=request.user, code=form.cleaned_data["code"], address=request.META.get("REMOTE_ADDR", ""))
        except shares.Refused as exc:
            form.add_error("code", str(exc))
        else:
            request.session[CODE_SESSION] = row.code_hash
            return redirect("circle_code_confirm")
    return render(request, "circle/code.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def code_confirm(request: HttpRequest) -> HttpResponse:
    digest = request.session.get(CODE_SESSION)
    row = shares.code_pending(digest)
    if row is None:
        request.session.pop(CODE_SESSION, None)
        messages.error(request, shares.NOT_VALID)
        return redirect("circle_code")
    cases = list(cases_for(request.user))
    asked = scope_of(row)
    initial = {"diary": asked.diary, "evidence": asked.evidence, "reports": asked.reports, "screening": asked.screening}
    form = forms.AcceptForm(request.POST or None, cases=cases, initial=initial)
    if request.method == "POST" and "decline" in request.POST:
        request.session.pop(CODE_SESSION, None)
        messages.success(request, "Nothing was shared. The code can no longer be used from this device.")
        return redirect("circle_home")
    if request.method == "POST" and form.is_valid():
        try:
            share = shares.code_accept(user=request.user, digest=digest, case=form.chosen_case(), scope=form.scope())
        except shares.Refused as exc:
            request.session.pop(CODE_SESSION, None)
            messages.error(request, str(exc))
            return redirect("circle_code")
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            request.session.pop(CODE_SESSION, None)
            messages.success(request, f"{share.organisation.name} can now see what you chose.")
            return redirect("circle_home")
    context = {"form": form, "organisation": row.organisation, "asked": asked.words()}
    return render(request, "circle/code_confirm.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def share_detail(request: HttpRequest, share_id: str) -> HttpResponse:
    share = selectors.share_of_owner(request.user, share_id)
    if share is None:
        raise Http404("No such page")
    current = scope_of(share)
    initial = {
        "diary": current.diary,
        "diary_from": current.diary_from,
        "evidence": current.evidence,
        "reports": current.reports,
        "screening": current.screening,
    }
    narrow = forms.NarrowForm(request.POST if request.POST.get("action") == "narrow" else None, initial=initial, prefix="narrow")
    end = forms.EndForm(request.POST if request.POST.get("action") == "end" else None, prefix="end")
    if request.method == "POST" and share.in_force:
        form = narrow if request.POST.get("action") == "narrow" else end
        if form.is_valid():
            try:
                if form is narrow:
                    shares.share_narrow(user=request.user, share=share, scope=narrow.scope(), passphrase=narrow.cleaned_data["passphrase"])
                    messages.success(request, f"{share.organisation.name} now sees less. The change applies to their next page.")
                else:
                    shares.share_end(user=request.user, share=share, passphrase=end.cleaned_data["passphrase"])
                    messages.success(request, f"Sharing with {share.organisation.name} has ended. Their next page will be refused.")
            except ValidationError as exc:
                add_errors(form, exc)
            except shares.Refused as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("circle_home")
    context = {"share": share, "scope": current.words(), "narrow": narrow, "end": end}
    return render(request, "circle/share.html", context, status=400 if (narrow.errors or end.errors) else 200)


@login_required
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    cases = list(cases_for(request.user))
    form = forms.InviteForm(request.POST or None, cases=cases)
    if request.method == "POST" and form.is_valid():
        try:
            new = contacts.contact_invite(user=request.user, case=form.chosen_case(), name=form.cleaned_data["name"], days=form.cleaned_data["days"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            link = request.build_absolute_uri(reverse("circle_seen")) + "?k=" + new.token
            return render(request, "circle/contact_link.html", {"contact": new.contact, "link": link})
    return render(request, "circle/contact_new.html", {"form": form, "cases": cases}, status=400 if form.errors else 200)


@login_required
@require_POST
def contact_stop(request: HttpRequest, contact_id: str) -> HttpResponse:
    contact = selectors.contact_of_owner(request.user, contact_id)
    if contact is None:
        raise Http404("No such page")
    contacts.contact_revoke(user=request.user, contact=contact)
    messages.success(request, f"The link for {contact.name} is stopped. It now shows nothing.")
    return redirect("circle_home")


@login_required
@require_safe
def sighting_list(request: HttpRequest, case_id: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW)
    return render(request, "circle/sightings.html", {"case": case, "sightings": selectors.sightings_of(case)})


@login_required
@require_http_methods(["GET", "POST"])
def sighting_detail(request: HttpRequest, case_id: int, number: int) -> HttpResponse:
    case = case_for(request.user, case_id, Action.VIEW if request.method == "GET" else Action.RECORD)
    sighting: Sighting = child_or_404(Sighting.objects.select_related("contact", "incident", "exhibit"), case, number=number)
    sighting.contact.case = case
    form = forms.AttachForm(request.POST if request.POST.get("action") == "attach" else None)
    problem = ""
    if request.method == "POST":
        incident = None
        try:
            if request.POST.get("action") == "incident":
                incident = contacts.sighting_to_incident(user=request.user, sighting=sighting)
            elif form.is_valid():
                target = child_or_404(Incident, case, number=form.cleaned_data["incident"])
                incident = contacts.sighting_attach(user=request.user, sighting=sighting, incident=target)
        except ValidationError as exc:
            problem = " ".join(m for ms in exc.message_dict.values() for m in ms)
        except IncidentRefused as exc:
            problem = " ".join(exc.errors.values())
        if incident is not None:
            messages.success(request, f"The sighting is now part of incident {incident.number}, as {sighting.contact.name}'s account.")
            return redirect("incident_detail", case_id=case.pk, number=incident.number)
    context = {"case": case, "sighting": sighting, "form": form, "problem": problem, "account": contacts.account(sighting)}
    return render(request, "circle/sighting.html", context, status=400 if (form.errors or problem) else 200)


@require_http_methods(["GET", "POST"])
def seen(request: HttpRequest) -> HttpResponse:
    """A trusted contact's page. It shows nothing of the diary; a stopped, expired or unknown link is a missing page."""
    token = request.POST.get("k") if request.method == "POST" else request.GET.get("k")
    contact = contacts.contact_for(token)
    if contact is None:
        raise Http404("No such page")
    form = forms.SightingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        photo = form.cleaned_data.get("photo")
        data = contacts.SightingInput(
            seen_at=form.seen_at(),
            where=form.cleaned_data["where"],
            what=form.cleaned_data["what"],
            person_present=form.cleaned_data["person_present"],
            photo=photo.chunks() if photo else None,
            photo_name=photo.name if photo else "",
            photo_size=photo.size if photo else 0,
        )
        try:
            contacts.sighting_add(contact=contact, data=data)
        except ValidationError as exc:
            add_errors(form, exc)
        except UploadError as exc:
            form.add_error("photo", str(exc))
        else:
            messages.success(request, "Thank you. Your sighting was added.")
            return redirect(reverse("circle_seen") + "?k=" + token)
    context = {"form": form, "token": token, "mine": selectors.own_sightings(contact)}
    response = render(request, "circle/seen.html", context, status=400 if form.errors else 200)
    response["Cache-Control"] = "no-store"
    return response
