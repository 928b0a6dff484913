"""The one access policy for a shared diary: which staff member may see which part of a person's case.

Every staff view of a shared diary calls :func:`shared_for` first. It returns the share (with its case) only when

1. the staff member may see the client record itself with full sight (casework/policy.py: role, allocation,
   restriction and break-glass), and their role sees client content (``Can.SEE_CLIENTS``);
2. a share of the person's diary with this organisation, joined to this client, is in force (not ended);
3. the part asked for is in the share's scope (and, for an incident, inside its dates: :func:`incidents_in_scope`).

Otherwise it raises Http404, exactly like a missing page. Each answer that lets the view go on writes one audit row
in the person's case naming the organisation (never shown to the person as a staff member). Staff never change the
diary: the shared views are reads, and the only write a staff member makes here is the service's own kept copy.
"""

from __future__ import annotations

import enum
import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from audit.actions import AuditAction
from audit.models import AuditEvent
from casework.policy import Sight, client_in_org, sight
from circle.models import EvidenceScope, Share
from diary.models import Incident
from kernel import localtime
from organisations.access import Can, Staff


class Part(enum.Enum):
    DIARY = "diary"
    EVIDENCE = "evidence"
    FILES = "files"
    REPORTS = "reports"
    SCREENING = "screening"


PART_WORDS = {
    Part.DIARY: "your diary",
    Part.EVIDENCE: "your evidence list",
    Part.FILES: "a file in your evidence",
    Part.REPORTS: "your reports",
    Part.SCREENING: "your pattern page and screening",
}


def in_scope(share: Share, part: Part) -> bool:
    if part is Part.DIARY:
        return share.diary
    if part is Part.EVIDENCE:
        return share.evidence in (EvidenceScope.DESCRIPTIONS, EvidenceScope.FILES)
    if part is Part.FILES:
        return share.evidence == EvidenceScope.FILES
    if part is Part.REPORTS:
        return share.reports
    return share.screening


def shares_of(staff: Staff, client: Any) -> QuerySet[Share]:
    """The shares in force for this client in this organisation (for the client page's panel)."""
    return Share.objects.filter(client=client, organisation=staff.organisation, ended_at__isnull=True)


def may_see_client(staff: Staff, client: Any) -> bool:
    return staff.can(Can.SEE_CLIENTS) and sight(staff, client) is Sight.FULL


def shared_for(staff: Staff, client_id: object, share_id: object, part: Part, *, target: str = "") -> Share:
    """The share in force that lets ``staff`` see ``part`` of a person's diary beside ``client_id``, or Http404.

    The read is written down (the person's case, the organisation, the client) before the view renders."""
    client = client_in_org(staff, client_id)
    if not may_see_client(staff, client):
        raise Http404("No such page")
    share = (
        Share.objects.select_related("case", "client")
        .filter(uuid=as_uuid(share_id), client=client, organisation=staff.organisation, ended_at__isnull=True)
        .first()
    )
    if share is None or not in_scope(share, part):
        raise Http404("No such page")
    AuditEvent.objects.create(
        actor=staff.user,
        case=share.case,
        organisation=staff.organisation,
        client=client,
        action=AuditAction.SHARE_VIEWED.value,
        target=(target or part.value)[:128],
        by_owner=False,
    )
    return share


def incidents_in_scope(share: Share) -> QuerySet[Incident]:
    """The incidents the share covers: the whole diary, or those from its start date on."""
    qs = Incident.objects.filter(case=share.case)
    if share.diary_from:
        qs = qs.filter(occurred_at__gte=localtime.day_start(share.diary_from))
    return qs


def as_uuid(value: object) -> str | None:
    try:
        return str(uuid.UUID(str(value)))
    except (TypeError, ValueError, AttributeError):
        return None
