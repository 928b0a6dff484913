"""Which staff member may see which client: the service side's access policy (the same shape as cases/policy.py).

Role first (organisations/access.py ``ROLE_CAN``), then the record:

* team lead and duty worker: every client of the organisation;
* caseworker: clients allocated to them; with the intake scope, also clients still in the queue; through the reach
  hooks (cover/), a colleague's clients under a cover grant in force, and every client on a day they are on duty;
* intake: clients still in the queue (not yet accepted and allocated);
* organisation admin, auditor, safeguarding lead: no client content.

Restriction beats role: a restricted client is visible only to the staff named on it; anyone else whose role would
let them see it gets a break-glass page (a reason, a manager alerted, a time-limited grant), and everyone else a
missing page. Another organisation's client is always a missing page.
"""

from __future__ import annotations

import enum
from collections.abc import Callable

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from casework.models import BreakGlass, Client, ClientStatus, Referral, ReferralStatus
from organisations.access import Can, Staff


class Sight(enum.Enum):
    NONE = "none"
    BREAK_GLASS = "break_glass"
    FULL = "full"


# Extra reach (cover/: a cover grant, the day's duty rota). Each ``SIGHT`` hook says whether a member whose role sees
# clients at all (``Can.SEE_CLIENTS``) may also see this client; each ``VISIBLE`` hook gives the same as a filter for
# lists. Restriction still beats them: a restricted client they are not named on gives the break-glass page.
SIGHT_HOOKS: list[Callable[[Staff, Client], bool]] = []
VISIBLE_HOOKS: list[Callable[[Staff], Q]] = []


def register_reach(sees: Callable[[Staff, Client], bool], visible: Callable[[Staff], Q]) -> None:
    if sees not in SIGHT_HOOKS:
        SIGHT_HOOKS.append(sees)
    if visible not in VISIBLE_HOOKS:
        VISIBLE_HOOKS.append(visible)


def in_queue(client: Client) -> bool:
    return client.status == ClientStatus.REFERRED or client.referrals.filter(status=ReferralStatus.NEW).exists()


def role_sees(staff: Staff, client: Client) -> bool:
    if client.organisation_id != staff.organisation.pk:
        return False
    if staff.can(Can.SEE_ALL_CLIENTS):
        return True
    if staff.can(Can.SEE_CLIENTS) and client.allocated_to_id == staff.membership.pk:
        return True
    if staff.can(Can.SEE_QUEUE) and in_queue(client):
        return True
    return staff.can(Can.SEE_CLIENTS) and any(hook(staff, client) for hook in SIGHT_HOOKS)


def named_on(staff: Staff, client: Client) -> bool:
    return client.restricted_to.filter(pk=staff.membership.pk).exists()


def has_break_glass(staff: Staff, client: Client) -> bool:
    return BreakGlass.objects.filter(client=client, membership=staff.membership, expires_at__gt=timezone.now()).exists()


def sight(staff: Staff, client: Client) -> Sight:
    if not role_sees(staff, client):
        return Sight.NONE
    if client.restricted and not named_on(staff, client) and not has_break_glass(staff, client):
        return Sight.BREAK_GLASS
    return Sight.FULL


def client_in_org(staff: Staff, client_id: object) -> Client:
    try:
        pk = int(client_id)  # type: ignore[call-overload]
    except (TypeError, ValueError) as exc:
        raise Http404("No such page") from exc
    client = Client.objects.select_related("organisation", "allocated_to").filter(pk=pk, organisation=staff.organisation).first()
    if client is None:
        raise Http404("No such page")
    return client


def referral_in_org(staff: Staff, referral_id: object) -> Referral:
    try:
        pk = int(referral_id)  # type: ignore[call-overload]
    except (TypeError, ValueError) as exc:
        raise Http404("No such page") from exc
    referral = Referral.objects.select_related("client", "client__organisation", "organisation").filter(pk=pk, organisation=staff.organisation).first()
    if referral is None:
        raise Http404("No such page")
    return referral


def visible_clients(staff: Staff) -> QuerySet[Client]:
    """Clients this member may find in lists (restricted ones they are not named on are shown without content)."""
    qs = Client.objects.filter(organisation=staff.organisation, merged_into__isnull=True)
    if staff.can(Can.SEE_ALL_CLIENTS):
        return qs
    allowed = Q(pk__in=[])
    if staff.can(Can.SEE_CLIENTS):
        allowed |= Q(allocated_to=staff.membership)
        for hook in VISIBLE_HOOKS:
            allowed |= hook(staff)
    if staff.can(Can.SEE_QUEUE):
        allowed |= Q(status=ClientStatus.REFERRED)
    return qs.filter(allowed)


def hides_name(staff: Staff, client: Client) -> bool:
    """In lists: a restricted client's name is hidden from everyone not named on it."""
    return client.restricted and not named_on(staff, client) and not has_break_glass(staff, client)
