"""The one gate to a client's staff pages, used by casework, care, justice, cover and governance.

A member reaches a client's pages when their role may see clients at all, the client is in their organisation (the
organisation in the address), and casework.policy's :func:`~casework.policy.sight` allows it: allocation, duty,
cover, team lead. A restricted record the member is not named on shows the break-glass page (403); anything else
is a 404 that looks like any missing page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from casework.forms import BreakGlassForm
from casework.models import Client
from casework.policy import Sight, client_in_org, sight
from organisations.access import Can, Staff


def number(value: object) -> int:
    """A positive id from the address that fits a database integer; otherwise a missing page."""
    try:
        n = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError) as exc:
        raise Http404("No such page") from exc
    if not 0 < n < 2**31:
        raise Http404("No such page")
    return n


def gate(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse | None:
    """None when the member may see the client; the break-glass page when restriction stops them; else 404."""
    seen = sight(staff, client)
    if seen is Sight.NONE:
        raise Http404("No such page")
    if seen is Sight.BREAK_GLASS:
        return render(request, "casework/break_glass.html", {"staff": staff, "client": client, "form": BreakGlassForm()}, status=403)
    return None


def client_gate(request: HttpRequest, client_id: object) -> tuple[Staff, Client, HttpResponse | None]:
    """(member, client, None), or the break-glass page to show instead as the third item; 404 when refused."""
    staff: Staff = request.staff  # type: ignore[attr-defined]
    if not staff.can(Can.SEE_CLIENTS):
        raise Http404("No such page")
    client = client_in_org(staff, number(client_id))
    return staff, client, gate(request, staff, client)


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
