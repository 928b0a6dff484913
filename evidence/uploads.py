"""The resumable-upload protocol: :func:`start_upload`, then :func:`receive_chunk` for each chunk (encrypted as it
arrives into a staging part), then :func:`finish_upload`, which decrypts the parts in order, seals them into one
blob while hashing, and registers it (evidence.services). The hash is never kept in memory between requests, so a
server restart (or kill -9) mid-upload loses at most the chunk that was in flight."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import transaction
from django.utils import timezone

from cases.models import Case
from diary.models import Incident
from evidence import services
from evidence.limits import EMPTY_MESSAGE, MAX_CHUNK, MAX_OPEN_UPLOADS, SPACE_MESSAGE, UploadError, max_upload_bytes, too_big_message
from evidence.models import Blob, Exhibit, UploadPart, UploadSession
from evidence.services import Details, Ingested
from evidence.sweep import delete_parts, part_dir
from vault import keys, store, stream


def start_upload(
    case: Case, user: Any, *, name: str, size: int, last_modified: int | None = None, details: Details | None = None, space_needed: int | None = None
) -> UploadSession:
    """Open a resumable upload of ``size`` bytes. Refuses at once what is empty, over the limit, or will not fit."""
    if size <= 0:
        raise UploadError(EMPTY_MESSAGE, 400)
    if size > max_upload_bytes():
        raise UploadError(too_big_message(), 413)
    free = store.free_bytes()
    needed = size if space_needed is None else space_needed
    if free is not None and free < 2 * needed + 64 * 1024 * 1024:  # the parts, then the sealed original
        raise UploadError(SPACE_MESSAGE, 507)
    if UploadSession.objects.filter(case=case, status="open").count() >= MAX_OPEN_UPLOADS:
        raise UploadError("There are too many unfinished uploads in this case. Finish or discard some first.", 429)
    details = details or Details()
    upload = UploadSession(case=case, created_by=user if getattr(user, "pk", None) else None, size=size)
    upload.meta = {
        "name": name[:1000],
        "last_modified": last_modified,
        "incident": details.incident.number if details.incident else None,
        "photo_of": details.photo_of.number if details.photo_of else None,
    }
    upload.save()
    return upload


def _counted(source: Iterable[bytes], length: int) -> Iterator[bytes]:
    got = 0
    for piece in source:
        got += len(piece)
        if got > length:
            raise UploadError("More bytes arrived than were announced for this chunk.", 400)
        yield piece
    if got != length:
        raise UploadError("The connection dropped before this part of the file arrived in full. It will be sent again.", 400)


def receive_chunk(upload: UploadSession, offset: int, source: Iterable[bytes], length: int) -> int:
    """Encrypt one chunk into a staging part and commit it. Returns the new committed offset."""
    if upload.status != "open":
        raise UploadError("This upload is already finished or was discarded.", 409, upload.received)
    if offset != upload.received:
        raise UploadError("The upload is at a different point: carry on from the offset given.", 409, upload.received)
    if length <= 0:
        raise UploadError("An empty chunk carries nothing.", 400, upload.received)
    if length > MAX_CHUNK:
        raise UploadError("This chunk is too large.", 413, upload.received)
    if offset + length > upload.size:
        raise UploadError(f"More bytes arrived than the file's size ({upload.size}). The file may have changed since the upload began.", 413, upload.received)
    if offset + length < upload.size and length % stream.SEGMENT_SIZE:
        raise UploadError("Every chunk but the last must be a whole number of mebibytes.", 400, upload.received)
    index = upload.parts
    name = f"{part_dir(upload.uuid)}/{index:06d}-{secrets.token_hex(4)}.part"
    case = upload.case
    sealing = stream.SealingStream(keys.data_key(case), stream.part_context(upload.uuid, index), _counted(source, length), name=name)
    try:
        saved = store.save_sealed(name, sealing, durable=False)
    except store.OutOfSpace as exc:
        raise UploadError(SPACE_MESSAGE, 507, upload.received) from exc
    try:
        with transaction.atomic():
            current = UploadSession.objects.select_for_update().get(pk=upload.pk)
            if current.status != "open" or current.received != offset or current.parts != index:
                raise UploadError("Another copy of this chunk arrived first.", 409, current.received)
            UploadPart.objects.create(upload=current, index=index, offset=offset, length=length, name=saved)
            current.received = offset + length
            current.parts = index + 1
            current.save(update_fields=["received", "parts", "updated_at"])
    except BaseException:
        store.delete_quietly(saved)
        raise
    upload.received, upload.parts = current.received, current.parts
    return current.received


class _PartDamaged(Exception):
    def __init__(self, part: UploadPart) -> None:
        super().__init__(f"part {part.index} is damaged")
        self.part = part


def _parts_plaintext(upload: UploadSession, parts: list[UploadPart]) -> Iterator[bytes]:
    key = keys.data_key(upload.case)
    st = store.storage()
    for part in parts:
        got = 0
        try:
            with st.open(part.name, "rb") as handle:
                for piece in stream.decrypt_stream(key, stream.part_context(upload.uuid, part.index), handle):
                    got += len(piece)
                    yield piece
        except (stream.BlobError, OSError) as exc:
            if store.is_out_of_space(exc):
                raise
            raise _PartDamaged(part) from exc
        if got != part.length:
            raise _PartDamaged(part)


def finish_upload(upload: UploadSession, user: Any) -> Ingested:
    """Seal the received parts into one original and register it. Safe to call again after any failure."""
    if upload.status == "complete" and upload.exhibit_id:
        return Ingested(Exhibit.objects.get(pk=upload.exhibit_id), created=False)
    if upload.status != "open":
        raise UploadError("This upload was discarded.", 410)
    if upload.received != upload.size:
        raise UploadError("Not all of the file has arrived yet.", 409, upload.received)
    parts = list(UploadPart.objects.filter(upload=upload).order_by("index"))
    expected = 0
    for i, part in enumerate(parts):
        if part.index != i or part.offset != expected:
            _rewind(upload, part)
            raise UploadError("Part of the upload is missing. It will be sent again.", 409, part.offset)
        expected += part.length
    meta = upload.meta if isinstance(upload.meta, dict) else {}
    details = Details()
    if meta.get("incident"):
        details.incident = Incident.objects.filter(case=upload.case, number=meta["incident"]).first()
    if meta.get("photo_of"):
        details.photo_of = Exhibit.objects.filter(case=upload.case, number=meta["photo_of"], kind="physical").first()
    try:
        blob, sha = store.write_blob(upload.case, Blob(case=upload.case, purpose="original"), _parts_plaintext(upload, parts), max_size=upload.size)
    except _PartDamaged as exc:
        _rewind(upload, exc.part)
        raise UploadError("Part of the upload was damaged in storage. It will be sent again from there.", 409, exc.part.offset) from exc
    except store.OutOfSpace as exc:
        raise UploadError(SPACE_MESSAGE, 507, upload.received) from exc
    if blob.size != upload.size:
        store.discard_blob(blob)
        raise UploadError("The file's size does not match what was announced.", 400)
    return services.register(upload.case, user, blob, sha, meta.get("name", ""), details, upload=upload)


def _rewind(upload: UploadSession, part: UploadPart) -> None:
    """Forget the given part and every part after it: the client resends from that part's offset."""
    with transaction.atomic():
        current = UploadSession.objects.select_for_update().get(pk=upload.pk)
        doomed = list(UploadPart.objects.filter(upload=current, index__gte=part.index))
        UploadPart.objects.filter(pk__in=[p.pk for p in doomed]).delete()
        current.received = part.offset
        current.parts = part.index
        current.save(update_fields=["received", "parts", "updated_at"])
    for p in doomed:
        store.delete_quietly(p.name)
    upload.received, upload.parts = current.received, current.parts


def discard_upload(upload: UploadSession, user: Any) -> None:
    with transaction.atomic():
        updated = UploadSession.objects.filter(pk=upload.pk, status="open").update(status="discarded", updated_at=timezone.now())
    if updated:
        delete_parts(upload)
        upload.status = "discarded"


def matching_upload(case: Case, name: str, size: int, last_modified: int | None) -> UploadSession | None:
    """An unfinished upload of the same file (same name, size and modification time): resume it."""
    for upload in UploadSession.objects.filter(case=case, status="open", size=size).select_related("case").order_by("-updated_at"):
        meta = upload.meta if isinstance(upload.meta, dict) else {}
        if meta.get("name") == name[:1000] and (last_modified is None or meta.get("last_modified") in (None, last_modified)):
            return upload
    return None
