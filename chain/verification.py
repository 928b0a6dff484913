"""Verifying a case's hash chain: every link, every hash, and every kind's entries by their registered checker.

:func:`verify` recomputes each entry's hash (chain.services), follows the links from GENESIS to the case's
recorded head, and hands each entry to the checker of its kind (chain.kinds), which re-reads what the entry
points to and compares. It reports "intact" or the first broken link, in the person's words.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from chain import kinds
from chain.models import ChainEntry
from chain.refs import GENESIS
from chain.services import entry_hash

# Entries read (and handed to the checkers to load what they point to) at a time: memory is bounded by this,
# not by the size of the case.
CHUNK = 500


@dataclass
class Verification:
    ok: bool
    entries: int
    head: str
    checked_at: dt.datetime
    problem: str = ""
    broken_seq: int | None = None
    details: list[str] = field(default_factory=list)
    # One result per stored original (evidence.filecheck.FileCheck) when the files were checked.
    files: list[Any] = field(default_factory=list)
    files_checked: bool = False
    # What the check could not cover (rows recorded before their kind of chain entry existed): not broken.
    not_covered: list[str] = field(default_factory=list)


def verify(case: Any, files: bool = True) -> Verification:
    """Recompute every hash of the case and report "intact" or the first broken link.

    With ``files`` (the default), every stored file (each exhibit's original) is also read back, decrypted and
    re-hashed."""
    now = timezone.now()
    prev = GENESIS
    expected_seq = 1
    checkers = [family.checker(case) for family in kinds.families()]
    by_kind = {kind: checker for family, checker in zip(kinds.families(), checkers, strict=True) for kind in family.kinds}
    count = 0

    def fail(seq: int | None, problem: str) -> Verification:
        return Verification(False, count, prev, now, problem=problem, broken_seq=seq)

    entries = ChainEntry.objects.filter(case=case).order_by("seq").iterator(chunk_size=CHUNK)
    for chunk in kinds.chunked(entries, CHUNK):
        # Each checker loads what this chunk's entries of its kinds point to (and lets the previous chunk's go).
        for checker in checkers:
            mine = [entry for entry in chunk if by_kind.get(entry.kind) is checker]
            if mine:
                checker.prepare(mine)
        for entry in chunk:
            if entry.seq != expected_seq:
                return fail(expected_seq, f"Entry {expected_seq} is missing from the chain.")
            if entry.prev_hash != prev:
                return fail(entry.seq, f"Entry {entry.seq} does not link to entry {entry.seq - 1}.")
            recomputed = entry_hash(str(case.uuid), entry.seq, entry.kind, entry.ref, entry.at, entry.payload_sha256, entry.prev_hash)
            if recomputed != entry.entry_hash:
                return fail(entry.seq, f"Entry {entry.seq} has been altered: its hash does not match its contents.")
            checker = by_kind.get(entry.kind)
            if checker is None:
                return fail(entry.seq, f"Entry {entry.seq} has an unknown kind {entry.kind!r}.")
            problem = checker.check(entry)
            if problem:
                return fail(entry.seq, problem)
            prev = entry.entry_hash
            expected_seq += 1
            count += 1

    recorded = type(case).objects.filter(pk=case.pk).values("chain_seq", "chain_head").get()
    case.chain_seq, case.chain_head = recorded["chain_seq"], recorded["chain_head"]
    if count != case.chain_seq or prev != case.chain_head:
        return fail(count + 1, "The end of the chain does not match the case's recorded head: entries were removed.")
    for checker in checkers:
        problem = checker.finish()
        if problem:
            return fail(None, problem)
    not_covered = [note for checker in checkers for note in checker.notes()]
    if files:
        checks = [check for checker in checkers for check in checker.check_files()]
        broken = [c for c in checks if not c.ok]
        result = Verification(not broken, count, prev, now, files=checks, files_checked=True, not_covered=not_covered)
        if broken:
            result.problem = broken[0].problem
            result.details = [c.problem for c in broken]
        return result
    return Verification(True, count, prev, now, not_covered=not_covered)


def stored_bytes(case: Any) -> int:
    """Plaintext bytes of the case's stored files: what a full check has to read back and re-hash."""
    return sum(family.stored_bytes(case) for family in kinds.families() if family.stored_bytes is not None)
