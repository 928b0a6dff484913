"""The chain's reference format and genesis value: the one place they are written.

A chain entry's ``ref`` names what its payload is a snapshot of. The formats are part of the documented chain
layout (docs/ARCHITECTURE.md) and must never change: old chains are verified with them.
"""

from __future__ import annotations

GENESIS = "0" * 64  # the "previous hash" of a case's first entry
CASE = "case"  # the ref of the case.opened entry


def incident_ref(number: int, version: int) -> str:
    """Version ``version`` of incident ``number``: ``incident/12/v3``."""
    return f"incident/{number}/v{version}"


def exhibit_ref(number: int, event: int) -> str:
    """Event ``event`` of exhibit ``number``: ``exhibit/4/e2``."""
    return f"exhibit/{number}/e{event}"


def sighting_ref(number: int) -> str:
    """Sighting ``number`` of a case, added by a trusted contact: ``sighting/3``."""
    return f"sighting/{number}"
