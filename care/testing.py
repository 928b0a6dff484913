"""Helpers for care's tests: an organisation with every role, clients, and a concern, plan and safety plan on one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from care import plans, safeguarding, safety
from casework import services
from casework.testing import make_referral, staff_of
from organisations.models import Role
from organisations.testing import make_org, make_staff

ROLES = list(Role.values)


def sections(**texts: str) -> dict[str, dict[str, Any]]:
    return {key: {"text": text, "marked": key in ("leaving", "travel", "code_word")} for key, text in texts.items()}


def make_world() -> dict[str, Any]:
    org = make_org("Kent Victim Hub", "ENG", "kent")
    staff = {role: make_staff(org, role, f"Kent {role.replace('_', ' ')}") for role in ROLES}
    lead = staff[Role.TEAM_LEAD]
    held = make_referral(lead, full_name="Harriet Held", suspect_name="Sam Suspect")
    services.referral_accept(staff=staff_of(lead), referral=held)
    services.client_allocate(staff=staff_of(lead), client=held.client, member=staff[Role.CASEWORKER])
    new = make_referral(lead, full_name="Nina Newref")
    worker = staff_of(staff[Role.CASEWORKER])
    client = held.client
    concern = safeguarding.concern_raise(staff=worker, client=client, subject="child", summary="Child saw the suspect at the school gate.", consent="not_yet")
    referral = safeguarding.referral_make(staff=worker, concern=concern, agency="children", reference="MASH call")
    goal = plans.goal_add(staff=worker, client=client, area="housing", text="Move somewhere he does not know")
    action = plans.action_add(
        staff=worker, goal=goal, text="Call the housing officer", owner=staff[Role.CASEWORKER], due_on=dt.date.today() + dt.timedelta(days=3)
    )
    plan = safety.save(
        staff=worker,
        client=client,
        base_version=0,
        made_with_person=True,
        review_on=dt.date.today() + dt.timedelta(days=30),
        sections=sections(emergency="Call 999", leaving="New flat at 4 Elm Road"),
    )
    other = make_org("Fife Support", "SCT", "fife")
    other_lead = make_staff(other, Role.TEAM_LEAD, "Fife Lead")
    theirs = make_referral(other_lead, full_name="Fiona Fife")
    return {
        "org": org,
        "staff": staff,
        "held": held,
        "client": client,
        "new": new,
        "concern": concern,
        "referral": referral,
        "goal": goal,
        "action": action,
        "plan": plan,
        "other_lead": other_lead,
        "other_admin": make_staff(other, Role.ORG_ADMIN, "Fife Admin"),
        "theirs": theirs,
    }
