"""The resumable-upload protocol: :func:`start_upload` (which creates the original's blob and its header), then
:func:`receive_chunk` for each chunk, sealed as it arrives straight into its place in that blob (vault/parts.py:
the file is written once), then :func:`finish_upload`, which completes the blob, reads it back once (every tag
checked, the SHA-256 of the original taken) and registers it (evidence.services). Nothing is kept in memory between
requests, so any web node can take the next chunk, and a restart (or kill -9) mid-upload loses at most the chunk
that was in flight."""

from __future__ import annotations

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
from evidence.sweep import abandon
from kernel.sizes import human_size
from vault import keys, parts, store, stream


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
    if free is not None and free < needed + 64 * 1024 * 1024:  # the sealed original, written once
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
    header = stream.Header.new()
    blob = Blob(case=case, purpose="original", segment_size=header.segment_size, size=size, stored_size=stream.stored_size_for(size))
    blob.name = store.blob_name(case, blob)
    blob.save()  # "writing": clean-up leaves it while its upload is open
    try:
        with _storage_refusals(0):
            upload.store_state = parts.begin(blob.name)
    except BaseException:
        blob.delete()
        raise
    upload.blob, upload.header = blob, header.raw.hex()
    upload.save()
    return upload


STORAGE_MESSAGE = "The file store cannot be reached just now. What was sent so far is safe: the upload carries on when you try again."


class _storage_refusals:  # noqa: N801
    """The storage's failures as the person's messages: full (507), unreachable (503); both keep the offset."""

    def __init__(self, offset: int) -> None:
        self.offset = offset

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, store.OutOfSpace) or (isinstance(exc, OSError) and store.is_out_of_space(exc)):
            raise UploadError(SPACE_MESSAGE, 507, self.offset) from exc
        if isinstance(exc, OSError):
            raise UploadError(STORAGE_MESSAGE, 503, self.offset) from exc
        return False


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
    """Seal one chunk into its place in the upload's blob and commit it. Returns the new committed offset."""
    if upload.status != "open":
        raise UploadError("This upload is already finished or was discarded.", 409, upload.received)
    if upload.blob_id is None:
        raise UploadError(LEGACY_MESSAGE, 410, upload.received)
    if offset != upload.received:
        raise UploadError("The upload is at a different point: carry on from the offset given.", 409, upload.received)
    if length <= 0:
        raise UploadError("An empty chunk carries nothing.", 400, upload.received)
    if length > MAX_CHUNK:
        raise UploadError("This chunk is too large.", 413, upload.received)
    if offset + length > upload.size:
        raise UploadError(f"More bytes arrived than the file's size ({upload.size}). The file may have changed since the upload began.", 413, upload.received)
    final = offset + length == upload.size
    if not final and length % stream.SEGMENT_SIZE:
        raise UploadError("Every chunk but the last must be a whole number of mebibytes.", 400, upload.received)
    if not final and length < parts.min_part_size():
        raise UploadError(f"Every chunk but the last must be at least {human_size(parts.min_part_size())} here.", 400, upload.received)
    index = upload.parts
    first = offset // stream.SEGMENT_SIZE
    header = stream.Header.parse(bytes.fromhex(upload.header))
    cipher = stream.Cipher(keys.data_key(upload.case), stream.blob_context(upload.blob.uuid), header)

    def sealed() -> Iterator[bytes]:
        if first == 0:
            yield header.raw
        for _plain, segment, _last in stream.seal_run(cipher, _counted(source, length), first_index=first, final=final):
            yield segment

    position = 0 if first == 0 else stream.segment_offset(first, header.segment_size)
    with _storage_refusals(upload.received):
        token = parts.write(upload.blob.name, upload.store_state, index, position, sealed())
    try:
        with transaction.atomic():
            current = UploadSession.objects.select_for_update().get(pk=upload.pk)
            if current.status != "open" or current.received != offset or current.parts != index:
                raise UploadError("Another copy of this chunk arrived first.", 409, current.received)
            UploadPart.objects.create(upload=current, index=index, offset=offset, length=length, name=token)
            current.received = offset + length
            current.parts = index + 1
            current.save(update_fields=["received", "parts", "updated_at"])
    except BaseException:
        if token:
            parts.forget([token])
        raise
    upload.received, upload.parts = current.received, current.parts
    return current.received


