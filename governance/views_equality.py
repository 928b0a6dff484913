"""Thin view of a client's optional equality monitoring: its own page, never part of the client's record pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from audit.actions import AuditAction
from casework.gate import client_page
from casework.models import Client
from casework.services import client_read
from governance import equality as svc
from governance.forms import EqualityForm
from organisations.access import Staff, staff_view
from organisations.forms import add_errors


def _page(request: HttpRequest, staff: Staff, client: Client, *, form: Any = None, status: int = 200) -> HttpResponse:
    form = form or EqualityForm(initial=svc.answers_of(client))
    return render(request, "governance/equality.html", {"staff": staff, "client": client, "form": form}, status=status)


@staff_view()
@require_http_methods(["GET", "POST"])
@client_page
def equality_page(request: HttpRequest, staff: Staff, client: Client) -> HttpResponse:
    if request.method == "GET":
        client_read(staff=staff, client=client, action=AuditAction.RECORDS_VIEWED, target="equality")
        return _page(request, staff, client)
    form = EqualityForm(request.POST)
    if form.is_valid():
        try:
            svc.record(staff=staff, client=client, answers=form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Equality monitoring answers saved.")
            return redirect("gov_equality", slug=staff.organisation.slug, client_id=client.pk)
    return _page(request, staff, client, form=form, status=400)
