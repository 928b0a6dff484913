"""care's chain kinds: ``safeguarding.step``, ``needs.assessment``, ``support_plan.version``, ``safety_plan.version``.

They belong to a client's chain (care/ledger.py), never to a diary case's. Registered in chain.kinds too, so that
the kinds are owned once across Daybook; its checker refuses any of them found in a diary case's chain. The
``CURRENT`` functions give each kind's current rows, which care.ledger.verify compares with their latest entry.
"""

from __future__ import annotations

from typing import Any

from care import ledger, plans, safeguarding, safety
from chain import kinds
from chain.models import ChainEntry

KINDS = (safeguarding.KIND, plans.NEEDS_KIND, plans.PLAN_KIND, safety.KIND)


class NotInADiary(kinds.Checker):
    """A care entry in a diary case's chain is out of place: it was put there outside Daybook."""

    def check(self, entry: ChainEntry) -> str | None:
        return f"Entry {entry.seq} is a client record's entry ({entry.kind}); it does not belong in a diary."


def _checker(case: Any) -> kinds.Checker:
    return NotInADiary(case)


kinds.register("care", KINDS, _checker)
ledger.CURRENT.update(
    {
        safeguarding.KIND: safeguarding.current,
        plans.NEEDS_KIND: plans.current_needs,
        plans.PLAN_KIND: plans.current_plan,
        safety.KIND: safety.current,
    }
)
