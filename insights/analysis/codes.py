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


def is_turning_up(codes: tuple[str, ...], channel: str, place: str) -> bool:
    """Turning up (the S-DASH visits topic): a visit, or being there in person at home, work or school."""
    return "CONT.VISIT" in codes or (is_presence(codes, channel) and place in HOME_OR_WORK)


def is_approach_home_work(codes: tuple[str, ...], channel: str, place: str) -> bool:
    if "CONT.VISIT" in codes and place in ("", *HOME_OR_WORK):
        return True
    return is_presence(codes, channel) and place in HOME_OR_WORK


def is_third_party(codes: tuple[str, ...], channel: str) -> bool:
    return channel in THIRD_PARTY_CHANNELS or not THIRD_PARTY.isdisjoint(codes)


class Kind(NamedTuple):
    """What an incident's (behaviours, channel, place) mean for the findings; worked out once per combination."""

    groups: tuple[str, ...]
    threat: bool
    presence: bool
    remote: bool
    turning_up: bool
    approach: bool
    harm: bool
    third: bool


def kind_of(codes: tuple[str, ...], channel: str, place: str) -> Kind:
    return Kind(
        tuple(sorted({c.split(".", 1)[0] for c in codes})),
        not THREATS.isdisjoint(codes),
        is_presence(codes, channel),
        is_remote(codes, channel),
        is_turning_up(codes, channel, place),
        is_approach_home_work(codes, channel, place),
        not DAMAGE_OR_VIOLENCE.isdisjoint(codes),
        is_third_party(codes, channel),
    )
