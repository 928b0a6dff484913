"""Thin views of needs assessments, the support plan, the safety plan and the dashboard of what is due."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from care import plans, safety, selectors, sharing
from care.forms import ActionForm, DoneForm, GoalForm, GoalStatusForm, NeedsForm, PlanReviewForm, SafetyPlanForm, safety_initial
from care.models import Goal, NeedsAssessment, PlanAction, PlanReview, attach
from care.views_safeguarding import read
from casework.gate import client_page
from casework.models import Client
from organisations.access import Can, Staff, staff_view
from organisations.forms import add_errors

SHOWN_REVIEWS = 20


@staff_view()
@require_http_methods(["GET", "POST"])
@client_page
def needs(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    has_start = plans.start_of(client) is not None
    form = NeedsForm(
        request.POST if request.method == "POST" else None, initial={"stage": "review" if has_start else "start", "assessed_on": selectors.rules.today()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            plans.needs_assess(staff=staff, client=client, **form.to_input())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Needs assessment recorded.")
            return redirect("care_needs", slug=staff.organisation.slug, client_id=client.pk)
    if request.method == "GET":
        read(staff, client, "needs assessments")
    assessments = attach(NeedsAssessment.objects.filter(client=client).select_related("by"), client)
    context = {
        "staff": staff,
        "client": client,
        "form": form,
        "assessments": assessments,
        "levels": plans.LEVELS,
        "outcomes": plans.OUTCOMES,
        "areas": dict(plans.NeedArea.choices),
    }
    return render(request, "care/needs.html", context, status=400 if form.errors else 200)


def _plan_page(request: HttpRequest, staff: Any, client: Any, bound: dict[str, Any] | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    today = selectors.rules.today()
    goals = attach(Goal.objects.filter(client=client).prefetch_related("actions__owner"), client)
    for g in goals:
        attach(g.actions.all(), client)
    context = {
        "staff": staff,
        "client": client,
        "goals": goals,
        "today": today,
        "reviews": attach(PlanReview.objects.filter(client=client).select_related("by")[:SHOWN_REVIEWS], client),
        "more_reviews": max(0, PlanReview.objects.filter(client=client).count() - SHOWN_REVIEWS),
        "goal_form": bound.get("goal") or GoalForm(prefix="goal"),
        "action_form": bound.get("action") or ActionForm(client=client, prefix="action"),
        "review_form": bound.get("review") or PlanReviewForm(initial={"reviewed_on": today}, prefix="review"),
        "done_form": DoneForm(),
        "status_form": GoalStatusForm(),
        "error_form": next(iter(bound.values()), None),
    }
    return render(request, "care/support_plan.html", context, status=status)


@staff_view()
@client_page
def support_plan(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    read(staff, client, "support plan")
    return _plan_page(request, staff, client)


@staff_view()
@require_POST
@client_page
def support_plan_step(request: HttpRequest, staff: Staff, client: Client, step: str) -> HttpResponse:
    forms = {"goal": GoalForm, "review": PlanReviewForm}
    if step == "action":
        form: Any = ActionForm(request.POST, client=client, prefix=step)
    elif step in forms:
        form = forms[step](request.POST, prefix=step)
    else:
        raise Http404("No such page")
    if form.is_valid():
        d = form.cleaned_data
        try:
            if step == "goal":
                plans.goal_add(staff=staff, client=client, area=d["area"], text=d["text"])
            elif step == "action":
                plans.action_add(staff=staff, goal=d["goal"], text=d["text"], owner=d["owner"], due_on=d["due_on"])
            else:
                plans.plan_review(staff=staff, client=client, reviewed_on=d["reviewed_on"], next_review_on=d["next_review_on"], note=d["note"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Support plan saved, and added to the record's history.")
            return redirect("care_support_plan", slug=staff.organisation.slug, client_id=client.pk)
    return _plan_page(request, staff, client, {step: form}, status=400)


@staff_view()
@require_POST
@client_page
def support_plan_item(request: HttpRequest, staff: Staff, client: Client, item: str, item_id: int) -> HttpResponse:
    """Mark an action done, or change where a goal stands (ids looked up inside this client only)."""
    model = {"actions": PlanAction, "goals": Goal}.get(item)
    target = model.objects.filter(client=client, pk=item_id).select_related("client", "client__organisation").first() if model and item_id < 2**31 else None
    if target is None:
        raise Http404("No such page")
    form: Any = DoneForm(request.POST) if item == "actions" else GoalStatusForm(request.POST)
    if form.is_valid():
        try:
            if item == "actions":
                plans.action_done(staff=staff, action=target, done_on=form.cleaned_data["done_on"])
            else:
                plans.goal_status(staff=staff, goal=target, status=form.cleaned_data["status"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Support plan saved, and added to the record's history.")
            return redirect("care_support_plan", slug=staff.organisation.slug, client_id=client.pk)
    return _plan_page(request, staff, client, {item: form}, status=400)


@staff_view(Can.SEE_CLIENTS)
def due(request: HttpRequest) -> HttpResponse:
    staff = request.staff
    return render(request, "care/due.html", {"staff": staff, "due": selectors.due(staff), "team_view": staff.can(Can.SEE_ALL_CLIENTS)})


@staff_view()
@client_page
def safety_plan(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    read(staff, client, "safety plan")
    plan = safety.plan_of(client)
    context = {
        "staff": staff,
        "client": client,
        "plan": plan,
        "sections": safety.shown_sections(plan, with_marked=True) if plan else [],
        "versions": safety.versions(client),
        "titles": {s.key: s.title for s in safety.SECTIONS},
    }
    return render(request, "care/safety_plan.html", context)


@staff_view()
@require_http_methods(["GET", "POST"])
@client_page
def safety_plan_edit(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    plan = safety.plan_of(client)
    form = SafetyPlanForm(request.POST if request.method == "POST" else None, initial=safety_initial(plan))
    conflict = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = safety.save(
                staff=staff,
                client=client,
                base_version=d["base_version"],
                made_with_person=d["made_with_person"],
                review_on=d["review_on"],
                sections=form.sections(),
            )
        except safety.PlanConflict as exc:
            conflict = exc
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Safety plan version {saved.version} saved.")
            return redirect("care_safety_plan", slug=staff.organisation.slug, client_id=client.pk)
    if request.method == "GET":
        read(staff, client, "safety plan (editing)")
    theirs = safety.shown_sections(conflict.plan, with_marked=True) if conflict else []
    context = {"staff": staff, "client": client, "form": form, "plan": plan, "conflict": conflict, "theirs": theirs}
    return render(request, "care/safety_plan_edit.html", context, status=409 if conflict else 400 if form.errors else 200)


@staff_view()
@require_POST
@client_page
def safety_plan_share(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    """Share the current version with the person (never its marked sections), or stop sharing."""
    plan = safety.plan_of(client)
    choice = request.POST.get("share")
    if plan is None or choice not in ("yes", "no"):
        raise Http404("No such page")
    sharing.share(staff=staff, client=client, plan=plan, shared=choice == "yes")
    words = "shared with the person, without the marked sections" if choice == "yes" else "no longer shared with the person"
    messages.success(request, f"Safety plan version {plan.version} {words}.")
    return redirect("care_safety_plan", slug=staff.organisation.slug, client_id=client.pk)


@staff_view()
@client_page
def safety_plan_print(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    """The printable plan. Marked sections are left out unless the member ticks that they choose to include them."""
    plan = safety.plan_of(client)
    if plan is None:
        raise Http404("No such page")
    with_marked = request.GET.get("marked") == "include"
    safety.printed(staff=staff, client=client, plan=plan, with_marked=with_marked)
    context = {"staff": staff, "client": client, "plan": plan, "sections": safety.shown_sections(plan, with_marked=with_marked), "with_marked": with_marked}
    return render(request, "care/safety_plan_print.html", context)
