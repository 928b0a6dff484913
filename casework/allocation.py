"""Caseloads weighted by risk, and the conflict check at allocation (design 3.2).

Weights: a high-risk client takes about three times the work of a standard one in the first weeks (safety
planning, MARAC or MASIP, liaison); medium and not-yet-known count 2. The ceiling is the organisation's setting.

The conflict check compares keyed hashes of names (never the names): the person or the suspect against staff
members' names and the connections staff have declared, the suspect against current clients; a suspect recorded
as a police officer is a conflict too. A conflict that involves the staff member being allocated blocks the
allocation; any other conflict needs a reason from the team lead, recorded in the audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from casework.index import clients_named_as_suspect, name_token
from casework.models import Client, ClientStatus, Risk
from organisations.models import Membership, Role, StaffConnection

RISK_WEIGHT: dict[str, int] = {Risk.HIGH: 3, Risk.MEDIUM: 2, Risk.UNKNOWN: 2, Risk.STANDARD: 1}
ACTIVE = (ClientStatus.REFERRED, ClientStatus.OPEN)


def caseload(membership: Membership) -> int:
    rows = Client.objects.filter(allocated_to=membership, status__in=ACTIVE).values("risk").annotate(n=Count("id"))
    return sum(RISK_WEIGHT.get(r["risk"], 2) * r["n"] for r in rows)


def caseloads(memberships: list[Membership]) -> dict[int, int]:
    loads = {m.pk: 0 for m in memberships}
    rows = Client.objects.filter(allocated_to__in=memberships, status__in=ACTIVE).values("allocated_to", "risk").annotate(n=Count("id"))
    for r in rows:
        loads[r["allocated_to"]] += RISK_WEIGHT.get(r["risk"], 2) * r["n"]
    return loads


def allocatable(client: Client) -> list[Membership]:
    return list(
        Membership.objects.filter(organisation=client.organisation, active=True, role__in=[Role.CASEWORKER, Role.DUTY_WORKER, Role.TEAM_LEAD]).order_by(
            "display_name"
        )
    )


@dataclass(frozen=True)
class Conflict:
    words: str
    blocks: bool = False  # the staff member being allocated is involved


def conflicts(client: Client, member: Membership | None = None) -> list[Conflict]:
    org = client.organisation
    person = name_token(org, client.full_name)
    referrals = list(client.referrals.all())
    suspects = [(r, name_token(org, r.suspect_name)) for r in referrals]
    found: list[Conflict] = []
    staff = {m.name_token: m for m in Membership.objects.filter(organisation=org, active=True).exclude(name_token="")}
    links = {
        c.name_token: c.membership for c in StaffConnection.objects.filter(membership__organisation=org, membership__active=True).select_related("membership")
    }
    for who, token in [("The person", person)] + [("The suspect", t) for _, t in suspects]:
        if not token:
            continue
        if token in staff:
            m = staff[token]
            found.append(Conflict(f"{who} has the same name as staff member {m.display_name}.", blocks=member is not None and m.pk == member.pk))
        if token in links:
            m = links[token]
            found.append(
                Conflict(f"{who} has the same name as someone {m.display_name} declared a connection to.", blocks=member is not None and m.pk == member.pk)
            )
    for referral, _token in suspects:
        if referral.person_is_police:
            found.append(Conflict(f"The person in {referral.reference} is recorded as a police officer: consider restricting this record."))
        if referral.suspect_is_police:
            found.append(Conflict(f"The suspect in {referral.reference} is recorded as a police officer: consider restricting this record."))
        for other in clients_named_as_suspect(referral):
            found.append(Conflict(f"The suspect in {referral.reference} has the same name as current client {other.reference}."))
    return found
