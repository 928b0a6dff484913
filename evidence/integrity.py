"""Checks of the evidence locker, used by ``diary.chain.verify`` (so by ``verify_case`` and the integrity page).

* Each chained exhibit event's sealed snapshot must hash to the value in the chain.
* Each exhibit's current row must equal the state in its latest chained event.
* Each stored original is read back in full: every segment decrypted (every GCM tag checked), the
  plaintext re-hashed and compared with the SHA-256 sealed into the chain, the stored bytes hashed and
  compared with the hash taken when the blob was written. A missing blob is reported as missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cases.models import Case
from evidence import services, store, stream
from evidence.models import Blob, Exhibit, ExhibitEvent
from kernel.canonical import sha256_hex
from kernel.crypto import DecryptionError

KINDS = ("exhibit.sealed", "exhibit.event")


def ref_of(event: ExhibitEvent, number: int) -> str:
    return f"exhibit/{number}/e{event.seq}"


def events_by_ref(case: Case) -> dict[str, ExhibitEvent]:
    out = {}
    for event in ExhibitEvent.objects.filter(exhibit__case=case).select_related("exhibit"):
        out[ref_of(event, event.exhibit.number)] = event
    return out


def check_entry(case: Case, entry: Any, events: dict[str, ExhibitEvent], latest: dict[int, dict[str, Any]]) -> str | None:
    """The problem with one chain entry of an exhibit kind, or None. Records the payload of each exhibit's latest event."""
    event = events.get(entry.ref)
    if event is None:
        return f"Entry {entry.seq} points to {human(entry.ref)}, which is missing."
    if (entry.kind == "exhibit.sealed") != (event.seq == 1):
        return f"Entry {entry.seq} has the wrong kind for {human(entry.ref)}."
    try:
        payload = services.event_payload(event, case)
    except (DecryptionError, ValueError) as exc:
        return f"{human(entry.ref)} cannot be read: {exc}."
    if sha256_hex(payload) != entry.payload_sha256 or event.payload_sha256 != entry.payload_sha256:
        return f"{human(entry.ref)} has been altered since it was recorded."
    number = event.exhibit.number
    if number not in latest or latest[number]["event"] < payload["event"]:
        latest[number] = payload
    return None


def check_current(case: Case, events: dict[str, ExhibitEvent], seen: set[str], latest: dict[int, dict[str, Any]]) -> str | None:
    extra = set(events) - seen
    if extra:
        return f"{human(sorted(extra)[0])} is not in the chain: it was added outside Daybook."
    for exhibit in Exhibit.objects.filter(case=case).select_related("original", "photo_of"):
        exhibit.case = case
        payload = latest.get(exhibit.number)
        if payload is None:
            return f"Exhibit {exhibit.number} has no recorded history: it was added outside Daybook."
        if exhibit.version != payload["event"] or services.exhibit_state(exhibit) != payload["state"]:
            return f"Exhibit {exhibit.number} has been changed outside Daybook: it no longer matches its recorded history."
    return None


@dataclass
class FileCheck:
    exhibit: Exhibit
    ok: bool
    problem: str = ""


def check_files(case: Case, latest: dict[int, dict[str, Any]] | None = None) -> list[FileCheck]:
    """Read back, decrypt and re-hash every stored original of the case. Records each result on its blob."""
    results = []
    for exhibit in Exhibit.objects.filter(case=case, kind="file").select_related("original").order_by("number"):
        exhibit.case = case
        state = (latest or {}).get(exhibit.number, {}).get("state") or services.exhibit_state(exhibit)
        results.append(check_file(case, exhibit, state.get("file") or {}))
    return results


def check_file(case: Case, exhibit: Exhibit, expected: dict[str, Any]) -> FileCheck:
    blob: Blob | None = exhibit.original
    label = f"Exhibit {exhibit.number}"
    if blob is None or str(blob.uuid) != expected.get("blob"):
        return FileCheck(exhibit, False, f"{label}: its stored file is not the one that was sealed.")
    problem = ""
    stored = ""
    if blob.status != "complete":
        problem = f"{label}: its stored file was never completely written."
    elif not _exists(blob):
        problem = f"{label}: its stored file is missing."
    else:
        try:
            sha, size, stored = store.read_back(case, blob)
        except stream.BlobError as exc:
            problem = f"{label}: its stored file has been altered or damaged ({exc})"
        except OSError as exc:
            problem = f"{label}: its stored file could not be read ({exc.strerror or exc})."
        else:
            if sha != expected.get("sha256") or size != expected.get("size"):
                problem = f"{label}: its stored file no longer matches the SHA-256 fingerprint recorded when it was sealed."
            elif blob.stored_sha256 and stored != blob.stored_sha256:
                problem = f"{label}: its stored bytes differ from those written when it was sealed."
    updates: dict[str, Any] = {"checked_at": timezone.now(), "check_ok": not problem, "check_problem": problem[:300]}
    if not problem and not blob.stored_sha256:
        updates["stored_sha256"] = stored
    Blob.objects.filter(pk=blob.pk).update(**updates)
    for key, value in updates.items():
        setattr(blob, key, value)
    return FileCheck(exhibit, not problem, problem)


def _exists(blob: Blob) -> bool:
    try:
        return store.storage().exists(blob.name)
    except OSError:
        return False


def human(ref: str) -> str:
    parts = ref.split("/")
    if len(parts) == 3 and parts[0] == "exhibit":
        return f"Exhibit {parts[1]}, event {parts[2][1:]},"
    return ref


def total_bytes(case: Case) -> int:
    from django.db.models import Sum  # noqa: PLC0415

    return Exhibit.objects.filter(case=case, kind="file").aggregate(n=Sum("size"))["n"] or 0
