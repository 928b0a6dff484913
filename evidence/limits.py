"""The limits of the evidence locker and the words used when a file is refused (shared by ingest, the resumable
upload protocol and the upload views)."""

from __future__ import annotations

from django.conf import settings

from kernel.sizes import human_size
from vault import stream

MAX_CHUNK = 8 * stream.SEGMENT_SIZE  # the most one chunk request may carry
CHUNK = 8 * stream.SEGMENT_SIZE  # what the uploader is told to send (at least S3's 5 MiB part, vault/parts.py)
MAX_OPEN_UPLOADS = 50
REFERENCE_MAX = 40


class UploadError(Exception):
    """Refused, with a message for the person and an HTTP status for the uploader."""

    def __init__(self, message: str, status: int = 400, offset: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.offset = offset


def max_upload_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_UPLOAD_BYTES", 4 * 1024**3))


def too_big_message() -> str:
    limit = human_size(max_upload_bytes())
    return f"This file is bigger than the limit of {limit}. Split a long video into parts, or ask whoever runs Daybook to raise the limit."


EMPTY_MESSAGE = "This file is empty (0 bytes), so there is nothing to keep. Check that you chose the right file."
SPACE_MESSAGE = (
    "The server has run out of space, so this file could not be saved. Everything saved before is safe. Try again later, or tell whoever runs Daybook."
)
