"""The name people see on anything that leaves the screen: downloaded file names and a PDF's metadata.

A person may set ``DAYBOOK_DISPLAY_NAME`` so that the service does not say what it is (a phone's download
notification shows the file name; a PDF viewer shows its title and creator). Everything a download could show
uses :func:`shown_name` and :func:`file_prefix`, never the word "Daybook"."""

from __future__ import annotations

from django.conf import settings
from django.utils.text import slugify

NEUTRAL = "Notes"


def shown_name() -> str:
    """The configured display name, or a neutral word when it is blank."""
    return (getattr(settings, "DAYBOOK_DISPLAY_NAME", "") or "").strip() or NEUTRAL


def file_prefix() -> str:
    """The display name as the start of a file name: "daybook", "my-notes"; a neutral "notes" if nothing is left."""
    return slugify(shown_name())[:40].strip("-") or slugify(NEUTRAL)
