"""The impact on the person, in their own words: raw material for a Victim Personal Statement.

A Victim Personal Statement (VPS) is the person's own statement, made with the police, of how the crime has
affected them. It should not retell what happened; the diary's "how it made me feel" and "effect on daily life"
answers are exactly the part that helps. :func:`gather_impact` collects them, oldest first, from the incidents a
report covers (retracted entries are left out: the person withdrew them), with the report's redactions applied.
The PDF prints them; the lead's page shows the same list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from cases.models import Case
from diary.models import Incident
from kernel import localtime
from reports.options import ReportOptions, select_incidents

TITLE = "How this has affected me: a starting point for a Victim Personal Statement"
EXPLANATION = (
    "These are the person's own words, written in the diary at the time of each incident, about how it made them feel "
    "and how it affected their daily life. They are gathered here as a starting point for a Victim Personal Statement. "
    "A Victim Personal Statement is made separately, with the police, and the person decides what goes in it."
)


@dataclass(frozen=True)
class ImpactEntry:
    number: int  # the incident's number in the case
    day: dt.date  # the local date it happened
    feelings: str  # how it made them feel
    effect: str  # the effect on their daily life


def gather_impact(case: Case, options: ReportOptions, incidents: Iterable[Incident] | None = None) -> list[ImpactEntry]:
    """Feelings and effects on daily life from the report's incidents, oldest first, redacted as the options say.

    ``incidents`` may be the report's incidents already loaded (in time order); by default they are selected here."""
    rows = incidents if incidents is not None else select_incidents(case, options)
    tz = localtime.local_tz()
    out: list[ImpactEntry] = []
    for incident in rows:
        if incident.retracted:
            continue
        incident.case = case
        feelings = options.redact((incident.feelings or "").strip())
        effect = options.redact((incident.impact or "").strip())
        if not feelings and not effect:
            continue
        out.append(ImpactEntry(incident.number, incident.occurred_at.astimezone(tz).date(), feelings, effect))
    return out
