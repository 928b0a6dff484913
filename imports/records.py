"""The shape every importer produces: one ``Record`` per message or call, whatever the export format.

Parsers live in ``imports/formats/`` (one module per format). Each exposes:

- ``FORMAT``: a short id ("whatsapp", "sms_xml", "telegram", "messenger", "instagram", "email", "csv");
- ``LABEL``: what the person sees ("WhatsApp chat export");
- ``detect(head: bytes, name: str) -> bool``: from the first 64 KiB and the file name;
- ``parse(source: BinaryIO, options: ParseOptions) -> Iterator[Record | ParseWarning]``: streams records in file
  order without reading the whole file into memory; raises ``ImportFormatError`` with a clear message that says
  what was wrong and where (line, byte offset or element) when the file cannot be read at all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, dataclass, field, fields
from typing import Any


class ImportFormatError(Exception):
    """The file cannot be imported. ``str()`` is a sentence for the person: what was wrong and where."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{message} ({where})" if where else message)
        self.message = message
        self.where = where


@dataclass(frozen=True)
class ParseOptions:
    # Hints the person can confirm; parsers decide what they can from the whole file when these are None.
    day_first: bool | None = None
    account_owner: str = ""  # the person's own name/number in the export, when known
    max_line_chars: int = 65_536
    max_records: int = 5_000_000


@dataclass(frozen=True)
class Attachment:
    name: str  # as written in the export (e.g. "IMG-20240101-WA0001.jpg"); never used as a path
    media_type: str = ""
    size: int | None = None


@dataclass(frozen=True)
class Record:
    kind: str  # "message" or "call"
    channel: str  # diary channel code: "whatsapp", "sms", "mms", "telegram", "messenger", "instagram", "email", "phone", ...
    local_time: dt.datetime  # naive: the export's wall-clock time; the importer applies the confirmed zone
    sender: str  # display name or number as in the export ("" for the account owner's own when unknown)
    recipients: tuple[str, ...] = ()
    text: str = ""
    direction: str = ""  # "in", "out" or "" when the export does not say
    call_seconds: int | None = None  # calls only
    call_kind: str = ""  # "incoming", "outgoing", "missed", "rejected", "blocked", "voicemail"
    attachments: tuple[Attachment, ...] = ()
    system: bool = False  # "Messages are end-to-end encrypted", "X changed the group name"...
    position: str = ""  # where in the export: "line 1234", "sms 56", "message id 789"
    source_id: str = ""  # the export's own id for the record when it has one
    extra: dict[str, str] = field(default_factory=dict)
    # The absolute instant, for formats that carry one (SMS XML epoch ms, Telegram date_unixtime, Messenger
    # timestamp_ms, e-mail Date headers with a zone): aware, in UTC. When set, ``local_time`` is the same instant as
    # a Europe/London wall time (a fallback); importers should prefer ``utc_time``.
    utc_time: dt.datetime | None = None
    # False when the export gives no readable time for this record (an e-mail without any usable date): it is kept
    # and counted, with a warning naming its position, but it belongs to no day (``local_time`` is then UNKNOWN_TIME).
    time_known: bool = True


UNKNOWN_TIME = dt.datetime(1970, 1, 1)
_RECORD_DEFAULTS = {f.name: f.default for f in fields(Record) if f.default is not MISSING}
_RECORD_REQUIRED = frozenset(f.name for f in fields(Record) if f.default is MISSING and f.default_factory is MISSING)


def make_record(**values: Any) -> Record:
    """The same ``Record`` as ``Record(**values)``, made without the frozen dataclass's one ``object.__setattr__`` per
    field: the hot path of a big export (a 200 000-message chat makes 200 000 of them)."""
    if not _RECORD_REQUIRED.issubset(values):
        raise TypeError(f"a Record needs {', '.join(sorted(_RECORD_REQUIRED - values.keys()))}")
    record = object.__new__(Record)
    state = record.__dict__
    state.update(_RECORD_DEFAULTS)
    state.update(values)
    if "extra" not in values:
        state["extra"] = {}
    return record


@dataclass(frozen=True)
class ParseWarning:
    message: str  # a sentence for the person, e.g. "The file ends part-way through a message; 12 345 records were read."
    where: str = ""
