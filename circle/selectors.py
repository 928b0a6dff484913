"""What the circle's pages read: the person's shares, contacts and the services' looks; a contact's own sightings."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from cases.models import Case
from cases.policy import cases_for
from circle.models import KeptCopy, Share, Sighting, TrustedContact
from circle.policy import PART_WORDS, Part, as_uuid
from circle.scope import scope_of

LOOK_ROWS = 200


def _look_words(e: AuditEvent) -> str:
    try:
        part = PART_WORDS[Part(e.target.split(":")[0])]
    except ValueError:
        part = "your diary"
    return f"Your support service, {e.organisation.name if e.organisation else 'a service'}, looked at {part} on {e.at:%-d %B %Y at %H:%M}."


def circle_for(user: Any) -> dict[str, Any]:
    """Everything the person's "who can see my diary" page shows. Staff are never named, only their service."""
    cases = list(cases_for(user))
    by_pk = {c.pk: c for c in cases}
    shares = list(Share.objects.filter(case__in=cases).select_related("organisation").order_by("ended_at", "-created_at"))
    for s in shares:
        s.case = by_pk[s.case_id]
    contacts = list(TrustedContact.objects.filter(case__in=cases).order_by("revoked_at", "-created_at"))
    for c in contacts:
        c.case = by_pk[c.case_id]
    now = timezone.now()
    looks = AuditEvent.objects.filter(case__in=cases, action=AuditAction.SHARE_VIEWED.value).select_related("organisation")[:LOOK_ROWS]
    return {
        "cases": cases,
        "shares": [{"share": s, "scope": scope_of(s).words()} for s in shares],
        "contacts": [{"contact": c, "count": c.sightings.count(), "expired": c.expires_at <= now} for c in contacts],
        "looks": [{"at": e.at, "words": _look_words(e)} for e in looks],
    }


def share_of_owner(user: Any, share_id: object) -> Share | None:
    return Share.objects.select_related("case", "organisation").filter(uuid=as_uuid(share_id), case__owner=user).first()


def contact_of_owner(user: Any, contact_id: object) -> TrustedContact | None:
    return TrustedContact.objects.select_related("case").filter(uuid=as_uuid(contact_id), case__owner=user).first()


def sightings_of(case: Case) -> list[Sighting]:
    rows = list(Sighting.objects.filter(case=case).select_related("contact", "incident", "exhibit"))
    for r in rows:
        r.case = case
        r.contact.case = case
    return rows


def own_sightings(contact: TrustedContact) -> list[Sighting]:
    """The contact sees only what they themselves added."""
    rows = list(Sighting.objects.filter(contact=contact).order_by("-recorded_at"))
    for r in rows:
        r.case = contact.case
    return rows


def kept_copies(organisation: Any, client: Any) -> list[KeptCopy]:
    rows = list(KeptCopy.objects.filter(organisation=organisation, client=client).select_related("copied_by"))
    for r in rows:
        r.client = client
    return rows
