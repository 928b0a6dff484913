"""Which client and which concern a staff member may reach through care's pages (on casework/policy.py).

* A client's care pages: those who see the client (casework.policy: caseworker allocated, duty worker, team lead),
  through the same break-glass for a restricted record. Intake, the organisation admin and the auditor: missing.
* A safeguarding concern: the same, and the safeguarding lead for every concern of the organisation, except a
  restricted client's when the lead is not named on it (restriction beats role): missing.
A refusal is a 404 that looks like any missing page; another organisation's ids are looked up only inside the
organisation in the address.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from care.models import SafeguardingConcern
from casework.gate import client_gate
from casework.gate import number as _number
from casework.models import Client
from casework.policy import client_in_org, has_break_glass, named_on
from organisations.access import Can, Staff


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
