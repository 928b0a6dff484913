"""A daily file taken in the background (design 8): received, checked, stored sealed, then read by the worker.

1. :func:`feed_receive` (the intake role's upload, in the request): the file as a whole is checked first
   (:func:`check_head`: empty, too large, a spreadsheet or other binary file, not UTF-8, the wrong format, no
   header, a line too long); a refused file is stored nowhere and the person is told why in one sentence. A file
   that passes is stored sealed with the upload's own data key (vault/stream.py, the evidence layout) before a row
   is read, and the worker is asked to take it (casework/tasks.py ``take_feed``).
2. :func:`feed_process` (the worker): reads the stored file back, row by row, through casework/feed.py (good
   rows in, each in its own transaction or batch; bad rows kept with their line for the force), shows its progress
   on the upload row, then deletes the stored file: only the counts and the sealed rejected rows remain.

A worker that dies part-way is noticed by the status page (kernel/jobs.py heartbeat): the upload fails with a
sentence. What was taken in stays, each row whole; sending the same file again stores nothing twice (the natural
key of casework/police.py), so the rest comes in.
"""

from __future__ import annotations

import csv
import logging
import secrets
import time
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from casework import feed
from casework.models import FeedStatus, FeedUpload
from kernel import jobs
from organisations.access import Staff
from organisations.models import ApiCredential
from vault import store, stream

log = logging.getLogger(__name__)

# The head of the file read in the request to judge it as a whole.
HEAD_BYTES = 64 * 1024
# A physical line longer than this refuses the whole file (one field is at most feed.MAX_LINE_CHARS characters).
MAX_LINE_BYTES = 1024 * 1024
# How often the worker writes how far it has got.
PROGRESS_EVERY_S = 1.0
DEAD = (
    "The file stopped being read part-way, because the computer doing it stopped responding. The rows already taken "
    "in are kept, each whole. Send the same file again: rows already received are not stored twice."
)
NO_WORKER = "The file could not be started, because the background worker is not available. Send it again later."
FAILED = "The file could not be read to its end. The rows already taken in are kept, each whole. Send it again: nothing is stored twice."
BINARY = {
    b"PK\x03\x04": "This is an Excel workbook or a ZIP file, not CSV or JSON Lines. In Excel, choose Save As, then 'CSV UTF-8'.",
    b"\xd0\xcf\x11\xe0": "This is an old Excel (.xls) file, not CSV or JSON Lines. In Excel, choose Save As, then 'CSV UTF-8'.",
    b"%PDF": "This is a PDF, not CSV or JSON Lines. Ask the force for the daily file as CSV or JSON Lines.",
    b"\x1f\x8b": "This is a compressed (gzip) file. Uncompress it first, then upload the CSV or JSON Lines file.",
}


def feed_receive(*, staff: Staff, credential: ApiCredential, upload: Any, file_format: str) -> FeedUpload:
    """Check the file as a whole, store it sealed and queue it for the worker. Raises feed.FeedRefused (nothing
    stored) with the reason in one sentence."""
    feed.check_sender(staff, credential, file_format)
    size = int(getattr(upload, "size", 0) or 0)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    check_head(head, file_format, size)
    row = FeedUpload(
        organisation=staff.organisation, credential=credential, uploaded_by=staff.membership, file_format=file_format, status=FeedStatus.QUEUED, size=size
    )
    key = row.file_key()
    row.save()
    name = f"feeds/{staff.organisation.uuid}/{row.pk}-{secrets.token_hex(8)}.dbf"
    sealing = stream.SealingStream(key, _context(row), _guarded(upload.chunks()), name=name, max_size=feed.MAX_FILE_BYTES)
    try:
        saved = store.save_sealed(name, sealing)
    except feed.FeedRefused:
        row.delete()
        raise
    except stream.TooLarge:
        row.delete()
        raise feed.FeedRefused(_too_large()) from None
    except store.OutOfSpace:
        row.delete()
        raise feed.FeedRefused("The server is out of space, so the file was not taken. Nothing was stored; tell your administrator.") from None
    except BaseException:
        row.delete()
        raise
    with transaction.atomic():
        FeedUpload.objects.filter(pk=row.pk).update(stored_name=saved, size=sealing.size)
        record_staff(staff.user, AuditAction.FEED_RECEIVED, organisation=staff.organisation, target=f"file {row.pk}: {sealing.size} bytes from {credential.pk}")
    row.stored_name, row.size = saved, sealing.size
    enqueue(row)
    return row


