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

from collections.abc import Callable, Iterable, Iterator
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

    def prepare(self, entries: list[ChainEntry]) -> None:
        """Called before each chunk of entries of its kinds is checked (in chain order): a checker may load here
        what these entries point to, so that it never holds every row of the case at once."""

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
    rows the chain reached, so :meth:`unchained` finds rows added outside it.

    Given ``rows``, every row is held for the whole check. Without, the checker streams: :meth:`load` is asked for
    the rows of each chunk of entries (only that chunk is held) and :meth:`all_refs` lists every row's ref once, at
    the end, for :meth:`unchained`; memory stays bounded by the chunk, whatever the size of the case."""

    def __init__(self, case: Any, rows: dict[str, Any] | None = None) -> None:
        super().__init__(case)
        self.streamed = rows is None
        self.rows: dict[str, Any] = {} if rows is None else rows
        self.seen: set[str] = set()

    def load(self, refs: list[str]) -> dict[str, Any]:
        """The rows the refs point to (ref -> row), for a streamed checker; a ref with no row is left out."""
        raise NotImplementedError

    def all_refs(self) -> Iterable[str]:
        """Every row's ref (streamed from the database by a streamed checker)."""
        return self.rows.keys()

    def prepare(self, entries: list[ChainEntry]) -> None:
        if self.streamed:
            self.rows = {}  # let the previous chunk go before the next is read
            self.rows = self.load([entry.ref for entry in entries])

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
        if self.streamed:
            self.rows = {}
        first = min((ref for ref in self.all_refs() if ref not in self.seen), default=None)
        if first is not None:
            return f"{self.describe(first)} is not in the chain: it was added outside Daybook."
        return None


def chunked(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """``items`` in lists of at most ``size``, in order."""
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


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
