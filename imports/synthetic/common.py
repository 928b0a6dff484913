"""What every synthetic export shares: made-up names and texts, the expected records (the ground truth a parse is
compared against) and the sample (file name, bytes, expected)."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC

NAMES = ["Alex Smith", "Jo", "Sam Taylor", "سارة", "דוד כהן", "Chris 🌸", "+44 7700 900123", "Zoë Brontë"]
TEXTS = [
    "Where are you?",
    "I saw you at the station today",
    "Answer your phone",
    "Why are you ignoring me 😡😡",
    "ok",
    "I know where you live",
    "مرحبا، كيف حالك؟",
    "שלום, מה שלומך?",
    "Thanks, see you tomorrow 👍🏽",
    "You can't hide from me",
    "Family 👨‍👩‍👧 dinner at 7?",
    "Call me back NOW",
    "Ça va? Grüße aus Köln — naïve café",
    "I'm outside",
]
CONTINUATIONS = ["and another thing", "   indented line", "- a dash line", "ps: I mean it", "😀", "line with: a colon"]


@dataclass(frozen=True)
class ExpectedRecord:
    kind: str  # "message" | "call"
    local_time: dt.datetime
    sender: str
    text: str = ""
    call_kind: str = ""
    attachments: tuple[str, ...] = ()
    system: bool = False
    utc_time: dt.datetime | None = None
    call_seconds: int | None = None
    time_known: bool = True  # False: an e-mail with no readable date (kept, on no day)


@dataclass
class Expected:
    messages: int = 0  # non-system messages
    calls: int = 0
    system: int = 0
    senders: Counter = field(default_factory=Counter)  # non-system records per sender
    first: dt.datetime | None = None
    last: dt.datetime | None = None
    records: list[ExpectedRecord] | None = field(default_factory=list)  # None when not kept (big files)
    warnings: list[str] = field(default_factory=list)  # substrings expected in warnings

    @property
    def total(self) -> int:
        return self.messages + self.calls + self.system

    def add(self, record: ExpectedRecord) -> None:
        if record.system:
            self.system += 1
        else:
            if record.kind == "call":
                self.calls += 1
            else:
                self.messages += 1
            self.senders[record.sender] += 1
            if not record.time_known:
                pass
            elif self.first is None or record.local_time < self.first:
                self.first = record.local_time
            if not record.time_known:
                pass
            elif self.last is None or record.local_time > self.last:
                self.last = record.local_time
        if self.records is not None:
            self.records.append(record)


@dataclass
class Sample:
    name: str
    data: bytes
    expected: Expected


def times_from(rng: random.Random, start: dt.datetime, step: tuple[int, int]) -> Iterator[dt.datetime]:
    when = start
    while True:
        yield when
        when += dt.timedelta(minutes=rng.randint(*step), seconds=rng.randint(0, 59))


def json_dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)
