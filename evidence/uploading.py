"""Receiving file bytes without ever writing the plaintext to disk.

* :func:`request_chunks` reads a chunk request's body from the socket a segment (1 MiB) at a time (never ``request.body``).
* :class:`SealingUploadHandler` replaces Django's upload handlers for the plain HTML form (used when
  JavaScript is off): Django's defaults would keep the file in memory or write it, in the clear, to a
  temporary file. This handler cuts each file into the same encrypted staging parts as the resumable
  uploader, so the form and the uploader end in the same :func:`evidence.uploads.finish_upload`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest

from cases.models import Case
from evidence import limits, uploads
from evidence.models import UploadSession
from evidence.services import Details
from vault import stream

READ_SIZE = stream.SEGMENT_SIZE  # a whole segment per read: sealed as it comes, with no re-cutting or copying


def request_chunks(request: HttpRequest, length: int) -> Iterator[bytes]:
    remaining = length
    while remaining > 0:
        piece = request.read(min(READ_SIZE, remaining))
        if not piece:
            return
        remaining -= len(piece)
        yield piece


class SealingUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def __init__(self, request: HttpRequest, case: Case, user: Any, details: Details) -> None:
        super().__init__(request)
        self.case = case
        self.user = user
        self.details = details
        self.sessions: list[UploadSession] = []
        self.errors: list[tuple[str, str]] = []  # (file name, message)
        self._current: UploadSession | None = None
        self._buffer = bytearray()
        self._name = ""
        self._failed = False
        self.request_length = int(request.META.get("CONTENT_LENGTH") or 0)

    def new_file(
        self, field_name: str, file_name: str, content_type: str, content_length: int | None, charset: str | None = None, content_type_extra: dict | None = None
    ) -> None:
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self._current = None
        self._buffer = bytearray()
        self._name = file_name
        self._failed = False

    def _session(self) -> UploadSession:
        if self._current is None:
            # The size is not known until the end: allow up to the limit, and set the real size before the last part.
            self._current = uploads.start_upload(
                self.case, self.user, name=self._name, size=limits.max_upload_bytes(), details=self.details, space_needed=self.request_length
            )
            self.sessions.append(self._current)
        return self._current

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        if self._failed:
            return None
        self._buffer += raw_data
        try:
            if start + len(raw_data) > limits.max_upload_bytes():
                raise limits.UploadError(limits.too_big_message(), 413)
            while len(self._buffer) >= limits.CHUNK + 1:
                session = self._session()
                piece = bytes(self._buffer[: limits.CHUNK])
                del self._buffer[: limits.CHUNK]
                uploads.receive_chunk(session, session.received, [piece], len(piece))
        except limits.UploadError as exc:
            self._fail(exc.message)
        return None

    def _fail(self, message: str) -> None:
        self._failed = True
        self.errors.append((self._name, message))
        self._buffer = bytearray()
        if self._current is not None:
            uploads.discard_upload(self._current, self.user)
            self.sessions.remove(self._current)
            self._current = None

    def file_complete(self, file_size: int) -> Any:
        if self._failed:
            return SimpleUploadedFile(self._name or "file", b"")
        try:
            if file_size == 0:
                raise limits.UploadError(limits.EMPTY_MESSAGE, 400)
            session = self._session()
            UploadSession.objects.filter(pk=session.pk).update(size=file_size)
            session.size = file_size
            if self._buffer:
                piece = bytes(self._buffer)
                self._buffer = bytearray()
                uploads.receive_chunk(session, session.received, [piece], len(piece))
        except limits.UploadError as exc:
            self._fail(exc.message)
        marker = SimpleUploadedFile(self._name or "file", b"")
        return marker

    def upload_interrupted(self) -> None:
        for session in self.sessions:
            uploads.discard_upload(session, self.user)
        self.sessions = []
