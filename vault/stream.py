"""Sealed blobs: AES-256-GCM in segments (the STREAM construction), written and read as streams.

Layout of a sealed blob (version 1; integers are big-endian)::

    header    = b"DAYB" (4) || 0x01 (1) || segment_size (uint32) || salt (32) || nonce_prefix (7)      48 bytes
    file key  = HKDF-SHA256(ikm = the case's data key, salt = salt, info = context, length = 32)
    segment i = AES-256-GCM(file key, nonce = nonce_prefix || uint32(i) || last, plaintext_i, aad = header)
    blob      = header || segment 0 || segment 1 || ... || segment n-1

Every segment but the last holds exactly ``segment_size`` plaintext bytes (so ``segment_size + 16`` stored
bytes, the 16 being the GCM tag); the last holds 0 to ``segment_size`` bytes and has ``last = 0x01`` (all others
0x00). The counter stops reordering, the last flag stops truncation and extension, the header as associated
data stops anyone changing the segment size or version, and the context (which names the blob) stops a blob
being passed off as another. ``context`` is ``daybook.blob.v1:<blob uuid>`` for stored files and
``daybook.upload-part.v1:<upload uuid>:<part index>`` for the parts of an unfinished upload.

Nothing here ever holds more than a few segments of a file in memory (one being sealed, one of look-ahead,
and up to four queued for the SHA-256 helper thread).
"""

from __future__ import annotations

import hashlib
import io
import os
import queue
import struct
import threading
from collections.abc import Iterable, Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"DAYB"
VERSION = 1
SEGMENT_SIZE = 1 << 20  # 1 MiB of plaintext per segment
TAG_SIZE = 16
SALT_SIZE = 32
PREFIX_SIZE = 7
HEADER_SIZE = len(MAGIC) + 1 + 4 + SALT_SIZE + PREFIX_SIZE  # 48
MAX_SEGMENTS = 2**32


class BlobError(Exception):
    """A sealed blob could not be read: damaged, altered, truncated, or opened with the wrong key or context."""

    def __init__(self, message: str, segment: int | None = None) -> None:
        super().__init__(message)
        self.segment = segment


class TooLarge(Exception):
    """More bytes arrived than allowed."""


def blob_context(blob_uuid: object) -> bytes:
    return f"daybook.blob.v1:{blob_uuid}".encode("ascii")


def part_context(upload_uuid: object, index: int) -> bytes:
    return f"daybook.upload-part.v1:{upload_uuid}:{index}".encode("ascii")


