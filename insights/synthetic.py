"""Synthetic cases with known ground truth, for the tests and the benchmark.

A :class:`Builder` lays down incidents relative to ``as_of`` (today by default): calm stretches of
daytime messages, and injected features, each tagged with the finding it must trigger:

* ``escalation(...)``: many incidents in the last 14 days (``escalation_frequency``);
* ``threat(...)``: a threat, felt in danger (``threats``, ``danger``; the first one after calm contact is the
  ``escalation_seriousness`` milestone);
* ``visits_in_week(...)``: more than three visits in one calendar week (``frequent_visits``);
* ``burst(...)``: many contacts within an hour, in one record or several (``bursts``);
* ``night(...)``: contact between 11pm and 6am (``night``);
* ``third_party(...)``, ``breach(...)``, ``damage(...)``, ``approach(...)``;
* ``suicide_threat(...)``: a threat by them to harm themselves (``suicide_threats``);
* ``left_at(...)``: damage found or a gift left at home, work or school without them being seen there (never
  ``frequent_visits``; the first at each place is its own step, ``left:<place>``);
* ``many_contacts(...)``: one record of many calls or messages ("32 calls in an hour"), to tell contacts from records.

``approach(..., first=True)`` also tags ``approach:<place>``: the first time they came to that place (home, work and
place of study each named apart).

Calm incidents are messages by text or email between 10:00 and 16:00, one or two contacts each, never
threats, never in person, never marked as a breach or "felt in danger", so on calm data every finding
except a course of conduct and (for long stretches) duration stays silent.

``Synthetic.truth`` maps each finding key to the incident numbers it must list (exactly, for the keys in
``EXACT``; at least, for the others). Numbers are given in the order incidents are recorded, which is
not always the order they happened: ``late=True`` records an incident after the others, as a person
writing something down days later would.

:func:`bulk_facts` makes ``n`` facts quickly (no database) for the benchmark of the analysis itself.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from insights import analysis as A
from insights.analysis import Fact, make_fact
from insights.analysis.checks import TITLES
from kernel import localtime
from kernel.localtime import local_tz, week_start

# Findings whose incident list must equal the ground truth exactly (the others must contain it).
EXACT = {"threats", "suicide_threats", "night", "bursts", "third_parties", "breaches", "frequent_visits", "danger"}


@dataclass
class Event:
    at: dt.datetime
    codes: tuple[str, ...]
    channel: str = ""
    place: str = ""
    how_many: int | None = None
    danger: bool = False
    precision: str = "exact"
    ended_at: dt.datetime | None = None
    breach: bool = False
    reported: bool = False
    description: str = "Synthetic incident"
    tags: set[str] = field(default_factory=set)
    late: bool = False


@dataclass
class Synthetic:
    as_of: dt.date
    events: list[Event]  # in the order they are recorded: incident number = position + 1
    relationship: str = "ex_partner"

    @property
    def truth(self) -> dict[str, set[int]]:
        """Finding key -> the incident numbers it must list."""
        return {tag: numbers for tag, numbers in self.tagged.items() if tag in TITLES}

    @property
    def tagged(self) -> dict[str, set[int]]:
        """Every tag (finding keys, and marks such as ``approach:home``) -> the incident numbers carrying it."""
        out: dict[str, set[int]] = defaultdict(set)
        for number, e in enumerate(self.events, start=1):
            for tag in e.tags:
                out[tag].add(number)
        return dict(out)

    def number_of(self, event: Event) -> int:
        return self.events.index(event) + 1

    def facts(self, order_id: int = 1) -> list[Fact]:
        tz = local_tz()
        facts = [
            make_fact(
                n,
                e.at,
                e.ended_at,
                e.precision,
                e.codes,
                e.channel,
                e.place,
                e.how_many,
                e.danger,
                e.reported,
                order_id if e.breach else None,
                tz=tz,
            )
            for n, e in enumerate(self.events, start=1)
        ]
        facts.sort(key=lambda f: (f.t, f.number))
        return facts

    def analyse(self, orders: list[A.OrderInfo] | None = None) -> A.Analysis:
        return A.analyse(self.facts(), as_of=self.as_of, relationship=self.relationship, orders=orders or [])

    def write(self, case: Any, user: Any, order: Any = None) -> list[Any]:
        """Record every event through diary.services.create_incident (numbers follow ``events``)."""
        from diary.services import IncidentData, create_incident  # noqa: PLC0415

        out = []
        for e in self.events:
            data = IncidentData(
                occurred_at=e.at,
                description=e.description,
                time_precision=e.precision,
                ended_at=e.ended_at,
                location_kind=e.place,
                channel=e.channel,
                how_many=e.how_many,
                behaviours=list(e.codes),
                felt_in_danger=e.danger,
                reported=e.reported,
                breached_order=order if e.breach else None,
            )
            out.append(create_incident(case, user, data))
        return out


class Builder:
    def __init__(self, as_of: dt.date | None = None, seed: int = 0, relationship: str = "ex_partner") -> None:

        self.as_of = as_of or localtime.today()
        self.r = random.Random(seed)
        self.relationship = relationship
        self._events: list[Event] = []
        self._late: list[Event] = []

    # --- time -------------------------------------------------------------------------------------------

    def at(self, days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
        day = self.as_of - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local_tz())

    def add(self, event: Event) -> Event:
        (self._late if event.late else self._events).append(event)
        return event

    def build(self) -> Synthetic:
        ordered = sorted(self._events, key=lambda e: e.at) + self._late
        return Synthetic(self.as_of, ordered, self.relationship)

    # --- calm ---------------------------------------------------------------------------------------------

    def calm(self, from_days_ago: int, to_days_ago: int = 1, every_days: int = 4) -> list[Event]:
        """Daytime messages at a steady rate: no finding but a course of conduct (and duration) should fire."""
        out = []
        for days_ago in range(from_days_ago, to_days_ago - 1, -every_days):
            channel = self.r.choice(["text", "email"])
            out.append(
                self.add(
                    Event(
                        self.at(days_ago, self.r.randint(10, 15), self.r.randrange(60)),
                        ("CONT.MSG",),
                        channel,
                        "online",
                        self.r.choice([None, 2]),
                        description="Message asking to talk",
                    )
                )
            )
        return out

    # --- injected features --------------------------------------------------------------------------------

    def escalation(self, count: int = 12, within_days: int = 13) -> list[Event]:
        """``count`` daytime calls or messages spread over the last ``within_days`` days."""
        out = []
        for i in range(count):
            days_ago = 1 + (i * (within_days - 1)) // max(count - 1, 1)
            out.append(
                self.add(
                    Event(
                        self.at(days_ago, 11 + (i % 5), 5 * (i % 12)),
                        (self.r.choice(["CONT.CALL", "CONT.MSG"]),),
                        "phone_call",
                        "online",
                        None,
                        description="More contact",
                        tags={"escalation_frequency"},
                    )
                )
            )
        return out

    def threat(self, days_ago: int, code: str = "THRT.VIOLENCE", first: bool = False, late: bool = False) -> Event:
        tags = {"threats", "danger"}
        if first:
            tags.add("escalation_seriousness")
        if code == "THRT.OTHERS":
            tags.add("third_parties")
        return self.add(Event(self.at(days_ago, 18, 30), (code,), "text", "online", None, True, description="Threatening text", tags=tags, late=late))

    def approach(self, days_ago: int, place: str = "home", first: bool = False, hour: int = 19) -> Event:
        tags = {"escalation_seriousness", f"approach:{place}"} if first else set()
        return self.add(Event(self.at(days_ago, hour, 0), ("CONT.VISIT",), "in_person", place, description="Turned up", tags=tags))

    def visits_in_week(self, weeks_ago: int, count: int = 4, place: str = "home") -> list[Event]:
        """``count`` visits on different days of one calendar week (Monday to Sunday), ``weeks_ago`` weeks back."""
        monday = week_start(self.as_of) - dt.timedelta(weeks=weeks_ago)
        out = []
        for i in range(count):
            day = monday + dt.timedelta(days=i % 7)
            days_ago = (self.as_of - day).days
            out.append(
                self.add(Event(self.at(days_ago, 19, 10 * (i // 7)), ("CONT.VISIT",), "in_person", place, description="At my door", tags={"frequent_visits"}))
            )
        return out

    def burst(self, days_ago: int, contacts: int = 30, records: int = 1, hour: int = 20) -> list[Event]:
        """``contacts`` calls within an hour, written as one record or as ``records`` records."""
        out = []
        per = contacts // records
        for i in range(records):
            n = per + (contacts - per * records if i == records - 1 else 0)
            out.append(
                self.add(
                    Event(
                        self.at(days_ago, hour, min(59, i * (50 // max(records, 1)))),
                        ("CONT.CALL",),
                        "phone_call",
                        "home",
                        n,
                        description=f"{n} calls",
                        tags={"bursts"},
                    )
                )
            )
        return out

    def spread_calls(self, days_ago: int, contacts: int = 30) -> Event:
        """Many calls in one record that says it lasted all evening (over an hour): not a burst."""
        start = self.at(days_ago, 17, 0)
        return self.add(Event(start, ("CONT.CALL",), "phone_call", "home", contacts, ended_at=start + dt.timedelta(hours=5), description="Calls all evening"))

    def night(self, days_ago: int, hour: int = 2) -> Event:
        return self.add(Event(self.at(days_ago, hour, 15), ("CONT.CALL",), "phone_call", "home", None, description="Call in the night", tags={"night"}))

    def suicide_threat(self, days_ago: int, hour: int = 21) -> Event:
        """A message threatening suicide ("I'll kill myself if you don't answer")."""
        return self.add(
            Event(self.at(days_ago, hour, 10), ("CONT.MSG", "THRT.SUICIDE"), "text", "online", description="Threatened suicide", tags={"suicide_threats"})
        )

    def left_at(self, days_ago: int, place: str = "home", code: str = "CONT.GIFT", first: bool = False) -> Event:
        """Something left or done at ``place`` without them being seen: a gift at the door (``CONT.GIFT``), damage
        found (``PROP.DAMAGE``). Not turning up."""
        channel = "gift" if code == "CONT.GIFT" else "in_person"
        tags = {"escalation_seriousness", f"left:{place}"} if first else set()
        return self.add(Event(self.at(days_ago, 8, 0), (code,), channel, place, None, description="Found at the door", tags=tags))

    def many_contacts(self, days_ago: int, contacts: int = 32, hour: int = 14, code: str = "CONT.CALL") -> Event:
        """One record of many contacts spread over the afternoon (longer than the burst window): "32 calls today"."""
        start = self.at(days_ago, hour, 0)
        channel = "phone_call" if code == "CONT.CALL" else "text"
        return self.add(
            Event(start, (code,), channel, "online", contacts, ended_at=start + dt.timedelta(hours=3), description=f"{contacts} calls", tags={"many_contacts"})
        )

    def third_party(self, days_ago: int) -> Event:
        return self.add(Event(self.at(days_ago, 12, 0), ("CONT.PROXY",), "third_party", "", None, description="Messaged my sister", tags={"third_parties"}))

    def breach(self, days_ago: int) -> Event:
        return self.add(
            Event(self.at(days_ago, 13, 0), ("CONT.MSG",), "text", "online", None, breach=True, description="Texted despite the order", tags={"breaches"})
        )

    def damage(self, days_ago: int, first: bool = False) -> Event:
        tags = {"escalation_seriousness"} if first else set()
        return self.add(Event(self.at(days_ago, 12, 30), ("PROP.DAMAGE",), "in_person", "home", None, description="Tyres slashed", tags=tags))


# --- Presets ----------------------------------------------------------------------------------------------


def calm_case(as_of: dt.date | None = None, seed: int = 1) -> Synthetic:
    """120 days of steady daytime messages, still going: nothing but a course of conduct and duration."""
    b = Builder(as_of, seed)
    b.calm(120, 2, every_days=4)
    return b.build()


def escalating_case(as_of: dt.date | None = None, seed: int = 2) -> Synthetic:
    """Calm messages, then a first visit at home, threats, bursts, night calls, a third party, a week of
    visits and a breach, then damage and a sharp rise in the last 14 days. The earliest threat is written
    down last (entered late), so incident numbers and time order differ."""
    b = Builder(as_of, seed)
    b.calm(120, 20, every_days=5)
    b.approach(90, "home", first=True)
    b.threat(75)
    b.burst(70, contacts=30, records=1)
    b.burst(66, contacts=12, records=4)
    b.spread_calls(63, contacts=40)
    b.night(58, hour=23)
    b.night(57, hour=3)
    b.third_party(56)
    b.visits_in_week(7, count=4)
    b.breach(45)
    b.damage(10, first=True)
    b.escalation(12)
    b.threat(80, code="THRT.KILL", first=True, late=True)  # written down after everything else: the earliest threat
    return b.build()


def home_work_case(as_of: dt.date | None = None, seed: int = 3) -> Synthetic:
    """Calm messages; then they come to the workplace, leave a gift at the home (not seen), come to the home, come to
    the place of study, and threaten suicide twice: each place's first approach is its own step."""
    b = Builder(as_of, seed)
    b.calm(100, 10, every_days=5)
    b.approach(80, "work", first=True)
    b.approach(75, "work")
    b.left_at(70, "home", "CONT.GIFT", first=True)
    b.approach(60, "home", first=True)
    b.left_at(50, "home", "PROP.DAMAGE")  # damage found at home: the first damage, not turning up
    b.approach(40, "school", first=True)
    b.suicide_threat(30)
    b.suicide_threat(12)
    return b.build()


