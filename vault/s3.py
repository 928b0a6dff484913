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

import errno
from collections.abc import Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import File
from storages.backends.s3 import S3Storage as BaseS3Storage
from storages.utils import clean_name

from vault.stream import SeekableRaw

PART_SIZE = 8 * 1024 * 1024  # S3's multipart parts (5 MiB is the least S3 accepts)


def _missing(err: ClientError) -> bool:
    return err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404 or err.response.get("Error", {}).get("Code") in ("404", "NoSuchKey")


class RangedReader(SeekableRaw):
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
        with _storage_errors(name, missing=True):
            head = client.head_object(Bucket=self.bucket_name, Key=key)
        return File(RangedReader(client, self.bucket_name, key, int(head["ContentLength"])), name)

    def delete(self, name: str) -> None:
        """As django-storages', with the storage's failures as OSError (a caller deleting quietly can ignore them)."""
        with _storage_errors(name):
            super().delete(name)

    # ---- a blob written in parts (vault/parts.py): one S3 multipart upload, completed by S3

    def _key(self, name: str) -> str:
        return self._normalize_name(clean_name(name))

    def begin_parts(self, name: str) -> str:
        client = self.connection.meta.client
        with _storage_errors(name):
            return client.create_multipart_upload(Bucket=self.bucket_name, Key=self._key(name))["UploadId"]

    def write_part(self, name: str, upload_id: str, number: int, sealed: Iterable[bytes]) -> str:
        """Upload one part (held in memory while it is sent: at most one upload chunk, 8 MiB and its tags)."""
        body = b"".join(sealed)
        client = self.connection.meta.client
        with _storage_errors(name):
            return client.upload_part(Bucket=self.bucket_name, Key=self._key(name), UploadId=upload_id, PartNumber=number, Body=body)["ETag"]

    def complete_parts(self, name: str, upload_id: str, etags: list[str], stored_size: int) -> None:
        client = self.connection.meta.client
        key = self._key(name)
        parts = [{"PartNumber": n, "ETag": etag} for n, etag in enumerate(etags, start=1)]
        try:
            with _storage_errors(name):
                client.complete_multipart_upload(Bucket=self.bucket_name, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
        except OSError:
            # Completed before (an earlier finish got this far, then its answer was lost)?
            try:
                if int(client.head_object(Bucket=self.bucket_name, Key=key)["ContentLength"]) == stored_size:
                    return
            except (ClientError, BotoCoreError):
                pass
            raise

    def abort_parts(self, name: str, upload_id: str) -> None:
        if not upload_id:
            return
        try:
            self.connection.meta.client.abort_multipart_upload(Bucket=self.bucket_name, Key=self._key(name), UploadId=upload_id)
        except (ClientError, BotoCoreError):
            pass  # gone already, or the storage is down: the bucket's lifecycle rule for unfinished uploads clears it


FULL_CODES = {"EntityTooLarge", "QuotaExceeded", "InsufficientStorage", "XMinioStorageFull", "NoFreeSpace"}


class _storage_errors:  # noqa: N801
    """Turns S3's errors into OSError (ENOSPC when the storage says it is full), as a local disk would raise them."""

    def __init__(self, name: str, *, missing: bool = False) -> None:
        self.name = name
        self.missing = missing  # a missing object is FileNotFoundError (reads), not a refusal

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> bool:
        if isinstance(exc, ClientError):
            if self.missing and _missing(exc):
                raise FileNotFoundError(f"File does not exist: {self.name}") from exc
            code = exc.response.get("Error", {}).get("Code", "")
            message = exc.response.get("Error", {}).get("Message", "") or ""
            if code in FULL_CODES or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 507 or "space" in message.lower():
                raise OSError(errno.ENOSPC, f"The storage is full ({code})") from exc
            raise OSError(f"The storage refused {self.name} ({code})") from exc
        if isinstance(exc, BotoCoreError):
            raise OSError(f"The storage could not be reached for {self.name}") from exc
        return False
