"""What the person's case pages read: their cases with a count each, and everything done to a case."""

from __future__ import annotations

from typing import Any

from audit.actions import label
from cases.models import Case
from cases.policy import cases_for
from diary import selectors as diary_selectors

ACTIVITY_ROWS = 500


def summaries(user: Any) -> list[dict[str, Any]]:
    """The person's own cases for the home page, each with its incident count and latest date."""
    return [{"case": c, "total": diary_selectors.total_incidents(c), "latest": diary_selectors.latest_incident_date(c)} for c in cases_for(user)]


def _anonymous_actor(action: str) -> str:
    if action.startswith("sighting."):
        return "A trusted contact"
    return "Someone with your hand-over link" if action.startswith("report.handover") else "Unknown"


def _who(e: Any) -> str:
    """The person's words for who acted. A support service is named, never a staff member (design section 4)."""
    if e.by_owner:
        return "You"
    if e.organisation_id:
        return f"Your support service, {e.organisation.name}"
    return e.actor.get_username() if e.actor else _anonymous_actor(e.action)


def activity(case: Case) -> list[dict[str, Any]]:
    """Every access and change, newest first, in words: the person sees who did what to their data."""
    return [
        {
            "at": e.at,
            "what": label(e.action),
            "target": e.target,
            "who": _who(e),
            "by_owner": e.by_owner,
        }
        for e in case.audit_events.select_related("actor", "organisation")[:ACTIVITY_ROWS]
    ]