def many_contacts_case(as_of: dt.date | None = None, seed: int = 4) -> Synthetic:
    """As many incidents in the last 14 days as in an average 14 days before, but each recent one a record of many
    calls: more often by contacts, not by records."""
    b = Builder(as_of, seed)
    for days_ago in range(41, 13, -7):  # four single messages in the 28 days before
        b.add(Event(b.at(days_ago, 12, 0), ("CONT.MSG",), "text", "online", 1, description="Message"))
    b.many_contacts(9, 32)
    b.many_contacts(4, 25)
    return b.build()


_KINDS: list[tuple[int, tuple[str, ...], str, str]] = [
    (40, ("CONT.MSG",), "text", "online"),
    (20, ("CONT.CALL",), "phone_call", "home"),
    (8, ("CONT.MSG", "SURV.ONLINE"), "social_media", "online"),
    (8, ("SURV.LOITER",), "in_person", "home"),
    (6, ("CONT.VISIT",), "in_person", "work"),
    (5, ("SURV.FOLLOW",), "in_person", "public"),
    (4, ("CONT.PROXY",), "third_party", ""),
    (3, ("CONT.GIFT",), "gift", "home"),
    (2, ("THRT.VIOLENCE",), "text", "online"),
    (1, ("THRT.KILL",), "text", "online"),
    (1, ("PROP.DAMAGE",), "in_person", "home"),
    (2, (), "", ""),
]


