"""The flags set on imported messages and calls: night-time (``kernel.night``, the one definition) and bursts
(Daybook's own choices).

The burst numbers are defined once here; the import sets the flags (imports.services.store, imports.services.bursts),
each day's incident states them, and the findings quote them (insights.thresholds NIGHT_* and IMPORT_BURST_*).
"""

from __future__ import annotations

import datetime as dt

from kernel import night

NIGHT_FROM_HOUR, NIGHT_TO_HOUR = night.FROM_HOUR, night.TO_HOUR  # night-time: defined once, in kernel.night
BURST_MESSAGES, BURST_MESSAGE_MINUTES = 5, 5  # a burst: 5 or more messages within 5 minutes...
BURST_CALLS, BURST_CALL_MINUTES = 5, 30  # ...or 5 or more calls within 30 minutes

# Where the burst numbers come from (shown under "How Daybook decides" and in imports/README.md).
BURST_SOURCE = (
    "No research or guidance gives a number for a burst. The sources Daybook follows name the behaviour, not a rate: "
    "the risk checklists ask about frequent contact without giving a number, and the police's FOUR mnemonic "
    "(fixated, obsessive, unwanted, repeated) counts contact that is repeated. The numbers are Daybook's choice. "
    "Messages: one a minute or faster, kept up for five minutes, is more than an ordinary exchange, and eight messages "
    "in five minutes ('ANSWER ME') is a burst to any reader; until December 2026 the rule was 10 within 10 minutes, "
    "which missed such a run. Calls: five within half an hour is calling again and again. Imports made before a "
    "change keep the flags of the rule they were made under; their diary entries say which rule."
)


def is_night(local: dt.datetime) -> bool:
    """Whether a wall-clock time (the phone's) is at night."""
    return night.is_night(local)
