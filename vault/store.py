"""Sealed blobs in Django's storage (a local folder by default, any storage backend works).

A blob is written under a name no exhibit points to yet, with its blob row saying "writing"; only
after the whole blob is written (and, on a local disk, flushed with fsync) does the caller mark it
complete and create the exhibit in one transaction. A crash in between leaves a "writing" row and a
partial file that :func:`evidence.sweep.cleanup` removes; never an exhibit pointing at half a file.

The blob row (evidence.models.Blob) is made by the caller and passed in; it needs ``uuid``, ``name``, ``size``,
``stored_size`` and ``segment_size`` fields.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import Storage, storages

from vault import stream
from vault.keys import SealedCase, data_key

BlobRow = Any  # a blob row (evidence.models.Blob): passed in, never imported


def storage() -> Storage:
    return storages[getattr(settings, "EVIDENCE_STORAGE", "default")]


class OutOfSpace(Exception):
    """The storage refused a write because it is full."""


def is_out_of_space(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)


def blob_name(case: SealedCase, blob: BlobRow) -> str:
    return f"evidence/{case.uuid}/{blob.uuid}.dbe"


def fsync(name: str) -> None:
    """Flush a just-written local file (and its folder) to disk, so a power cut cannot lose a blob that the
    database already calls complete. Storages without local paths are durable on their own terms."""
    if not getattr(settings, "EVIDENCE_FSYNC", True):
        return
    store = storage()
    try:
        path = store.path(name)
    except NotImplementedError:
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    dfd = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


def free_bytes() -> int | None:
    """Free space where blobs are written, when the storage is a local folder (else None: unknown)."""
    store = storage()
    try:
        root = store.path("")
    except NotImplementedError:
        return None
    os.makedirs(root, exist_ok=True)
    return shutil.disk_usage(root).free


def delete_quietly(name: str) -> None:
    if not name:
        return
    try:
        storage().delete(name)
    except (OSError, NotImplementedError):
        pass


def save_sealed(name: str, sealing: stream.SealingStream, durable: bool = True) -> str:
    """Write a sealing stream to the storage under ``name``; on any failure remove what was written.

    ``durable=False`` skips the fsync: for upload parts, which finishing checks segment by segment anyway (a part
    lost to a power cut fails its tags and the upload rewinds to it)."""
    store = storage()
    try:
        saved = store.save(name, sealing)
        if durable:
            fsync(saved)
        return saved
    except BaseException as exc:
        delete_quietly(name)
        if is_out_of_space(exc):
            raise OutOfSpace(str(exc)) from exc
        raise


def write_blob(case: SealedCase, blob: BlobRow, source: Iterable[bytes], *, max_size: int | None = None) -> tuple[BlobRow, str]:
    """Seal ``source`` into ``blob``, a new unsaved blob row of ``case``. Returns the blob (saved, still
    "writing") and the plaintext's SHA-256.

    The caller marks it complete in the transaction that makes it reachable, or deletes it."""
    # The row (with the storage name) exists before a byte is written, so clean-up can find a blob that a crash
    # left half-written.
    blob.segment_size = stream.SEGMENT_SIZE
    blob.name = name = blob_name(case, blob)
    blob.save()
    rows = type(blob).objects.filter(pk=blob.pk)
    sealing = stream.SealingStream(data_key(case), stream.blob_context(blob.uuid), source, name=name, max_size=max_size)
    try:
        saved = save_sealed(name, sealing)
    except BaseException:
        rows.delete()
        raise
    blob.name = saved
    blob.size = sealing.size
    blob.stored_size = sealing.stored_size
    rows.update(name=saved, size=sealing.size, stored_size=sealing.stored_size)
    return blob, sealing.sha256


def discard_blob(blob: BlobRow) -> None:
    delete_quietly(blob.name)
    type(blob).objects.filter(pk=blob.pk).delete()


def open_reader(case: SealedCase, blob: BlobRow) -> stream.SealedReader:
    store = storage()
    handle = store.open(blob.name, "rb")
    try:
        return stream.SealedReader(data_key(case), stream.blob_context(blob.uuid), handle, store.size(blob.name))
    except BaseException:
        handle.close()
        raise


class _Hashing:
    """Wraps a file object and hashes every byte read through it."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.hash = hashlib.sha256()
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        data = self.handle.read(n)
        self.hash.update(data)
        self.count += len(data)
        return data


def read_back(case: SealedCase, blob: BlobRow, *, stored_hash: bool = True) -> tuple[str, int, str]:
    """Read the whole stored blob: decrypt every segment (checking every tag) and hash both the plaintext and
    the stored bytes. Returns (plaintext SHA-256, plaintext size, stored SHA-256). Raises BlobError/OSError.

    The plaintext is hashed in a helper thread a few segments behind the reads and the decryption (``hashlib``
    releases the GIL). ``stored_hash=False`` skips the SHA-256 of the stored bytes (returned as ""): finishing an
    upload needs only the tags and the plaintext's SHA-256; the background check takes the other."""
    store = storage()
    with store.open(blob.name, "rb") as handle:
        hashing = _Hashing(handle) if stored_hash else None
        plain = hashlib.sha256()
        hasher = stream.SideHasher(plain)
        size = 0
        try:
            for piece in stream.decrypt_stream(data_key(case), stream.blob_context(blob.uuid), hashing or handle):  # type: ignore[arg-type]
                hasher.update(piece, False)
                size += len(piece)
        finally:
            hasher.close()
        rest = handle.read(1)
        if rest:
            raise stream.BlobError("The stored file has extra bytes after its last segment.")
    return plain.hexdigest(), size, hashing.hash.hexdigest() if hashing else ""


def iter_plaintext(case: SealedCase, blob: BlobRow) -> Iterator[bytes]:
    with storage().open(blob.name, "rb") as handle:
        yield from stream.decrypt_stream(data_key(case), stream.blob_context(blob.uuid), handle)
