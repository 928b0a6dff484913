"""The registry of chain entry kinds: which app owns each kind, and how its entries are loaded and checked.

Each app registers its kinds in its ``chain_kinds.py``, imported from its ``AppConfig.ready()``:

* cases: ``case.opened``, ``case.details``, ``order.version``, ``crime_reference.version``;
* diary: ``incident.version``;
* evidence: ``exhibit.sealed`` and ``exhibit.event``;
* reports: ``handover.download``;
* imports: ``import.items``.

The kinds still to come (sightings, consents, referrals) register the same way: a new kind is a
new ``chain_kinds.py`` entry and a :class:`Checker`, and :func:`chain.verification.verify` needs no change.
The chain imports none of these apps: they point down to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chain.models import ChainEntry
from kernel.canonical import sha256_hex


class Checker:
    """Made once per verification of one case: loads (in ``__init__``) what its kinds' entries point to.

    :meth:`check` is asked about each entry of its kinds, in chain order; :meth:`finish` runs after the last
    entry (rows that are not in the chain, current rows that differ from their latest chained state);
    :meth:`check_files` reads back stored files when a full check is asked for. Each returns the first problem,
    in the person's words, or nothing."""

    def __init__(self, case: Any) -> None:
        self.case = case

    def check(self, entry: ChainEntry) -> str | None:
        raise NotImplementedError

    def finish(self) -> str | None:
        return None

    def check_files(self) -> list[Any]:
        """One result per stored file (with ``ok`` and ``problem``), for kinds that keep files."""
        return []

    def notes(self) -> list[str]:
        """What this check could not cover (rows older than their kind), in the person's words."""
        return []


class SnapshotChecker(Checker):
    """A checker for kinds whose entries each point to one row holding a sealed canonical snapshot (an incident
    version, an exhibit event; the kinds to come): ``rows`` maps each entry's ref to its row. It remembers which
    rows the chain reached, so :meth:`unchained` finds rows added outside it."""

    def __init__(self, case: Any, rows: dict[str, Any]) -> None:
        super().__init__(case)
        self.rows = rows
        self.seen: set[str] = set()

    def describe(self, ref: str) -> str:
        """The ref in the person's words ("Incident 3, version 2,")."""
        return ref

    def compare(self, entry: ChainEntry, payload: dict[str, Any], recorded_sha256: str) -> str | None:
        """The re-read ``payload`` and the hash recorded on its row must both equal the entry's payload hash."""
        if sha256_hex(payload) != entry.payload_sha256 or recorded_sha256 != entry.payload_sha256:
            return f"{self.describe(entry.ref)} has been altered since it was recorded."
        self.seen.add(entry.ref)
        return None

    def unchained(self) -> str | None:
        extra = set(self.rows) - self.seen
        if extra:
            return f"{self.describe(sorted(extra)[0])} is not in the chain: it was added outside Daybook."
        return None


@dataclass(frozen=True)
class Family:
    """Kinds checked together (one loader for all of them), registered by one app."""

    name: str
    kinds: tuple[str, ...]
    checker: Callable[[Any], Checker]
    # The plaintext bytes a full check of the case reads back (for deciding to check in the background).
    stored_bytes: Callable[[Any], int] | None = None


_families: dict[str, Family] = {}


def register(name: str, kinds: tuple[str, ...], checker: Callable[[Any], Checker], *, stored_bytes: Callable[[Any], int] | None = None) -> Family:
    """Register (or re-register, idempotently) the family ``name`` owning ``kinds``."""
    for other in _families.values():
        clash = set(other.kinds) & set(kinds)
        if other.name != name and clash:
            raise ValueError(f"The chain kind {sorted(clash)[0]!r} is already registered by {other.name!r}.")
    family = Family(name, tuple(kinds), checker, stored_bytes)
    _families[name] = family
    return family


def families() -> list[Family]:
    """Every registered family, in registration order (the order of INSTALLED_APPS)."""
    return list(_families.values())


def family_of(kind: str) -> Family | None:
    return next((f for f in _families.values() if kind in f.kinds), None)
