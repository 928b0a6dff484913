"""The chain kind imports own: ``import.items`` (ref ``import/<import uuid>``), appended when an import finishes and
again when it is undone (see chain.kinds).

Its payload commits to every imported message and call: the SHA-256 of the ordered list (by ``seq``) of each item's
hash, where an item's hash is the SHA-256 of the canonical object of its stored columns (sealed columns as their
stored tokens, so a third party can recompute it from the database without the case key). A deleted, added,
swapped or changed item changes it. Imports finished before this kind existed are reported as "not covered".
"""

from __future__ import annotations

from typing import Any

from cases.services import FACTS_CHAINED_SINCE
from chain import kinds
from chain import services as chain
from chain.models import ChainEntry
from imports.models import Import, ImportedItem
from kernel.canonical import sha256_hex, ts

KIND = "import.items"
ITEM_COLUMNS = (
    "identity",
    "kind",
    "source",
    "channel",
    "at",
    "local_day",
    "local_minute",
    "seq",
    "position",
    "suspect",
    "direction",
    "call_seconds",
    "call_kind",
    "attachments",
    "threats",
    "night",
    "burst",
    "sender_enc",
    "recipients_enc",
    "text_enc",
)


def import_ref(job: Import) -> str:
    return f"import/{job.uuid}"


def item_sha256(row: dict[str, Any]) -> str:
    """The hash of one item: its columns (``at`` as the chain's timestamp string, ``local_day`` as ISO date)."""
    item = dict(row)
    item["at"] = ts(item["at"])
    item["local_day"] = item["local_day"].isoformat()
    return sha256_hex(item)


def items_payload(job: Import, status: str) -> dict[str, Any]:
    """The payload of an ``import.items`` entry."""
    hashes = [item_sha256(row) for row in ImportedItem.objects.filter(job=job).order_by("seq", "pk").values(*ITEM_COLUMNS).iterator(chunk_size=5000)]
    return {"schema": "daybook.import-items.v1", "import": str(job.uuid), "status": status, "items": len(hashes), "items_sha256": sha256_hex(hashes)}


def chain_items(case: Any, job: Import, status: str) -> None:
    """Append the import's items to the case's chain (inside the caller's transaction)."""
    locked = chain.lock(case)
    chain.append(locked, KIND, import_ref(job), sha256_hex(items_payload(job, status)))


class ImportedItems(kinds.Checker):
    def __init__(self, case: Any) -> None:
        super().__init__(case)
        self.latest: dict[str, str] = {}
        self.not_covered: list[str] = []

    def check(self, entry: ChainEntry) -> str | None:
        if not entry.ref.startswith("import/"):
            return f"Entry {entry.seq} has the wrong kind for {entry.ref}."
        self.latest[entry.ref] = entry.payload_sha256
        return None

    def finish(self) -> str | None:
        opened_at = ChainEntry.objects.filter(case=self.case, seq=1).values_list("at", flat=True).first() or ""
        covered = opened_at >= FACTS_CHAINED_SINCE
        jobs = {import_ref(job): job for job in Import.objects.filter(case=self.case)}
        if set(self.latest) - set(jobs):
            return "An import recorded in the chain has been deleted outside Daybook, with its messages and calls."
        uncovered = 0
        for ref, job in jobs.items():
            if ref not in self.latest:
                if job.status not in ("done", "undone"):
                    continue  # still running, or failed with nothing kept
                if covered:
                    return "An import is not in the chain: its messages and calls were added outside Daybook."
                uncovered += 1
                continue
            status = job.status if job.status in ("done", "undone") else "changed"
            if sha256_hex(items_payload(job, status)) != self.latest[ref]:
                return "The messages and calls of an import have been changed, deleted or swapped outside Daybook."
        stray = ImportedItem.objects.filter(case=self.case).exclude(job__case=self.case).exists()
        if stray:
            return "Imported messages from another case have been moved into this one outside Daybook."
        if uncovered:
            self.not_covered.append(f"{uncovered} import(s) finished before Daybook kept imported messages in the chain.")
        return None

    def notes(self) -> list[str]:
        return self.not_covered


kinds.register("import", (KIND,), ImportedItems)
