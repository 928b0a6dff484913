"""The staff gate and what each role may do.

Every staff view is wrapped in :func:`staff_view`. It asks, in this order:

1. signed in? (otherwise the sign-in page, as everywhere in Daybook);
2. an active membership of the organisation named in the address, with a role allowed to use this page?
   Otherwise a 404 that looks exactly like a missing page, so nobody learns that an organisation exists or
   what another organisation holds;
3. two-step verification used in this session (staff sign in with MFA, always)? Otherwise a page that says so;
4. active within the organisation's idle timeout? Otherwise signed out.

What a role may do is the table :data:`ROLE_CAN` (design section 7). Client-level rules (allocation, restriction,
break-glass) are in casework/policy.py, which builds on this.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any

from allauth.account.internal.flows.login import get_authentication_records
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from organisations.models import Membership, Organisation, Role


class Can(StrEnum):
    SEE_QUEUE = "see_queue"  # the triage queue and referrals waiting in it
    TRIAGE = "triage"  # screen, accept, decline, pass on, record contact attempts
    RECORD_REFERRAL = "record_referral"  # a referral taken on a call
    ALLOCATE = "allocate"
    SEE_CLIENTS = "see_clients"  # which clients: casework/policy.py
    SEE_ALL_CLIENTS = "see_all_clients"  # every unrestricted client, not only allocated ones
    MANAGE_PEOPLE = "manage_people"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_AGREEMENTS = "manage_agreements"
    SEE_AUDIT = "see_audit"
    SEE_ALERTS = "see_alerts"
    TAKE_FEED = "take_feed"  # upload a force's daily file, download its rejected rows
    REFER_AS_PARTNER = "refer_as_partner"  # a partner's referral form and what became of its own referrals
    # Safeguarding (care/): review every concern of the organisation, refer, chase outcomes (design 3.4).
    REVIEW_SAFEGUARDING = "review_safeguarding"
    # Governance (issue 16, governance/): returns, closure approval, records law, retention.
    SEE_RETURNS = "see_returns"  # commissioners' returns: counts only, no personal data
    APPROVE_CLOSURE = "approve_closure"  # approve or refuse a closure, reopen a closed record
    RECORDS_LAW = "records_law"  # subject access packs, requests log, legal holds, chronology, complaints list
    MANAGE_RETENTION = "manage_retention"  # the review list before deletion, and deleting


ROLE_CAN: dict[str, frozenset[Can]] = {
    Role.CASEWORKER: frozenset({Can.SEE_CLIENTS, Can.RECORD_REFERRAL}),
    Role.DUTY_WORKER: frozenset({Can.SEE_CLIENTS, Can.SEE_ALL_CLIENTS, Can.RECORD_REFERRAL, Can.SEE_QUEUE}),
    Role.TEAM_LEAD: frozenset({Can.SEE_QUEUE, Can.TRIAGE, Can.ALLOCATE, Can.SEE_CLIENTS, Can.SEE_ALL_CLIENTS, Can.RECORD_REFERRAL, Can.SEE_ALERTS}),
    # The organisation's safeguarding concerns (care/), never the rest of a client's record.
    Role.SAFEGUARDING_LEAD: frozenset({Can.REVIEW_SAFEGUARDING}),
    Role.INTAKE: frozenset({Can.SEE_QUEUE, Can.TRIAGE, Can.RECORD_REFERRAL, Can.TAKE_FEED}),
    # People, settings, agreements: never client content.
    Role.ORG_ADMIN: frozenset({Can.MANAGE_PEOPLE, Can.MANAGE_SETTINGS, Can.MANAGE_AGREEMENTS}),
    Role.AUDITOR: frozenset({Can.SEE_AUDIT, Can.SEE_ALERTS}),
    Role.PARTNER: frozenset({Can.REFER_AS_PARTNER}),
}

# Governance (issue 16): returns for the team lead and the organisation admin (design 7: "returns"); closure
# approval, records law and retention for the team lead.
ROLE_CAN[Role.TEAM_LEAD] = ROLE_CAN[Role.TEAM_LEAD] | {Can.SEE_RETURNS, Can.APPROVE_CLOSURE, Can.RECORDS_LAW, Can.MANAGE_RETENTION}
ROLE_CAN[Role.ORG_ADMIN] = ROLE_CAN[Role.ORG_ADMIN] | {Can.SEE_RETURNS}

# A caseworker whose membership allows intake also works the queue.
INTAKE_SCOPE: frozenset[Can] = frozenset({Can.SEE_QUEUE, Can.TRIAGE})


def can(membership: Membership, what: Can) -> bool:
    allowed = ROLE_CAN.get(membership.role, frozenset())
    if membership.role == Role.CASEWORKER and membership.intake_allowed:
        allowed = allowed | INTAKE_SCOPE
    return what in allowed


@dataclass(frozen=True)
class Staff:
    """Who is acting, for which organisation: attached to the request as ``request.staff``."""

    organisation: Organisation
    membership: Membership

    @property
    def user(self) -> Any:
        return self.membership.user

    def can(self, what: Can) -> bool:
        return can(self.membership, what)


def membership_for(user: Any, slug: str) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Membership.objects.select_related("organisation", "organisation__settings", "user").filter(organisation__slug=slug, user=user, active=True).first()


def used_mfa(request: HttpRequest) -> bool:
    """True when two-step verification is on for the user and was used to sign in to this session."""
    user = request.user
    if not is_mfa_enabled(user):
        return False
    return any(r.get("method") == "mfa" for r in get_authentication_records(request, user))


def _seen_key(organisation: Organisation) -> str:
    return f"staff_seen:{organisation.pk}"


def idle_expired(request: HttpRequest, organisation: Organisation) -> bool:
    """Checks and refreshes the staff activity clock of this session for the organisation."""
    timeout = organisation.settings.idle_timeout_minutes * 60
    now = time.time()
    seen = request.session.get(_seen_key(organisation))
    if seen is not None and now - float(seen) > timeout:
        return True
    request.session[_seen_key(organisation)] = now
    return False


def staff_view(*needs: Can) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Wrap a view taking ``(request, slug, ...)``; the view reads ``request.staff``."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, slug)
            if membership is None or not all(can(membership, n) for n in needs):
                raise Http404("No such page")
            if not used_mfa(request):
                enabled = is_mfa_enabled(request.user)
                return render(request, "staff/mfa_required.html", {"enabled": enabled, "organisation": membership.organisation}, status=403)
            if idle_expired(request, membership.organisation):
                minutes = membership.organisation.settings.idle_timeout_minutes
                logout(request)
                messages.info(request, f"You were signed out after {minutes} minutes without activity. Sign in again to carry on.")
                return redirect_to_login(request.get_full_path())
            request.staff = Staff(organisation=membership.organisation, membership=membership)  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def nav_for(staff: Staff) -> list[tuple[str, str]]:
    """The staff area's menu: (url name, words) for what this member may use."""
    items = [("staff_home", "Home")]
    if staff.can(Can.SEE_QUEUE):
        items.append(("staff_queue", "Triage queue"))
    if staff.can(Can.SEE_CLIENTS):
        items.append(("staff_clients", "Clients"))
        items.append(("justice_due", "Due list"))
        items.append(("care_due", "Plans due"))
    if staff.can(Can.REVIEW_SAFEGUARDING):
        items.append(("care_safeguarding", "Safeguarding"))
    if staff.can(Can.RECORD_REFERRAL):
        items.append(("staff_referral_new", "Record a call"))
    if staff.can(Can.TAKE_FEED):
        items.append(("staff_feeds", "Daily files"))
    if staff.can(Can.REFER_AS_PARTNER):
        items.append(("staff_partner_referrals", "Refer someone"))
    if staff.can(Can.TRIAGE):
        items.append(("justice_incoming", "Referrals in"))
    if staff.can(Can.SEE_ALERTS):
        items.append(("staff_alerts", "Alerts"))
    if staff.can(Can.MANAGE_PEOPLE):
        items.append(("staff_people", "People"))
    if staff.can(Can.MANAGE_SETTINGS):
        items.append(("staff_settings", "Settings"))
        items.append(("justice_protocol", "MARAC protocol"))
    if staff.can(Can.MANAGE_AGREEMENTS):
        items.append(("staff_agreements", "Agreements"))
        items.append(("staff_api_credentials", "API credentials"))
    if staff.can(Can.SEE_AUDIT):
        items.append(("staff_audit", "Access log"))
    # issue 15 item 7 (cover/): the duty screen (the day's duty worker also reaches it from the home page), own visits.
    if staff.can(Can.ALLOCATE) or staff.membership.role == Role.DUTY_WORKER:
        items.append(("cover_duty", "Duty"))
    if staff.can(Can.SEE_CLIENTS):
        items.append(("cover_visits", "My visits"))
        items.append(("cover_supervisions", "Supervision"))
    # Governance (issue 16).
    if staff.can(Can.SEE_RETURNS):
        items.append(("gov_returns", "Returns"))
    if staff.can(Can.APPROVE_CLOSURE):
        items.append(("gov_closures", "Closures"))
    if staff.can(Can.RECORDS_LAW):
        items.append(("gov_records", "Records requests"))
    if staff.can(Can.MANAGE_RETENTION):
        items.append(("gov_retention", "Retention"))
    if staff.can(Can.MANAGE_SETTINGS):
        items.append(("gov_settings", "Closure and retention"))
    return items
