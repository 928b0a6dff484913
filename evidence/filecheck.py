"""Reading stored originals back: used by the chain's full check (evidence.chain_kinds, so ``verify_case`` and the
integrity page) and by the task that runs after each file is sealed.

Each stored original is read back in full: every segment decrypted (every GCM tag checked), the plaintext
re-hashed and compared with the SHA-256 sealed into the chain, the stored bytes hashed and compared with the hash
taken when the blob was written. A missing blob is reported as missing. (diary/integrity.py, unrelated, runs the
whole chain check inline or in the background.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cases.models import Case
from evidence.models import Blob, Exhibit
from evidence.snapshots import exhibit_state
from vault import store, stream


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
        state = (latest or {}).get(exhibit.number, {}).get("state") or exhibit_state(exhibit)
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
