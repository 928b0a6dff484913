"""What the staff home page shows beyond the menu. Apps above this one (casework) register a function that
returns notices for a member, so organisations/ never imports them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from organisations.access import Staff


@dataclass(frozen=True)
class Notice:
    words: str
    url: str
    urgent: bool = False


PANELS: list[Callable[[Staff], list[Notice]]] = []


def register(panel: Callable[[Staff], list[Notice]]) -> None:
    if panel not in PANELS:
        PANELS.append(panel)


def notices(staff: Staff) -> list[Notice]:
    return [n for panel in PANELS for n in panel(staff)]
