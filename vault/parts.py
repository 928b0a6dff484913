"""A sealed blob written in parts, each part straight into its place: the resumable upload writes every byte once.

A part is a run of the blob's consecutive segments (vault/stream.py ``seal_run``; the first part starts with the
header), so the parts laid end to end *are* the sealed file, in the documented format, with nothing to re-read or
re-write at the end. Where the parts go depends on the storage:

* a local folder (any storage with ``path``): one file, each part written at its offset (``segment_offset``) and
  the file fsynced once when complete. A part written again (a retry, a resend after kill -9) lands on the same
  bytes;
* S3 (vault/s3.py): a multipart upload, one S3 part per upload part (part number = index + 1), completed by S3;
* any other storage: one object per part, joined into the blob by one copy at the end.

The writer's state (the S3 upload id) is a short string kept on the upload's row, so any web node can carry on an
upload another node began. Every function raises ``store.OutOfSpace`` when the storage is full and ``OSError``
when it cannot be reached.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from django.core.files.base import File
from django.core.files.storage import Storage

from vault import store

MIN_PART = 5 * 1024 * 1024  # the least S3 accepts for every part but the last


def _local_path(st: Storage, name: str) -> str | None:
    try:
        return st.path(name)
    except NotImplementedError:
        return None


def _s3(st: Storage) -> bool:
    return hasattr(st, "begin_parts")


def min_part_size() -> int:
    """The least a part (but the last) may hold on this storage."""
    return MIN_PART if _s3(store.storage()) else 1


def begin(name: str) -> str:
    """Start a blob written in parts; returns the state to keep with the upload."""
    st = store.storage()
    if _s3(st):
        return st.begin_parts(name)  # type: ignore[attr-defined]
    path = _local_path(st, name)
    if path is not None:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _guard(lambda: os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)))
    return ""


def write(name: str, state: str, index: int, position: int, sealed: Iterable[bytes]) -> str:
    """Write part ``index`` (sealed bytes, in order) at ``position`` of the blob. Returns the part's token (an S3
    ETag, the object name of a part, or "")."""
    st = store.storage()
    if _s3(st):
        return st.write_part(name, state, index + 1, sealed)  # type: ignore[attr-defined]
    path = _local_path(st, name)
    if path is None:
        return _save_part(st, name, index, sealed)
    fd = _guard(lambda: os.open(path, os.O_WRONLY))
    try:
        os.lseek(fd, position, os.SEEK_SET)
        for piece in sealed:
            view = memoryview(piece)
            while view:
                view = view[_guard(lambda v=view: _write(fd, v)) :]
    finally:
        os.close(fd)
    return ""


def complete(name: str, state: str, tokens: list[str], stored_size: int) -> None:
    """Make the parts one durable blob of ``stored_size`` bytes. Safe to call again after it succeeded."""
    st = store.storage()
    if _s3(st):
        st.complete_parts(name, state, tokens, stored_size)  # type: ignore[attr-defined]
        return
    path = _local_path(st, name)
    if path is None:
        _join_parts(st, name, tokens)
        return
    _guard(lambda: os.truncate(path, stored_size))  # a part written for a longer, abandoned tail ends here
    store.fsync(name)


def abort(name: str, state: str, tokens: list[str]) -> None:
    """Throw away a blob being written in parts (whatever was written so far)."""
    st = store.storage()
    if _s3(st):
        st.abort_parts(name, state)  # type: ignore[attr-defined]
    forget(tokens)
    store.delete_quietly(name)


def in_place() -> bool:
    """Whether parts are written into the blob itself (a local folder), so a completed blob can still be rewound."""
    st = store.storage()
    return not _s3(st) and _local_path(st, "x") is not None


def forget(tokens: list[str]) -> None:
    """Parts dropped by a rewind or joined into their blob: objects of their own (other storages) are deleted; in
    place and on S3 there is nothing to delete."""
    st = store.storage()
    if _s3(st) or _local_path(st, "x") is not None:
        return
    for token in tokens:
        store.delete_quietly(token)


def _write(fd: int, data: memoryview) -> int:
    return os.write(fd, data)


def _guard(call):  # noqa: ANN001, ANN202
    try:
        return call()
    except OSError as exc:
        if store.is_out_of_space(exc):
            raise store.OutOfSpace(str(exc)) from exc
        raise


def _save_part(st: Storage, name: str, index: int, sealed: Iterable[bytes]) -> str:
    class Part(File):
        def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
            yield from sealed

    part = f"{name}.parts/{index:06d}"
    try:
        return st.save(part, Part(None, name=part))
    except OSError as exc:
        store.delete_quietly(part)
        if store.is_out_of_space(exc):
            raise store.OutOfSpace(str(exc)) from exc
        raise


def _join_parts(st: Storage, name: str, tokens: list[str]) -> None:
    if st.exists(name):
        return

    class Joined(File):
        def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
            for token in tokens:
                with st.open(token, "rb") as handle:
                    while piece := handle.read(1024 * 1024):
                        yield piece

    try:
        st.save(name, Joined(None, name=name))
    except OSError as exc:
        store.delete_quietly(name)
        if store.is_out_of_space(exc):
            raise store.OutOfSpace(str(exc)) from exc
        raise
    forget(tokens)
