"""Helpers for the justice tests: an organisation with every role, clients in every state of access, and a
client with a record on each justice page (built through the services, as staff would)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from casework import services as casework
from casework.models import Relationship
from casework.testing import make_referral, staff_of
from justice import onward, orders, risk
from justice.models import Basis, OnwardKind, OrderKind, OrderStep, SuspectState
from justice.onward import BasisInput
from justice.rules import today
from organisations.models import Role
from organisations.testing import make_org, make_staff

ROLES = list(Role.values)


def allocated_client(lead: Any, worker: Any, **kwargs: Any) -> Any:
    referral = make_referral(lead, **kwargs)
    casework.referral_accept(staff=staff_of(lead), referral=referral)
    casework.client_allocate(staff=staff_of(lead), client=referral.client, member=worker)
    return referral.client


def justice_world() -> dict[str, Any]:
    org = make_org("Kent Victim Hub", "ENG", "kent")
    other = make_org("Fife Support", "SCT", "fife")
    staff = {role: make_staff(org, role, f"Kent {role.replace('_', ' ')}") for role in ROLES}
    lead, worker = staff[Role.TEAM_LEAD], staff[Role.CASEWORKER]
    lead2 = make_staff(org, Role.TEAM_LEAD, "Kent second lead")
    held = allocated_client(
        lead,
        worker,
        full_name="Harriet Held",
        suspect_name="Sam Suspect",
        domestic_abuse=True,
        suspect_relationship=Relationship.EX_PARTNER,
        crime_reference="KT/1234/26",
        officer="PC Jones",
    )
    restricted = allocated_client(lead, worker, full_name="Rita Restricted")
    casework.client_restrict(staff=staff_of(lead), client=restricted, restricted=True, members=[worker])
    w = staff_of(worker)
    risk.assessment_record(
        staff=w, client=held, instrument="dash-2009", answers={"DASH-01": "yes"}, level="high", judgement="Threats and a recent separation.", domestic=True
    )
    lowered = risk.assessment_record(
        staff=w, client=held, instrument="sdash-2009", answers={}, level="medium", judgement="Suspect moved away, no contact.", domestic=True
    )
    orders.status_record(staff=w, client=held, state=SuspectState.BAILED, on=today(), until=today() + dt.timedelta(days=20), conditions="No contact")
    order = orders.order_open(staff=w, client=held, kind=OrderKind.SPO)
    orders.order_event_record(staff=w, order=order, step=OrderStep.REQUESTED, on=today())
    other_lead = make_staff(other, Role.TEAM_LEAD, "Fife Lead")
    other_worker = make_staff(other, Role.CASEWORKER, "Fife Worker")
    theirs = allocated_client(other_lead, other_worker, full_name="Fiona Fife")
    to_fife = onward.onward_send(
        staff=w,
        client=held,
        kind=OnwardKind.ORGANISATION,
        purpose="Housing support",
        to_organisation=other,
        basis=BasisInput(Basis.CONSENT, consent_on=today()),
        items=["name", "contact"],
    )
    marac_ref = onward.onward_send(
        staff=w,
        client=held,
        kind=OnwardKind.MARAC,
        purpose="High risk domestic abuse",
        basis=BasisInput(Basis.PROTOCOL, decided_by="Kent team lead", person_told="yes", rationale="Visible high risk under the protocol."),
    )
    onward.meeting_set(staff=w, onward=marac_ref, meeting_on=today())
    onward.action_add(staff=w, onward=marac_ref, what="Ask housing for a sanctuary scheme", owner=worker, due_on=today() + dt.timedelta(days=7))
    from_fife = onward.onward_send(
        staff=staff_of(other_worker),
        client=theirs,
        kind=OnwardKind.ORGANISATION,
        purpose="Stalking advocacy",
        to_organisation=org,
        basis=BasisInput(Basis.CONSENT, consent_on=today()),
        items=["name"],
    )
    theirs_order = orders.order_open(staff=staff_of(other_worker), client=theirs, kind=OrderKind.RESTRAINING)
    return {
        "org": org,
        "other": other,
        "staff": staff,
        "lead2": lead2,
        "held": held,
        "restricted": restricted,
        "lowered": lowered,
        "order": order,
        "to_fife": to_fife,
        "marac": marac_ref,
        "from_fife": from_fife,
        "theirs": theirs,
        "theirs_order": theirs_order,
        "other_lead": other_lead,
        "other_worker": other_worker,
        "other_admin": make_staff(other, Role.ORG_ADMIN, "Fife Admin"),
    }
