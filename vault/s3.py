"""Daybook's S3 storage: django-storages' S3 backend, with reads and writes that stream in bounded memory.

- Writes: a sealing stream (vault/stream.py) cannot seek, so boto3 uploads it as it is read: one PUT for a small
  file, a multipart upload of ``multipart_chunksize`` parts for a large one (aborted if the stream fails, so a
  failed write leaves no object behind). The upload runs in the caller's thread (``use_threads=False``): at most one
  part is in memory, and an error raised while sealing (too large, a dropped connection) reaches the caller as is.
- Reads: django-storages downloads a whole object into a temporary file on open. Here a file opened for reading
  is a :class:`RangedReader` instead: a seekable file whose reads come from one streamed GET from the current
  position; a seek elsewhere starts a new ranged GET (``Range: bytes=pos-``). The streaming decryption reads
  segment by segment, and random access (range requests, previews) fetches only the segments it needs.

Selected by environment variables (daybook/settings.py: ``DAYBOOK_S3_BUCKET`` and friends; README).
"""

from __future__ import annotations

import io
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage as BaseS3Storage
from storages.utils import clean_name

PART_SIZE = 8 * 1024 * 1024  # S3's multipart parts (5 MiB is the least S3 accepts)


def _missing(err: ClientError) -> bool:
    return err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404 or err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey")


class RangedReader(io.RawIOBase):
    """A stored object read through streamed, ranged GETs: seekable, never more than one read's bytes in memory."""

    def __init__(self, client: Any, bucket: str, key: str, size: int) -> None:
        super().__init__()
        self._client = client
        self._bucket = bucket
        self._key = key
        self.size = size
        self._pos = 0
        self._body: Any = None
        self._body_pos = 0
        self.requests = 0  # ranged GETs made (tests count them)

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

    def _drop_body(self) -> None:
        if self._body is not None:
            try:
                self._body.close()
            finally:
                self._body = None

    def read(self, size: int | None = -1) -> bytes:
        """Up to ``size`` bytes straight from the response (no copy through a buffer); all the rest if negative."""
        if size is None or size < 0:
            return self.readall()
        return self._next(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._next(len(buffer))
        memoryview(buffer)[: len(data)] = data
        return len(data)

    def _next(self, size: int) -> bytes:
        want = min(size, self.size - self._pos)
        if want <= 0:
            return b""
        if self._body is not None and self._body_pos != self._pos:
            self._drop_body()
        if self._body is None:
            try:
                answer = self._client.get_object(Bucket=self._bucket, Key=self._key, Range=f"bytes={self._pos}-")
            except ClientError as err:
                if _missing(err):
                    raise FileNotFoundError(f"File does not exist: {self._key}") from err
                raise OSError(f"The storage could not read {self._key}") from err
            except BotoCoreError as err:  # the server is unreachable
                raise OSError(f"The storage could not read {self._key}") from err
            self.requests += 1
            self._body = answer["Body"]
            self._body_pos = self._pos
        try:
            data = self._body.read(want)
        except BotoCoreError as err:  # the connection dropped mid-read: the next read starts a new ranged GET
            self._drop_body()
            raise OSError(f"The storage stopped sending {self._key}") from err
        if not data:
            self._drop_body()
            raise OSError(f"The stored object {self._key} ended early (the storage returned fewer bytes than its size).")
        self._pos += len(data)
        self._body_pos += len(data)
        return data

    def close(self) -> None:
        try:
            self._drop_body()
        finally:
            super().close()


class S3Storage(BaseS3Storage):
    """django-storages' S3Storage with bounded-memory streaming (see the module's docstring)."""

    def __init__(self, **settings: Any) -> None:
        if "transfer_config" not in settings:
            from boto3.s3.transfer import TransferConfig  # noqa: PLC0415

            settings["transfer_config"] = TransferConfig(multipart_threshold=PART_SIZE, multipart_chunksize=PART_SIZE, use_threads=False)
        settings.setdefault("file_overwrite", False)  # like a local folder: never replace an object silently
        super().__init__(**settings)

    def _open(self, name: str, mode: str = "rb") -> File:
        if "w" in mode or "a" in mode or "+" in mode:
            return super()._open(name, mode)
        key = self._normalize_name(clean_name(name))
        client = self.connection.meta.client
        try:
            head = client.head_object(Bucket=self.bucket_name, Key=key)
        except ClientError as err:
            if _missing(err):
                raise FileNotFoundError(f"File does not exist: {name}") from err
            raise
        return File(RangedReader(client, self.bucket_name, key, int(head["ContentLength"])), name)