LEGACY_MESSAGE = "This upload was begun before Daybook was updated and cannot be finished. Please add the file again."


def finish_upload(upload: UploadSession, user: Any) -> Ingested:
    """Complete the upload's blob, read it back for its SHA-256, and register it. Safe to call again after any failure."""
    if upload.status == "complete" and upload.exhibit_id:
        return Ingested(Exhibit.objects.get(pk=upload.exhibit_id), created=False)
    if upload.status != "open":
        raise UploadError("This upload was discarded.", 410)
    if upload.blob_id is None:
        raise UploadError(LEGACY_MESSAGE, 410)
    if upload.received != upload.size:
        raise UploadError("Not all of the file has arrived yet.", 409, upload.received)
    rows = list(UploadPart.objects.filter(upload=upload).order_by("index"))
    expected = 0
    for i, part in enumerate(rows):
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
    blob = upload.blob
    stored = stream.stored_size_for(upload.size, blob.segment_size)
    with _storage_refusals(upload.received):
        parts.complete(blob.name, upload.store_state, [p.name for p in rows], stored)
    try:
        with _storage_refusals(upload.received):
            sha, size, _ = store.read_back(upload.case, blob, stored_hash=False)  # the stored SHA-256: the check after
    except stream.BlobError as exc:
        damaged = _part_of(rows, exc.segment, blob.segment_size)
        _rewind(upload, damaged, restart=not parts.in_place())
        raise UploadError("Part of the upload was damaged in storage. It will be sent again from there.", 409, upload.received) from exc
    if size != upload.size:
        raise UploadError("The file's size does not match what was announced.", 400)
    Blob.objects.filter(pk=blob.pk).update(size=size, stored_size=stored)
    blob.size, blob.stored_size = size, stored
    return services.register(upload.case, user, blob, sha, meta.get("name", ""), details, upload=upload)


def _part_of(rows: list[UploadPart], segment: int | None, segment_size: int) -> UploadPart:
    at = (segment or 0) * segment_size
    for part in reversed(rows):
        if part.offset <= at:
            return part
    return rows[0]


def _rewind(upload: UploadSession, part: UploadPart, *, restart: bool = False) -> None:
    """Forget the given part and every part after it: the client resends from that part's offset.

    ``restart``: the blob was already completed where parts cannot be rewritten (S3, other storages): start it
    again from the first byte, under a new header (new salt, so nothing is ever sealed twice under one nonce)."""
    with transaction.atomic():
        current = UploadSession.objects.select_for_update().get(pk=upload.pk)
        if restart:
            part = UploadPart.objects.filter(upload=current).order_by("index").first() or part
        doomed = list(UploadPart.objects.filter(upload=current, index__gte=part.index))
        UploadPart.objects.filter(pk__in=[p.pk for p in doomed]).delete()
        current.received = part.offset
        current.parts = part.index
        if restart:
            store.delete_quietly(current.blob.name)
            current.header = stream.Header.new(current.blob.segment_size).raw.hex()
            with _storage_refusals(0):
                current.store_state = parts.begin(current.blob.name)
        current.save(update_fields=["received", "parts", "header", "store_state", "updated_at"])
    parts.forget([p.name for p in doomed if p.name])
    upload.received, upload.parts, upload.header, upload.store_state = current.received, current.parts, current.header, current.store_state


def discard_upload(upload: UploadSession, user: Any) -> None:
    with transaction.atomic():
        updated = UploadSession.objects.filter(pk=upload.pk, status="open").update(status="discarded", updated_at=timezone.now())
    if updated:
        abandon(upload)
        upload.status = "discarded"


def matching_upload(case: Case, name: str, size: int, last_modified: int | None) -> UploadSession | None:
    """An unfinished upload of the same file (same name, size and modification time): resume it."""
    for upload in UploadSession.objects.filter(case=case, status="open", size=size).select_related("case").order_by("-updated_at"):
        meta = upload.meta if isinstance(upload.meta, dict) else {}
        if meta.get("name") == name[:1000] and (last_modified is None or meta.get("last_modified") in (None, last_modified)):
            return upload
    return None
