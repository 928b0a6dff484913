"""Reading an export: its format (detected from the first 64 KiB and the file's name), the sealed exhibit opened as
a stream, and the format's parser over it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from imports.models import Import
from imports.records import ImportFormatError, ParseOptions, ParseWarning, Record
from vault import store

HEAD_BYTES = 64 * 1024
PROGRESS_EVERY = 5000  # records read between two saves of the progress
MAX_WARNINGS = 20


def _formats() -> Any:
    from imports import formats  # noqa: PLC0415 - written alongside; imported when used

    return formats


def format_module(code: str) -> Any:
    """The parser module of a format code, or None when Daybook no longer knows it."""
    return _formats().FORMATS.get(code)


def detect(head: bytes, name: str) -> Any:
    """The format module for a file; ``ImportFormatError`` (a sentence for the person) when it is none Daybook reads."""
    return _formats().detect(head, name)


def supported_labels() -> list[str]:
    """What the person sees as the kinds of export Daybook reads."""
    return [m.LABEL for m in _formats().FORMATS.values()]


def summarise(items: Iterator[Record | ParseWarning]) -> Any:
    """The parsers' one-pass summary: participants with counts, and warnings."""
    return _formats().summarise(items)


def open_export(job: Import) -> io.BufferedReader:
    """The export, read back from its sealed exhibit."""
    exhibit = job.exhibit
    exhibit.case = job.case
    return io.BufferedReader(store.open_reader(job.case, exhibit.original), buffer_size=1 << 20)


def records(job: Import, source: io.BufferedReader) -> Iterator[Record | ParseWarning]:
    """The export's records and warnings, as its format's parser gives them."""
    module = format_module(job.format)
    if module is None:
        raise ImportFormatError("Daybook no longer knows this kind of export")
    yield from module.parse(source, ParseOptions())


def warning_text(w: ParseWarning) -> str:
    return f"{w.message} ({w.where})" if w.where else w.message
