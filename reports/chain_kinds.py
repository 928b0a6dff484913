"""The chain kind reports own: ``handover.download`` (ref ``handover-download/<id>``), one entry when a download
through a hand-over link starts and one more when every byte was sent (see chain.kinds).

The person's "who downloaded" list is made of these rows: the check recomputes each row's payload and compares it
with its latest entry, and finds rows deleted, changed or added outside Daybook. Downloads of a case opened before
this kind existed that have no entry are reported as "not covered", not as broken.
"""

from __future__ import annotations

from typing import Any

from cases.services import FACTS_CHAINED_SINCE
from chain import kinds
from chain import services as chain
from chain.models import ChainEntry
from kernel.canonical import sha256_hex, ts
from kernel.crypto import DecryptionError
from reports.models import HandoverDownload

KIND = "handover.download"


def download_ref(download: HandoverDownload) -> str:
    return f"handover-download/{download.pk}"


def download_payload(download: HandoverDownload) -> dict[str, Any]:
    """The payload of a ``handover.download`` entry: the row as the person's list shows it."""
    return {
        "schema": "daybook.handover-download.v1",
        "report": str(download.handover.report.uuid),
        "handover": download.handover_id,
        "download": download.pk,
        "at": ts(download.at),
        "what": download.what,
        "completed": download.completed,
        "client": download.client,
    }


def chain_download(case: Any, download: HandoverDownload) -> None:
    """Append the download's current state to the case's chain (inside the caller's transaction)."""
    locked = chain.lock(case)
    chain.append(locked, KIND, download_ref(download), sha256_hex(download_payload(download)))


class HandoverDownloads(kinds.Checker):
    def __init__(self, case: Any) -> None:
        super().__init__(case)
        self.latest: dict[str, str] = {}
        self.opened_at = ""
        self.not_covered: list[str] = []

    def check(self, entry: ChainEntry) -> str | None:
        if not entry.ref.startswith("handover-download/"):
            return f"Entry {entry.seq} has the wrong kind for {entry.ref}."
        self.latest[entry.ref] = entry.payload_sha256
        return None

    def finish(self) -> str | None:
        self.opened_at = ChainEntry.objects.filter(case=self.case, seq=1).values_list("at", flat=True).first() or ""
        covered = self.opened_at >= FACTS_CHAINED_SINCE
        present = set()
        uncovered = 0
        rows = HandoverDownload.objects.filter(handover__report__case=self.case).select_related("handover__report").order_by("pk")
        for download in rows:
            download.handover.report.case = self.case
            ref = download_ref(download)
            present.add(ref)
            try:
                digest = sha256_hex(download_payload(download))
            except (DecryptionError, ValueError):
                return "A download of one of your reports cannot be read: a stored value was altered or moved from another record."
            if ref in self.latest:
                if digest != self.latest[ref]:
                    return "A download of one of your reports has been changed outside Daybook: it no longer matches its record."
            elif covered:
                return "A download of one of your reports is not in the chain: it was added outside Daybook."
            else:
                uncovered += 1
        if set(self.latest) - present:
            return "A download of one of your reports has been deleted outside Daybook: your list of who downloaded is incomplete."
        if uncovered:
            self.not_covered.append(f"{uncovered} download(s) of your reports recorded before Daybook kept downloads in the chain.")
        return None

    def notes(self) -> list[str]:
        return self.not_covered


kinds.register("handover", (KIND,), HandoverDownloads)
