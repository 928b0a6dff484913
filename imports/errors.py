"""What the import flow raises when it refuses to go on."""

from __future__ import annotations


class ImportRefused(Exception):
    """The import cannot go on (wrong file, already started, unknown time zone...): ``str()`` is a sentence for the person."""
