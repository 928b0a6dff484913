"""The chain kind cases own: ``case.opened``, the first entry of every case (see chain.kinds)."""

from __future__ import annotations

from cases.services import case_opened_payload
from chain import kinds
from chain.models import ChainEntry
from kernel.canonical import sha256_hex


class CaseOpened(kinds.Checker):
    def check(self, entry: ChainEntry) -> str | None:
        if entry.seq != 1 or sha256_hex(case_opened_payload(self.case)) != entry.payload_sha256:
            return "The record of when this case was opened has been altered."
        return None


kinds.register("case", ("case.opened",), CaseOpened)
