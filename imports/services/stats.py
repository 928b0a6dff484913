"""What one import run counts (shown to the person in the import's result)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Stats:
    messages: int = 0
    calls: int = 0
    suspect_messages: int = 0
    suspect_calls: int = 0
    already: int = 0  # already stored by an earlier import
    outside: int = 0  # outside the date range
    system: int = 0
    undated: int = 0  # records the export gives no readable time for (named in the warnings)
    threats: int = 0
    night: int = 0
    burst_items: int = 0
    bursts: int = 0
    incidents_created: int = 0
    incidents_updated: int = 0
    incidents_kept_retracted: int = 0
    days_in_future: int = 0  # days whose messages are dated after the import ran (a phone's clock set wrong)
    media: int = 0
    days: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)
