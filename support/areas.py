"""Find local services by where someone lives: a town, council or county name, or a postcode district (issue 13,
item 7). The directory is data (support/data/areas.json): each area with its nation, its postcode districts, the
contacts (by slug) that serve it, its source and its checked-on date. Administrators' notes in it are never shown.

Nothing typed here is stored: the search is a GET on the help page and the server logs record paths only."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from support.models import NATIONS

DATA = Path(__file__).resolve().parent / "data" / "areas.json"
MAX_QUERY = 60

# A full postcode or just its outward part ("DE22 1AB", "de22", "G1"): area letters, then the district.
POSTCODE = re.compile(r"^(?P<area>[A-Z]{1,2})(?P<district>[0-9][0-9A-Z]?)(?P<inward>[0-9][A-Z]{2})?$")


@dataclass(frozen=True)
class Area:
    name: str
    kind: str
    nation: str
    also_called: tuple[str, ...]
    postcode_districts: tuple[str, ...]
    contacts: tuple[str, ...]
    source: str
    checked_on: dt.date | None
    checker_notes: str = ""

    @property
    def nation_name(self) -> str:
        return NATIONS.get(self.nation, "")

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.also_called)


@dataclass
class Directory:
    areas: tuple[Area, ...]
    postcode_nations: dict[str, str]  # postcode area letters -> nation, only areas wholly in one nation
    postcode_source: str
    postcode_checked_on: dt.date | None


@dataclass
class AreaSearch:
    """What a search found: matching areas (each with its local contacts' slugs) and the nation it points to."""

    query: str = ""
    areas: list[Area] = field(default_factory=list)
    nation: str = ""
    postcode_district: str = ""
    problem: str = ""

    @property
    def nation_name(self) -> str:
        return NATIONS.get(self.nation, "")

    @property
    def contact_slugs(self) -> list[str]:
        seen: list[str] = []
        for area in self.areas:
            seen += [slug for slug in area.contacts if slug not in seen]
        return seen


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@cache
def directory() -> Directory:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    areas = tuple(
        Area(
            name=a["name"],
            kind=a["kind"],
            nation=a["nation"],
            also_called=tuple(a.get("also_called", ())),
            postcode_districts=tuple(d.upper() for d in a.get("postcode_districts", ())),
            contacts=tuple(a.get("contacts", ())),
            source=a["source"],
            checked_on=_date(a.get("checked_on")),
            checker_notes=a.get("checker_notes", ""),
        )
        for a in raw["areas"]
    )
    postcodes = raw["postcode_areas"]
    nations = {letters: nation for nation, areas_ in postcodes["nations"].items() for letters in areas_}
    return Directory(areas, nations, postcodes["source"], _date(postcodes.get("checked_on")))


def _fold(text: str) -> str:
    """Case, accents, punctuation and spacing do not matter: "Perth & Kinross" finds "Perth and Kinross"."""
    text = unicodedata.normalize("NFKD", text).casefold().replace("&", " and ")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def find_area(query: str) -> AreaSearch:
    """Areas matching a place name or postcode district. An empty query finds nothing and is not a problem."""
    query = " ".join((query or "").split())
    search = AreaSearch(query=query)
    if not query:
        return search
    if len(query) > MAX_QUERY:
        search.problem = f"Type a town, council or postcode district of up to {MAX_QUERY} characters."
        search.query = query[:MAX_QUERY]
        return search
    book = directory()
    compact = re.sub(r"\s+", "", query).upper()
    postcode = POSTCODE.match(compact)
    if postcode:
        district = postcode["area"] + postcode["district"]
        search.postcode_district = district
        search.areas = [a for a in book.areas if district in a.postcode_districts]
        search.nation = book.postcode_nations.get(postcode["area"], "")
        if not search.nation and search.areas:
            search.nation = search.areas[0].nation
        return search
    folded = _fold(query)
    if len(folded) < 2:
        search.problem = "Type at least two letters of a town, council or county, or a postcode district such as DE22."
        return search
    exact = [a for a in book.areas if any(_fold(n) == folded for n in a.names())]
    partial = [a for a in book.areas if a not in exact and any(folded in _fold(n) for n in a.names())]
    search.areas = exact + partial
    nations = {a.nation for a in search.areas}
    for code, name in NATIONS.items():
        if _fold(name) == folded:
            nations = {code}
    if len(nations) == 1:
        search.nation = nations.pop()
    return search
