"""What an incident's behaviour codes, channel and place mean for the findings.

The behaviour code groups are data, in ``insights/data/code_groups.json``: the analysis reads them here and the
screening instruments (``insights.instruments``) name them in their questions, so both always use the same lists.
The channel and place groups below are only the analysis's.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NamedTuple

from diary import taxonomy

DATA = Path(__file__).resolve().parent.parent / "data" / "code_groups.json"


class CodeGroupError(ValueError):
    pass


def load_code_groups(path: Path) -> dict[str, frozenset[str]]:
    """The named groups of behaviour codes in ``path``. Raises :class:`CodeGroupError` for a code the taxonomy does
    not know."""
    raw = json.loads(path.read_text(encoding="utf-8"))["groups"]
    out = {}
    for name, group in raw.items():
        unknown = [c for c in group["codes"] if not taxonomy.is_known(c)]
        if unknown:
            raise CodeGroupError(f"{path.name}: group {name} has codes the taxonomy does not know: {', '.join(unknown)}")
        out[name] = frozenset(group["codes"])
    return out


@cache
def code_groups() -> dict[str, frozenset[str]]:
    """Every named group of behaviour codes (read once)."""
    return load_code_groups(DATA)


def code_group(name: str) -> frozenset[str]:
    """The behaviour codes of the group ``name`` (KeyError if there is none)."""
    return code_groups()[name]


THREATS = code_group("threats")
SUICIDE = code_group("suicide_threats")
VIOLENCE = code_group("violence")
DAMAGE_OR_VIOLENCE = code_group("damage_or_entry") | VIOLENCE
# Being physically there: turning up, following, watching, waiting, getting in, damage, attack.
PRESENCE = code_group("presence")
PRESENCE_CHANNELS = frozenset({"in_person"})
# Contact at a distance.
REMOTE = code_group("remote")
REMOTE_CHANNELS = frozenset({"phone_call", "text", "messaging_app", "email", "social_media", "letter", "gift"})
# Drawing in other people: contact through them, threats or violence to them, their employer, false complaints.
THIRD_PARTY = code_group("third_parties")
THIRD_PARTY_CHANNELS = frozenset({"third_party"})
HOME_OR_WORK = frozenset({"home", "work", "school"})
# Being seen at a place, and signs left there without being seen (damage found, a gift at the door).
SEEN = code_group("seen_there")
LEFT = code_group("left_there")
# The places an approach is named for, each on its own: the home above all, then work, then the place of study.
PLACE_NAMES = {"home": "your home", "work": "your workplace", "school": "your place of study"}
DOMESTIC = frozenset({"ex_partner", "partner", "family"})

# The taxonomy's families of behaviours, as the charts name them (short, and long for the totals).
GROUPS = [
    ("CONT", "Contact"),
    ("SURV", "Watching"),
    ("THRT", "Threats"),
    ("PUBL", "Publishing"),
    ("PROP", "Property"),
    ("SABO", "Sabotage"),
    ("VIOL", "Violence"),
]
GROUP_LONG = {
    "CONT": "Contact and turning up",
    "SURV": "Following, watching and monitoring",
    "THRT": "Threats and intimidation",
    "PUBL": "Posting, pretending to be you, rumours",
    "PROP": "Property",
    "SABO": "Sabotage (orders in your name, fraud, work)",
    "VIOL": "Violence",
}


def is_presence(codes: tuple[str, ...], channel: str) -> bool:
    return channel in PRESENCE_CHANNELS or not PRESENCE.isdisjoint(codes)


def is_remote(codes: tuple[str, ...], channel: str) -> bool:
    """Known to be contact at a distance (and not presence)."""
    if is_presence(codes, channel):
        return False
    return channel in REMOTE_CHANNELS or (bool(codes) and all(c in REMOTE for c in codes))


def is_seen(codes: tuple[str, ...], channel: str) -> bool:
    """Seen there in person: a visit, following, waiting, watching or attack; or an in-person incident that does not
    only record something left or done (damage found, a gift left at the door)."""
    if not SEEN.isdisjoint(codes):
        return True
    return channel in PRESENCE_CHANNELS and not (codes and all(c in LEFT for c in codes))


def is_turning_up(codes: tuple[str, ...], channel: str, place: str) -> bool:
    """Turning up (the S-DASH visits topic): a visit anywhere, or being seen at home, work or school. Damage found or
    a gift left there without being seen is not turning up (see :func:`left_at`)."""
    return "CONT.VISIT" in codes or (place in HOME_OR_WORK and is_seen(codes, channel))


def left_at(codes: tuple[str, ...], channel: str, place: str) -> str:
    """The place (home, work, school) where something was left or done without them being seen there; "" if none."""
    if place in HOME_OR_WORK and not LEFT.isdisjoint(codes) and not is_seen(codes, channel):
        return place
    return ""


def approach_at(codes: tuple[str, ...], channel: str, place: str) -> str:
    """The place (home, work, school) they came to, seen there or leaving a sign; "" if none."""
    if place not in HOME_OR_WORK:
        return ""
    return place if is_seen(codes, channel) or left_at(codes, channel, place) else ""


def is_third_party(codes: tuple[str, ...], channel: str) -> bool:
    return channel in THIRD_PARTY_CHANNELS or not THIRD_PARTY.isdisjoint(codes)


class Kind(NamedTuple):
    """What an incident's (behaviours, channel, place) mean for the findings; worked out once per combination."""

    groups: tuple[str, ...]
    threat: bool
    presence: bool
    remote: bool
    turning_up: bool
    approach: str  # the place (home, work, school) they came to, seen or leaving a sign; "" if none
    seen: bool  # seen there (see is_seen)
    harm: bool
    third: bool
    suicide: bool
    left: str  # the place where something was left or done without being seen; "" if none


def kind_of(codes: tuple[str, ...], channel: str, place: str) -> Kind:
    return Kind(
        tuple(sorted({c.split(".", 1)[0] for c in codes})),
        not THREATS.isdisjoint(codes),
        is_presence(codes, channel),
        is_remote(codes, channel),
        is_turning_up(codes, channel, place),
        approach_at(codes, channel, place),
        is_seen(codes, channel),
        not DAMAGE_OR_VIOLENCE.isdisjoint(codes),
        is_third_party(codes, channel),
        not SUICIDE.isdisjoint(codes),
        left_at(codes, channel, place),
    )