def check_head(head: bytes, file_format: str, size: int) -> None:
    """Refuse a file that cannot be a daily file, from its first bytes: each reason in words the intake worker can act on."""
    if size > feed.MAX_FILE_BYTES:
        raise feed.FeedRefused(_too_large())
    for magic, words in BINARY.items():
        if head.startswith(magic):
            raise feed.FeedRefused(words)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise feed.FeedRefused("The file is saved as UTF-16 ('Unicode text'). Save it as 'CSV UTF-8' (or UTF-8 JSON Lines) and upload it again.")
    if b"\x00" in head:
        raise feed.FeedRefused("The file holds binary data (zero bytes), so it is not a CSV or JSON Lines text file.")
    body = head.removeprefix(b"\xef\xbb\xbf")
    if not body.strip():
        raise feed.FeedRefused("The file is empty: it has no header and no rows.")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if size > len(head) and exc.start >= len(body) - 3:  # a character cut by the end of the head
            text = body[: exc.start].decode("utf-8")
        else:
            line = body[: exc.start].count(b"\n") + 1
            raise feed.FeedRefused(
                f"Line {line}: the file is not UTF-8 text (perhaps Windows-1252 or Latin-1). Save it as 'CSV UTF-8' and upload it again."
            ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    if file_format == "jsonl":
        if first.lstrip().startswith("["):
            raise feed.FeedRefused("This is a JSON array, not JSON Lines: put each referral on its own line as one JSON object.")
        if not first.lstrip().startswith("{"):
            raise feed.FeedRefused("Line 1 is not a JSON object, so this is not JSON Lines. If the file is CSV, choose CSV.")
        return
    if first.lstrip().startswith(("{", "[")):
        raise feed.FeedRefused("This looks like JSON, not CSV. If each line is one JSON object, choose JSON Lines.")
    header = [h.strip() for h in next(csv.reader([first]), [])]
    if not any(h in feed.COLUMNS for h in header):
        raise feed.FeedRefused(
            "Line 1 must be the header row naming the columns (for example crime_reference, consent, full_name); it names none. "
            f"The columns are: {', '.join(feed.COLUMNS)}."
        )
    feed.check_header(header)
    if "crime_reference" not in header:
        raise feed.FeedRefused("Line 1, the header, has no crime_reference column: every row needs one.")


def enqueue(upload: FeedUpload) -> None:
    from casework import tasks  # noqa: PLC0415 (the task imports this module)

    try:
        tasks.take_feed.enqueue(upload.pk)
    except Exception:
        log.exception("could not queue daily file %s", upload.pk)
        _fail(upload, NO_WORKER)


def feed_process(upload_id: int) -> str:
    """The worker's half: take the stored file in, row by row, then delete it. Returns the upload's status."""
    upload = FeedUpload.objects.select_related("organisation", "credential", "uploaded_by__user").filter(pk=upload_id, status=FeedStatus.QUEUED).first()
    if upload is None:
        return "gone"
    now = timezone.now()
    if not FeedUpload.objects.filter(pk=upload.pk, status=FeedStatus.QUEUED).update(status=FeedStatus.RUNNING, attempts=F("attempts") + 1, heartbeat_at=now):
        return "gone"
    upload.status = FeedStatus.RUNNING
    try:
        with jobs.Heartbeat(FeedUpload, upload.pk, match={"status": FeedStatus.RUNNING}):
            try:
                tally = feed.take_into(upload, _stored_lines(upload))
            except feed.FeedRefused as exc:
                _fail(upload, str(exc))
            except Exception:
                log.exception("daily file %s failed", upload.pk)
                _fail(upload, FAILED)
            else:
                actor = upload.uploaded_by.user if upload.uploaded_by else None
                feed.complete(upload, tally, actor=actor)
    finally:
        _discard(upload)
    return upload.status


def requeue_if_lost(upload: FeedUpload) -> bool:
    """A daily file still waiting for a worker long after it was sent: its job may have been lost (kernel.jobs)."""
    if upload.status != FeedStatus.QUEUED:
        return False
    return jobs.requeue_if_lost("feed-upload", upload.pk, upload.uploaded_at, lambda: enqueue(upload))


def keep_going(upload: FeedUpload) -> None:
    """What the file's pages call: a dead run failed with a sentence, a lost job queued again."""
    if not revive_if_dead(upload):
        requeue_if_lost(upload)


def revive_if_dead(upload: FeedUpload) -> bool:
    """A running upload whose worker stopped answering fails with a sentence (and its stored file goes). True if so."""
    if upload.status != FeedStatus.RUNNING or not jobs.is_dead(upload.heartbeat_at, None):
        return False
    if FeedUpload.objects.filter(pk=upload.pk, status=FeedStatus.RUNNING, heartbeat_at=upload.heartbeat_at).update(status=FeedStatus.FAILED, problem=DEAD):
        _discard(upload)
    upload.refresh_from_db()
    return True


# ---------------------------------------------------------------------------------------------------------------


def _context(upload: FeedUpload) -> bytes:
    return f"daybook.feed-file.v1:{upload.organisation.uuid}:{upload.pk}".encode()


def _too_large() -> str:
    return f"The file is larger than {feed.MAX_FILE_BYTES // (1024 * 1024)} MB. Split it and send the parts."


def _guarded(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The upload's bytes, refusing a physical line longer than MAX_LINE_BYTES (a hostile or broken file)."""
    run = 0
    line = 1
    for chunk in chunks:
        start = 0
        while True:
            at = chunk.find(b"\n", start)
            if at < 0:
                run += len(chunk) - start
                break
            run += at - start
            if run > MAX_LINE_BYTES:
                break
            line += 1
            run = 0
            start = at + 1
        if run > MAX_LINE_BYTES:
            raise feed.FeedRefused(f"Line {line} is longer than {MAX_LINE_BYTES // 1024} KB, so this is not a daily file. Nothing was stored.")
        yield chunk


def _stored_lines(upload: FeedUpload) -> Iterator[bytes]:
    """The stored file's lines, decrypted as they are read (every segment's tag checked), writing progress."""
    read = 0
    last = time.monotonic()
    rest = b""
    handle: IO[bytes]
    with store.storage().open(upload.stored_name, "rb") as handle:
        for piece in stream.decrypt_stream(upload.file_key(), _context(upload), handle):
            read += len(piece)
            parts = (rest + piece).split(b"\n")
            rest = parts.pop()
            for part in parts:
                yield part + b"\n"
            if time.monotonic() - last >= PROGRESS_EVERY_S:
                FeedUpload.objects.filter(pk=upload.pk).update(bytes_read=read)
                last = time.monotonic()
    if rest:
        yield rest


def _fail(upload: FeedUpload, problem: str) -> None:
    FeedUpload.objects.filter(pk=upload.pk).update(status=FeedStatus.FAILED, problem=problem[:300], finished_at=timezone.now())
    upload.status, upload.problem = FeedStatus.FAILED, problem[:300]


def _discard(upload: FeedUpload) -> None:
    name = upload.stored_name or FeedUpload.objects.filter(pk=upload.pk).values_list("stored_name", flat=True).first()
    if name:
        store.delete_quietly(name)
        FeedUpload.objects.filter(pk=upload.pk).update(stored_name="")
        upload.stored_name = ""
