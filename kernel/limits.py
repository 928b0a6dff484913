"""The stated limits every app's forms share (shown on the forms, checked again by the services)."""

from __future__ import annotations

import datetime as dt

MAX_TEXT = 5_000  # characters in a free-text answer
MAX_SHORT = 300  # characters in a short answer (a name, a reference, a place)
EARLIEST = dt.date(1900, 1, 1)  # no date before this is accepted
