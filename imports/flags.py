"""The flags set on imported messages and calls: night-time and bursts (Daybook's own choices).

Defined once here; the import sets them (imports.services.store, imports.services.bursts), each day's incident
states them, and the findings quote them (insights.thresholds IMPORT_NIGHT_HOURS and IMPORT_BURST_*).
"""

from __future__ import annotations

import datetime as dt

NIGHT_FROM_HOUR, NIGHT_TO_HOUR = 0, 6  # night-time: 00:00 to 05:59 local time
BURST_MESSAGES, BURST_MESSAGE_MINUTES = 10, 10  # a burst: 10 or more messages within 10 minutes...
BURST_CALLS, BURST_CALL_MINUTES = 5, 30  # ...or 5 or more calls within 30 minutes


def is_night(local: dt.datetime) -> bool:
    """Whether a wall-clock time (the phone's) is at night."""
    return NIGHT_FROM_HOUR <= local.hour < NIGHT_TO_HOUR
