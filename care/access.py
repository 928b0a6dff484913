"""Which client and which concern a staff member may reach through care's pages (on casework/policy.py).

* A client's care pages: those who see the client (casework.policy: caseworker allocated, duty worker, team lead),
  through the same break-glass for a restricted record. Intake, the organisation admin and the auditor: missing.
* A safeguarding concern: the same, and the safeguarding lead for every concern of the organisation, except a
  restricted client's when the lead is not named on it (restriction beats role): missing.
A refusal is a 404 that looks like any missing page; another organisation's ids are looked up only inside the
organisation in the address.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from care.models import SafeguardingConcern
from casework.forms import BreakGlassForm
from casework.models import Client
from casework.policy import Sight, client_in_org, has_break_glass, named_on, sight
from organisations.access import Can, Staff


def _number(value: object) -> int:
    try:
        n = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError) as exc:
        raise Http404("No such page") from exc
    if not 0 < n < 2**31:
        raise Http404("No such page")
    return n


def client_gate(request: HttpRequest, client_id: object) -> tuple[Staff, Client, HttpResponse | None]:
    """The client and None, or the break-glass page to show instead; 404 when the member may not see it."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    if not staff.can(Can.SEE_CLIENTS):
        raise Http404("No such page")
    client = client_in_org(staff, _number(client_id))
    seen = sight(staff, client)
    if seen is Sight.NONE:
        raise Http404("No such page")
    if seen is Sight.BREAK_GLASS:
        return staff, client, render(request, "casework/break_glass.html", {"staff": staff, "client": client, "form": BreakGlassForm()}, status=403)
    return staff, client, None


def lead_sees(staff: Staff, client: Client) -> bool:
    """The safeguarding lead's reach: every concern, except on a restricted record they are not named on."""
    if not staff.can(Can.REVIEW_SAFEGUARDING) or client.organisation_id != staff.organisation.pk:
        return False
    return not client.restricted or named_on(staff, client) or has_break_glass(staff, client)


def concern_gate(request: HttpRequest, client_id: object, number: object) -> tuple[Staff, Client, SafeguardingConcern | None, HttpResponse | None]:
    staff: Staff = request.staff  # type: ignore[attr-defined]
    if staff.can(Can.REVIEW_SAFEGUARDING) and not staff.can(Can.SEE_CLIENTS):
        client = client_in_org(staff, _number(client_id))
        if not lead_sees(staff, client):
            raise Http404("No such page")
        stop = None
    else:
        staff, client, stop = client_gate(request, client_id)
    if stop is not None:
        return staff, client, None, stop
    concern = SafeguardingConcern.objects.filter(client=client, number=_number(number)).select_related("raised_by", "reviewed_by", "closed_by").first()
    if concern is None:
        raise Http404("No such page")
    concern.client = client
    return staff, client, concern, None


def client_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a view taking ``(request, staff, client, ...)`` so it receives the client :func:`client_gate` allows
    (inside organisations.access.staff_view, which sets ``request.staff``)."""

    @wraps(view)
    def wrapped(request: HttpRequest, client_id: object, *args: Any, **kwargs: Any) -> HttpResponse:
        staff, client, stop = client_gate(request, client_id)
        if stop is not None:
            return stop
        return view(request, staff, client, *args, **kwargs)

    return wrapped
