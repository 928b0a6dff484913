"""Finished report files, sealed with the case key in the evidence storage until they expire.

The same segmented AES-GCM format as evidence blobs (vault/stream.py), with its own context so a report file
can never be passed off as an exhibit. Writers that push bytes (WeasyPrint, the ZIP writer) are turned into the
pull-style stream the storage reads through a small bounded queue, so nothing is ever held whole in memory.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import IO, Any

from cases.models import Case
from vault import store, stream
from vault.keys import data_key


def context(report_uuid: object, what: str) -> bytes:
    return f"daybook.report.{what}:{report_uuid}".encode()


def storage_name(case: Case, report_uuid: object, what: str) -> str:
    return f"reports/{case.uuid}/{report_uuid}-{what}.dbe"


class _QueueWriter:
    """A write-only, non-seekable file object whose bytes come out of :meth:`chunks` in another thread."""

    CHUNK = 1024 * 1024

    def __init__(self, depth: int = 4) -> None:
        self._queue: queue.Queue[bytes | None] = queue.Queue(maxsize=depth)
        self._buffer = bytearray()
        self._position = 0
        self.closed = False
        self.cancelled = threading.Event()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def tell(self) -> int:
        return self._position

    def write(self, data: bytes) -> int:
        if self.cancelled.is_set():
            raise OSError("the storage stopped reading")
        self._buffer += data
        self._position += len(data)
        while len(self._buffer) >= self.CHUNK:
            self._put(bytes(self._buffer[: self.CHUNK]))
            del self._buffer[: self.CHUNK]
        return len(data)

    def _put(self, item: bytes | None) -> None:
        while True:
            if self.cancelled.is_set():
                raise OSError("the storage stopped reading")
            try:
                self._queue.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            if self._buffer:
                self._put(bytes(self._buffer))
                self._buffer.clear()
            self._put(None)

    def chunks(self) -> Iterator[bytes]:
        while True:
            try:
                item = self._queue.get(timeout=0.5)
            except queue.Empty:
                if self.cancelled.is_set():
                    return
                continue
            if item is None:
                return
            yield item


class Sealed:
    """What was stored: the storage name, plaintext size and SHA-256."""

    def __init__(self, name: str, size: int, sha256: str) -> None:
        self.name, self.size, self.sha256 = name, size, sha256


def seal_from_writer(case: Case, report_uuid: object, what: str, produce: Callable[[IO[bytes]], Any]) -> tuple[Sealed, Any]:
    """Runs ``produce(out)`` here (it may use the database) while a helper thread seals what it writes into the
    storage. Returns what was stored and what ``produce`` returned. If either side fails, nothing is left behind."""
    writer = _QueueWriter()
    name = storage_name(case, report_uuid, what)
    sealing = stream.SealingStream(data_key(case), context(report_uuid, what), writer.chunks(), name=name)
    saved: dict[str, Any] = {}

    def save() -> None:
        try:
            saved["name"] = store.save_sealed(name, sealing)
        except BaseException as exc:  # handed to the caller below
            saved["error"] = exc
            writer.cancelled.set()
            _drain(writer)

    thread = threading.Thread(target=save, name=f"report-{what}", daemon=True)
    thread.start()
    try:
        value = produce(writer)
        writer.close()
    except BaseException as exc:
        writer.cancelled.set()
        thread.join()
        store.delete_quietly(saved.get("name", name))
        if "error" in saved and isinstance(exc, OSError):
            raise saved["error"] from None  # the storage's own reason (full disk...) says more
        raise
    thread.join()
    if "error" in saved:
        raise saved["error"]
    return Sealed(saved["name"], sealing.size, sealing.sha256), value


def _drain(writer: _QueueWriter) -> None:
    try:
        while True:
            writer._queue.get_nowait()
    except queue.Empty:
        pass


def seal_bytes(case: Case, report_uuid: object, what: str, data: bytes) -> Sealed:
    name = storage_name(case, report_uuid, what)
    sealing = stream.SealingStream(data_key(case), context(report_uuid, what), [data], name=name)
    saved = store.save_sealed(name, sealing)
    return Sealed(saved, sealing.size, sealing.sha256)


def open_reader(case: Case, report_uuid: object, what: str, name: str) -> stream.SealedReader:
    storage = store.storage()
    handle = storage.open(name, "rb")
    try:
        return stream.SealedReader(data_key(case), context(report_uuid, what), handle, storage.size(name))
    except BaseException:
        handle.close()
        raise


def iter_plaintext(case: Case, report_uuid: object, what: str, name: str) -> Iterator[bytes]:
    with store.storage().open(name, "rb") as handle:
        yield from stream.decrypt_stream(data_key(case), context(report_uuid, what), handle)


def delete(name: str) -> None:
    if name:
        store.delete_quietly(name)