def bulk_facts(n: int, seed: int = 0, years: float = 4.0, as_of: dt.date | None = None) -> list[Fact]:
    """``n`` facts over ``years`` years up to ``as_of``, getting more frequent, in time order (no database).

    The facts are made in time order, as ``insights.clear_columns.load`` makes them from its ordered query, so they lie
    in memory in the order the analysis reads them."""
    r = random.Random(seed)
    as_of = as_of or localtime.today()
    tz = local_tz()
    span = int(years * 365.25)
    weights = [k[0] for k in _KINDS]
    planned = []
    for number in range(1, n + 1):
        days_ago = span - int(span * (r.random() ** 0.6))
        when = dt.datetime.combine(as_of - dt.timedelta(days=days_ago), dt.time(r.randrange(24), r.randrange(60)), tzinfo=tz)
        planned.append((when, number, r.choices(_KINDS, weights)[0], r.random()))
    planned.sort(key=lambda item: (item[0], item[1]))
    out = []
    for when, number, (_, codes, channel, place), x in planned:
        out.append(
            make_fact(
                number,
                when,
                None,
                "date" if x < 0.05 else "approx" if x < 0.2 else "exact",
                codes,
                channel,
                place,
                1 + int(x * 997) % 20 if channel in ("text", "phone_call") else None,
                int(x * 7919) % 10 == 0,
                int(x * 104729) % 12 == 0,
                1 if int(x * 15485863) % 50 == 0 else None,
                tz=tz,
            )
        )
    return out