def file_key(data_key: bytes, salt: bytes, context: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=context).derive(data_key)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    if index >= MAX_SEGMENTS:
        raise TooLarge("too many segments")
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def stored_size_for(plain_size: int, segment_size: int = SEGMENT_SIZE) -> int:
    """How many bytes a sealed blob of ``plain_size`` plaintext bytes takes."""
    segments = max(1, -(-plain_size // segment_size))
    return HEADER_SIZE + plain_size + segments * TAG_SIZE


def plain_size_for(stored_size: int, segment_size: int) -> int:
    """The plaintext size of a sealed blob from its stored size (raises BlobError if impossible)."""
    body = stored_size - HEADER_SIZE
    full = segment_size + TAG_SIZE
    if body < TAG_SIZE:
        raise BlobError("The stored file is shorter than its header: it is truncated.")
    segments = -(-body // full)
    last = body - (segments - 1) * full
    if last < TAG_SIZE:
        raise BlobError("The stored file ends part-way through a segment: it is truncated.")
    return (segments - 1) * segment_size + last - TAG_SIZE


class Header:
    def __init__(self, segment_size: int, salt: bytes, prefix: bytes) -> None:
        if not 1024 <= segment_size <= 64 * 1024 * 1024:
            raise BlobError("Unsupported segment size.")
        self.segment_size = segment_size
        self.salt = salt
        self.prefix = prefix
        self.raw = MAGIC + bytes([VERSION]) + struct.pack(">I", segment_size) + salt + prefix

    @classmethod
    def new(cls, segment_size: int = SEGMENT_SIZE) -> Header:
        return cls(segment_size, os.urandom(SALT_SIZE), os.urandom(PREFIX_SIZE))

    @classmethod
    def parse(cls, raw: bytes) -> Header:
        if len(raw) < HEADER_SIZE or raw[:4] != MAGIC:
            raise BlobError("This is not a sealed Daybook file (the header is missing or damaged).", 0)
        if raw[4] != VERSION:
            raise BlobError(f"Unknown sealed file version {raw[4]}.", 0)
        (segment_size,) = struct.unpack(">I", raw[5:9])
        return cls(segment_size, bytes(raw[9 : 9 + SALT_SIZE]), bytes(raw[9 + SALT_SIZE : HEADER_SIZE]))


class Cipher:
    """Seals or opens the segments of one blob."""

    def __init__(self, data_key: bytes, context: bytes, header: Header) -> None:
        self.header = header
        self._aead = AESGCM(file_key(data_key, header.salt, context))

    def seal(self, index: int, plaintext: bytes, last: bool) -> bytes:
        return self._aead.encrypt(_nonce(self.header.prefix, index, last), plaintext, self.header.raw)

    def open(self, index: int, sealed: bytes, last: bool) -> bytes:
        try:
            return self._aead.decrypt(_nonce(self.header.prefix, index, last), sealed, self.header.raw)
        except InvalidTag as exc:
            raise BlobError(f"Segment {index} does not decrypt: the stored file is damaged or was altered.", index) from exc


def resegment(source: Iterable[bytes], size: int) -> Iterator[tuple[bytes, bool]]:
    """Cut a stream of byte chunks into ``size``-byte pieces, each with a flag saying whether it is the last.

    An empty stream gives one empty last piece. Holds at most one piece plus one incoming chunk."""
    pieces = _fixed(source, size)
    previous = next(pieces, None)
    if previous is None:
        yield b"", True
        return
    for piece in pieces:
        yield previous, False
        previous = piece
    yield previous, True


def _fixed(source: Iterable[bytes], size: int) -> Iterator[bytes]:
    buf = bytearray()
    for chunk in source:
        if not chunk:
            continue
        if not buf and len(chunk) == size:
            yield bytes(chunk)
            continue
        buf += chunk
        while len(buf) >= size:
            yield bytes(buf[:size])
            del buf[:size]
    if buf:
        yield bytes(buf)


def seal_run(cipher: Cipher, source: Iterable[bytes], *, first_index: int = 0, final: bool = True) -> Iterator[tuple[bytes, bytes, bool]]:
    """Seal consecutive segments of one blob, numbered from ``first_index``: yields (plaintext, sealed, last).

    ``final`` says whether the run ends the blob (its last segment then carries the last flag). A run that does not
    end the blob must hold a whole number of segments (the caller checks): the upload protocol seals each chunk of
    a resumable upload as such a run, straight into its place in the sealed file (evidence/uploads.py)."""
    for n, (plain, end) in enumerate(resegment(source, cipher.header.segment_size)):
        last = final and end
        yield plain, cipher.seal(first_index + n, plain, last), last


def segment_offset(index: int, segment_size: int = SEGMENT_SIZE) -> int:
    """Where segment ``index`` starts in a sealed blob (segment 0 starts right after the header)."""
    return HEADER_SIZE + index * (segment_size + TAG_SIZE)


class SealingStream:
    """Encrypts a plaintext stream into a sealed blob as it is read, hashing the plaintext on the way.

    Hand it to ``storage.save(name, stream)``: storages call :meth:`chunks` (or :meth:`read`). After the
    save, :attr:`sha256`, :attr:`size` and :attr:`stored_size` describe what was written.
    """

    def __init__(
        self, data_key: bytes, context: bytes, source: Iterable[bytes], *, name: str = "blob", max_size: int | None = None, segment_size: int = SEGMENT_SIZE
    ) -> None:
        self.name = name
        self.header = Header.new(segment_size)
        self._cipher = Cipher(data_key, context, self.header)
        self._source = source
        self._max = max_size
        self._hash = hashlib.sha256()
        self.size = 0
        self.stored_size = 0
        self.segments = 0
        self.finished = False
        self._iter: Iterator[bytes] | None = None
        self._buffer = b""
        self._started = False

    @property
    def sha256(self) -> str:
        if not self.finished:
            raise RuntimeError("the stream has not been read to its end")
        return self._hash.hexdigest()

    def _generate(self) -> Iterator[bytes]:
        if self._started:
            raise RuntimeError("a sealing stream can be read once")
        self._started = True
        self.stored_size = HEADER_SIZE
        hasher = SideHasher(self._hash)
        try:
            yield self.header.raw
            for index, (plain, sealed, last) in enumerate(seal_run(self._cipher, self._source)):
                self.size += len(plain)
                if self._max is not None and self.size > self._max:
                    raise TooLarge(f"more than {self._max} bytes")
                hasher.update(plain, last)
                self.stored_size += len(sealed)
                self.segments = index + 1
                yield sealed
        finally:
            hasher.close()
        self.finished = True

    # The Django File-like protocol used by storage backends.
    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """The sealed bytes, a segment at a time."""
        yield from self._generate()

    def multiple_chunks(self, chunk_size: int | None = None) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if self._iter is None:
            self._iter = self._generate()
        out = bytearray(self._buffer)
        self._buffer = b""
        while n < 0 or len(out) < n:
            piece = next(self._iter, None)
            if piece is None:
                break
            out += piece
        if n >= 0 and len(out) > n:
            self._buffer = bytes(out[n:])
            del out[n:]
        return bytes(out)

    def seekable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:  # boto3's uploader asks before reading
        return False

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return 0 if self._iter is None else -1

    def seek(self, offset: int, whence: int = 0) -> int:
        if offset == 0 and whence == 0 and self._iter is None:
            return 0
        raise io.UnsupportedOperation("a sealing stream cannot seek")

    def close(self) -> None:
        pass


class SideHasher:
    """Feeds SHA-256 in a helper thread, a few segments behind, while the caller encrypts and the storage writes.

    SHA-256 is most of the work of sealing and ``hashlib`` releases the GIL while it hashes, so on two cores the
    hash costs almost no wall time. A file of one segment is hashed in place (no thread)."""

    DEPTH = 4

    def __init__(self, target: hashlib._Hash) -> None:
        self._hash = target
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None

    def update(self, data: bytes, last: bool) -> None:
        if self._thread is None and last:
            self._hash.update(data)
            return
        if self._thread is None:
            self._queue = queue.Queue(maxsize=self.DEPTH)
            self._thread = threading.Thread(target=self._run, name="seal-sha256", daemon=True)
            self._thread.start()
        self._queue.put(data)  # type: ignore[union-attr]

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:  # type: ignore[union-attr]
            self._hash.update(data)

    def close(self) -> None:
        """Wait for the hash to catch up (also on failure, so the thread never outlives the stream)."""
        if self._thread is not None:
            self._queue.put(None)  # type: ignore[union-attr]
            self._thread.join()
            self._thread = None


def read_exact(handle: IO[bytes], n: int) -> bytes:
    parts = []
    remaining = n
    while remaining > 0:
        piece = handle.read(remaining)
        if not piece:
            break
        parts.append(piece)
        remaining -= len(piece)
    return b"".join(parts)


def decrypt_stream(data_key: bytes, context: bytes, handle: IO[bytes]) -> Iterator[bytes]:
    """Yield the plaintext of a sealed blob segment by segment, checking every tag. Raises BlobError."""
    header = Header.parse(read_exact(handle, HEADER_SIZE))
    cipher = Cipher(data_key, context, header)
    full = header.segment_size + TAG_SIZE
    current = read_exact(handle, full)
    index = 0
    while True:
        if len(current) < TAG_SIZE:
            raise BlobError("The stored file ends part-way through a segment: it is truncated.", index)
        following = read_exact(handle, full) if len(current) == full else b""
        last = not following
        yield cipher.open(index, current, last)
        if last:
            return
        current = following
        index += 1


class SeekableRaw(io.RawIOBase):
    """A read-only raw file of known ``size`` whose reads start at ``tell()``: the seek/tell half shared by
    :class:`SealedReader` and the S3 storage's ranged reader (vault/s3.py)."""

    size = 0
    _pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            pos = offset
        elif whence == io.SEEK_CUR:
            pos = self._pos + offset
        elif whence == io.SEEK_END:
            pos = self.size + offset
        else:
            raise ValueError("bad whence")
        if pos < 0:
            raise ValueError("negative seek position")
        self._pos = pos
        return pos


class SealedReader(SeekableRaw):
    """Random access to the plaintext of a sealed blob (decrypting one segment at a time).

    Lets Pillow, the MP4 box reader, the e-mail header parser and range requests read the original
    without it ever being written out in the clear."""

    def __init__(self, data_key: bytes, context: bytes, handle: IO[bytes], stored_size: int) -> None:
        super().__init__()
        self._handle = handle
        handle.seek(0)
        self.header = Header.parse(read_exact(handle, HEADER_SIZE))
        self._cipher = Cipher(data_key, context, self.header)
        self._segment = self.header.segment_size
        self.size = plain_size_for(stored_size, self._segment)
        self._segments = max(1, -(-self.size // self._segment))
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None

    def segment(self, index: int) -> bytes:
        if self._cached and self._cached[0] == index:
            return self._cached[1]
        full = self._segment + TAG_SIZE
        self._handle.seek(HEADER_SIZE + index * full)
        last = index == self._segments - 1
        want = full if not last else (self.size - index * self._segment) + TAG_SIZE
        sealed = read_exact(self._handle, want)
        if len(sealed) != want:
            raise BlobError("The stored file is shorter than expected: it is truncated.", index)
        plain = self._cipher.open(index, sealed, last)
        self._cached = (index, plain)
        return plain

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        if self._pos >= self.size:
            return 0
        index, within = divmod(self._pos, self._segment)
        plain = self.segment(index)
        n = min(len(buffer), len(plain) - within)
        memoryview(buffer)[:n] = plain[within : within + n]
        self._pos += n
        return n

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes (all the rest if negative), across segment boundaries: never short before the end."""
        if size is None or size < 0:
            size = max(0, self.size - self._pos)
        out = bytearray()
        while len(out) < size and self._pos < self.size:
            index, within = divmod(self._pos, self._segment)
            plain = self.segment(index)
            piece = plain[within : within + (size - len(out))]
            out += piece
            self._pos += len(piece)
        return bytes(out)

    def readall(self) -> bytes:
        return self.read(-1)

    def iter_range(self, start: int, end: int) -> Iterator[bytes]:
        """Plaintext bytes start..end (inclusive), a segment at a time."""
        pos = start
        while pos <= end:
            index, within = divmod(pos, self._segment)
            plain = self.segment(index)
            piece = plain[within : within + (end - pos + 1)]
            if not piece:
                return
            yield piece
            pos += len(piece)

    def close(self) -> None:
        try:
            self._handle.close()
        finally:
            super().close()
