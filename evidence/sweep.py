"""Clearing what crashes and abandoned uploads leave behind: upload parts, half-written blobs, old sessions.

An open upload's blob is "writing" for as long as the upload lasts; it is removed with the upload (:func:`abandon`),
never as a crash's leftover.

Run by the ``cleanup_uploads`` command and task; finished and discarded uploads delete their parts at once."""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings
from django.utils import timezone

from evidence.models import Blob, Exhibit, UploadPart, UploadSession
from vault import parts, store


def part_dir(upload_uuid: object) -> str:
    """The storage folder of an unfinished upload's parts."""
    return f"evidence/uploads/{upload_uuid}"


def delete_parts(upload: UploadSession) -> None:
    """Forget a finished or abandoned upload's part rows (and the staging folder of uploads from before parts were
    written in place)."""
    rows = UploadPart.objects.filter(upload=upload)
    if upload.blob_id is None:
        rows.delete()
        _delete_dir(part_dir(upload.uuid))
        return
    tokens = [name for name in rows.values_list("name", flat=True) if name]
    rows.delete()
    if upload.status != "complete":
        parts.forget(tokens)


def abandon(upload: UploadSession) -> None:
    """Throw away a discarded upload: what was written of its blob, the blob row (unless an exhibit has it), the parts."""
    blob = Blob.objects.filter(pk=upload.blob_id, status="writing").first() if upload.blob_id else None
    if blob is not None and not Exhibit.objects.filter(original=blob).exists():
        tokens = [name for name in UploadPart.objects.filter(upload=upload).values_list("name", flat=True) if name]
        parts.abort(blob.name, upload.store_state, tokens)
        blob.delete()
    delete_parts(upload)


def _delete_dir(path: str) -> None:
    st = store.storage()
    try:
        _dirs, files = st.listdir(path)
    except (OSError, NotImplementedError):
        return
    for f in files:
        store.delete_quietly(f"{path}/{f}")
    try:
        root = st.path(path)
    except NotImplementedError:
        return
    try:
        os.rmdir(root)
    except OSError:
        pass


def cleanup(older_than: dt.timedelta | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Remove what crashes and abandoned uploads leave behind:

    * open uploads untouched for ``older_than`` (default EVIDENCE_UPLOAD_EXPIRY_HOURS): their parts and row;
    * discarded uploads' leftovers and finished uploads' leftover parts;
    * blobs still "writing" after an hour (a crash mid-write): the partial file and the row.

    Never touches a complete blob or anything an exhibit points to."""
    now = now or timezone.now()
    if older_than is None:
        older_than = dt.timedelta(hours=int(getattr(settings, "EVIDENCE_UPLOAD_EXPIRY_HOURS", 48)))
    counts = {"uploads": 0, "blobs": 0}
    stale = UploadSession.objects.filter(status="open", updated_at__lte=now - older_than)
    for upload in stale:
        if UploadSession.objects.filter(pk=upload.pk, status="open", updated_at=upload.updated_at).update(status="discarded", updated_at=now):
            upload.status = "discarded"
            abandon(upload)
            counts["uploads"] += 1
    for upload in UploadSession.objects.filter(status__in=["discarded", "complete"], part_rows__isnull=False).distinct():
        if upload.status == "discarded":
            abandon(upload)
        else:
            delete_parts(upload)
    writing_cutoff = now - min(older_than, dt.timedelta(hours=1))
    receiving = UploadSession.objects.filter(status="open", blob__isnull=False).values("blob_id")
    for blob in Blob.objects.filter(status="writing", created_at__lte=writing_cutoff).exclude(pk__in=receiving):
        if not Exhibit.objects.filter(original=blob).exists() and not Exhibit.objects.filter(preview=blob).exists():
            store.discard_blob(blob)
            counts["blobs"] += 1
    UploadSession.objects.filter(status="discarded", updated_at__lte=now - older_than).delete()
    return counts
