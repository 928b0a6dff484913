"""Phase C of a run, the media: files attached inside a WhatsApp .zip become exhibits of their own, each linked to
its message and to the day's incident. Limits: the largest file, the total and the number of files taken out of one
export (settings IMPORT_MAX_MEDIA_*), and a compression ratio (a zip bomb is refused)."""

from __future__ import annotations

import datetime as dt
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

from django.conf import settings

from diary.models import Incident
from evidence import limits, names
from evidence import services as evidence
from evidence.models import Exhibit
from imports.models import Import, ImportedItem, ImportedMedia
from imports.services.days import clock_text
from imports.services.reading import open_export
from imports.services.stats import Stats
from kernel.words import plural

MAX_RATIO = 200  # a file that unpacks to more than 200 times its packed size is refused (zip bomb)


def media_limits() -> tuple[int, int, int]:
    """(largest file, total of all files, most files) taken out of one export."""
    largest = min(limits.max_upload_bytes(), int(getattr(settings, "IMPORT_MAX_MEDIA_BYTES", 512 * 1024**2)))
    total = int(getattr(settings, "IMPORT_MAX_MEDIA_TOTAL_BYTES", 4 * 1024**3))
    count = int(getattr(settings, "IMPORT_MAX_MEDIA_FILES", 5000))
    return largest, total, count


def import_media(
    job: Import,
    user: Any,
    pending: list[tuple[str, tuple[str, ...]]],
    by_day: dict[tuple[dt.date, str], Incident],
    stats: Stats,
    warnings: list[str],
    media_blobs: list[Any],
) -> None:
    """Take the attached files of ``pending`` (message identity, file names) out of the export. Each sealed file
    written is added to ``media_blobs`` (removed again if the run fails); what could not be kept is a warning."""
    case = job.case
    largest, total_limit, count_limit = media_limits()
    with open_export(job) as source:
        if source.peek(4)[:4] != b"PK\x03\x04":
            return  # a .txt export: the attached files are not in it (the scan's warnings say so)
        from imports.formats import whatsapp  # noqa: PLC0415

        archive = whatsapp.open_zip(source)  # its limits: entries, total size, compression ratio, names
        entries: dict[str, zipfile.ZipInfo] = {}
        for info in archive.infolist():
            base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
            if info.is_dir() or info.filename.startswith("__MACOSX/") or base.startswith("._") or not base:
                continue
            entries.setdefault(base, info)
        total = 0
        done = 0
        made: dict[str, Exhibit] = {}
        missing = 0
        for identity, attached in pending:
            item = ImportedItem.objects.filter(case=case, identity=identity).first()
            if item is None:
                continue
            item.case = case
            for name in attached:
                base = name.replace("\\", "/").rsplit("/", 1)[-1]
                info = entries.get(base)
                if info is None:
                    missing += 1
                    continue
                shown = names.display_name(base, "attachment")
                exhibit = made.get(base)
                if exhibit is None:
                    if done >= count_limit:
                        warnings.append(f"Only the first {count_limit} attached files were kept; the rest are still inside the export.")
                        break
                    ratio = info.file_size / max(info.compress_size, 1)
                    if info.file_size > largest or total + info.file_size > total_limit or (info.file_size > 1024 * 1024 and ratio > MAX_RATIO):
                        warnings.append(f"The attached file {shown} ({item.position}) is too large to take out of the export; it is still inside it.")
                        continue
                    day_incident = by_day.get((item.local_day, item.channel)) if item.suspect else None
                    details = evidence.Details(
                        description=(
                            f"Attached to a message at {item.local_day:%d/%m/%Y} {clock_text(item.local_minute)} "
                            f"({item.position}) in exhibit {job.exhibit.reference}."
                        ),
                        incident=day_incident,
                    )
                    try:
                        result = evidence.ingest(case, user, _entry_chunks(archive, info, largest), name=base, details=details)
                    except (_TooBig, limits.UploadError, zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
                        reason = exc.message if isinstance(exc, limits.UploadError) else "it is damaged or larger than it claims"
                        warnings.append(f"The attached file {shown} ({item.position}) could not be kept: {reason}")
                        continue
                    exhibit = result.exhibit
                    if result.created:
                        media_blobs.append(exhibit.original)
                        stats.media += 1
                    total += info.file_size
                    done += 1
                    made[base] = exhibit
                ImportedMedia.objects.create(case=case, item=item, exhibit=exhibit, name=shown[:255])
        if missing:
            verb = "is" if missing == 1 else "are"
            warnings.append(f"{plural(missing, 'attached file')} named in the chat {verb} not in the export (exported without media?).")


class _TooBig(Exception):
    pass


def _entry_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> Iterator[bytes]:
    got = 0
    with archive.open(info) as handle:
        while True:
            piece = handle.read(1 << 20)
            if not piece:
                return
            got += len(piece)
            if got > limit or got > info.file_size:
                raise _TooBig()
            yield piece
