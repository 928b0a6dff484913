"""The hook for safety plans shared back by the service (issue 17, item 2).

The care/ app (issue 15) owns safety plans and their sections marked never to leave the service. It is not on main
yet. When it lands, it provides ``care.sharing.plans_shared_with(user)`` returning, for each plan the caseworker
chose to share, the organisation's name, the plan's date and its shareable sections only; the person's circle page
shows them through :func:`shared_plans`. Until then no plan appears in anyone's Daybook.
"""

from __future__ import annotations

import importlib
from typing import Any


def shared_plans(user: Any) -> list[Any]:
    """The safety plans shared with this person (empty until care/ provides ``care.sharing.plans_shared_with``)."""
    try:
        sharing = importlib.import_module("care.sharing")
    except ImportError:
        return []
    return list(sharing.plans_shared_with(user))
