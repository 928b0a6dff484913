"""Thin view of a client's Victims' Code rights delivered: the list and the form to record more."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from audit.actions import AuditAction
from casework.gate import client_page
from casework.models import Client
from casework.services import client_read
from governance import rights as svc
from governance.forms import RightsForm
from governance.models import RightDelivered
from kernel.localtime import today
from organisations.access import Staff, staff_view
from organisations.forms import add_errors


def _page(request: HttpRequest, staff: Staff, client: Client, *, form: Any = None, status: int = 200) -> HttpResponse:
    rows = list(RightDelivered.objects.filter(client=client).select_related("recorded_by"))
    context = {"staff": staff, "client": client, "rows": rows, "form": form or RightsForm(initial={"delivered_on": today()})}
    return render(request, "governance/rights.html", context, status=status)


@staff_view()
@require_http_methods(["GET", "POST"])
@client_page
def rights_page(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    if request.method == "GET":
        client_read(staff=staff, client=client, action=AuditAction.RECORDS_VIEWED, target="rights")
        return _page(request, staff, client)
    form = RightsForm(request.POST)
    if form.is_valid():
        try:
            made = svc.record(staff=staff, client=client, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            done = f"{len(made)} right{'s' if len(made) != 1 else ''} recorded."
            messages.success(request, done if made else "Those rights were already recorded for that day.")
            return redirect("gov_rights", slug=staff.organisation.slug, client_id=client.pk)
    return _page(request, staff, client, form=form, status=400)


@staff_view()
@require_POST
@client_page
def rights_remove(request: HttpRequest, staff: Staff, client: Client, item_id: int) -> HttpResponse:
    if not svc.remove(staff=staff, client=client, item_id=item_id):
        raise Http404("No such page")
    messages.success(request, "Removed: the return no longer counts it.")
    return redirect("gov_rights", slug=staff.organisation.slug, client_id=client.pk)
