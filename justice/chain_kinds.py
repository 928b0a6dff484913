"""The chain kinds of the justice side, and each row's canonical payload.

A client has its own hash chain (:class:`justice.models.ClientEntry`, written by justice/ledger.py) with the same
entry layout as a case's chain (chain.services.entry_dict, the client's uuid in place of the case's). Kinds, with
the ref of each entry:

* ``risk.assessment`` (``assessment/<uuid>``) and ``risk.review`` (``review/<uuid>``);
* ``suspect.status`` (``status/<uuid>``);
* ``client_order.opened`` (``order/<uuid>``) and ``client_order.event`` (``order-event/<uuid>``);
* ``court.date`` (``court/<uuid>``); ``vps.event`` (``vps/<uuid>``);
* ``onward.referral`` (``onward/<uuid>``: re-appended with each change of its state, meeting date or feedback;
  the latest entry must match the row), ``onward.event`` (``onward-event/<uuid>``), ``meeting.action``
  (``action/<uuid>``).

Sealed text enters a payload as the SHA-256 of its plaintext, so the chain commits to it without holding it.
The kinds are registered with chain.kinds too (so no other app can claim the names); a case's chain never holds
them, and its checker says so if one turns up there.
"""

from __future__ import annotations

import hashlib
from typing import Any

from chain import kinds
from chain.models import ChainEntry
from justice import models as m
from kernel.canonical import day, ts

KINDS = (
    "risk.assessment",
    "risk.review",
    "suspect.status",
    "client_order.opened",
    "client_order.event",
    "court.date",
    "vps.event",
    "onward.referral",
    "onward.event",
    "meeting.action",
)


def text_sha(value: str | None) -> str | None:
    return hashlib.sha256(value.encode("utf-8")).hexdigest() if value else None


def _base(row: Any, schema: str) -> dict[str, Any]:
    return {"schema": schema, "uuid": str(row.uuid), "by": row.by_id, "at": ts(row.at)}


def payload(row: Any) -> tuple[str, str, dict[str, Any]]:
    """(kind, ref, payload) of a justice row."""
    if isinstance(row, m.Assessment):
        p = _base(row, "daybook.risk-assessment.v1")
        p.update(
            instrument=row.instrument,
            version=row.instrument_version,
            answers=dict(sorted(row.answers.items())),
            domestic=row.domestic,
            level=row.level,
            level_before=row.level_before,
            judgement=text_sha(row.judgement),
        )
        return "risk.assessment", f"assessment/{row.uuid}", p
    if isinstance(row, m.LevelReview):
        p = _base(row, "daybook.risk-review.v1")
        p.update(assessment=str(row.assessment.uuid), agreed=row.agreed, reason=text_sha(row.reason))
        return "risk.review", f"review/{row.uuid}", p
    if isinstance(row, m.StatusChange):
        p = _base(row, "daybook.suspect-status.v1")
        p.update(state=row.state, on=day(row.on), until=day(row.until), conditions=text_sha(row.conditions), note=text_sha(row.note))
        return "suspect.status", f"status/{row.uuid}", p
    if isinstance(row, m.Order):
        p = _base(row, "daybook.client-order.v1")
        p.update(kind=row.kind)
        return "client_order.opened", f"order/{row.uuid}", p
    if isinstance(row, m.OrderEvent):
        p = _base(row, "daybook.client-order-event.v1")
        p.update(
            order=str(row.order.uuid),
            step=row.step,
            on=day(row.on),
            decision=row.decision,
            expires_on=day(row.expires_on),
            conditions=text_sha(row.conditions),
            note=text_sha(row.note),
        )
        return "client_order.event", f"order-event/{row.uuid}", p
    if isinstance(row, m.CourtDate):
        p = _base(row, "daybook.court-date.v1")
        p.update(on=day(row.on), purpose=row.purpose, court=text_sha(row.court))
        return "court.date", f"court/{row.uuid}", p
    if isinstance(row, m.VpsEvent):
        p = _base(row, "daybook.vps-event.v1")
        p.update(step=row.step, on=day(row.on))
        return "vps.event", f"vps/{row.uuid}", p
    if isinstance(row, m.Onward):
        p = _base(row, "daybook.onward-referral.v1")
        p.update(
            kind=row.kind,
            to=str(row.to_organisation.uuid) if row.to_organisation_id else None,
            purpose=row.purpose,
            basis=row.basis,
            consent_on=day(row.consent_on),
            decided_by=row.decided_by,
            person_told=row.person_told,
            items=list(row.items),
            state=row.state,
            meeting_on=day(row.meeting_on),
            feedback_on=day(row.feedback_on),
            rationale=text_sha(row.rationale),
        )
        return "onward.referral", f"onward/{row.uuid}", p
    if isinstance(row, m.OnwardEvent):
        p = {
            "schema": "daybook.onward-event.v1",
            "uuid": str(row.uuid),
            "by": row.by_id,
            "at": ts(row.at),
            "onward": str(row.onward.uuid),
            "state": row.state,
            "shared_sha256": row.shared_sha256,
            "reason": text_sha(row.reason),
        }
        return "onward.event", f"onward-event/{row.uuid}", p
    if isinstance(row, m.MeetingAction):
        p = _base(row, "daybook.meeting-action.v1")
        p.update(onward=str(row.onward.uuid), owner=row.owner_id, due_on=day(row.due_on), what=text_sha(row.what))
        return "meeting.action", f"action/{row.uuid}", p
    raise TypeError(f"not a chained justice row: {type(row).__name__}")


class NotOnCases(kinds.Checker):
    """The justice kinds live on client chains; on a person's case chain one is out of place."""

    def check(self, entry: ChainEntry) -> str | None:
        return f"Entry {entry.seq} ({entry.kind}) belongs to a service's client record, not to this case."


kinds.register("justice", KINDS, NotOnCases)
