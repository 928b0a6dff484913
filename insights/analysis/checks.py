"""The sixteen findings Daybook looks for, in the order the page lists them, each with what it means when it is
not found (shown, so that silence is explained)."""

from __future__ import annotations

from collections.abc import Iterable

from insights.analysis.codes import DOMESTIC
from insights.analysis.inputs import OrderInfo
from insights.analysis.results import Check, Finding
from kernel import night

CHECKS = [
    ("course_of_conduct", "A course of conduct", "Fewer than two incidents are recorded."),
    ("duration", "Going on for more than two weeks", "The incidents recorded so far span two weeks or less."),
    ("escalation_frequency", "Happening more often", "The last 14 days do not show at least twice the usual number of incidents."),
    (
        "escalation_seriousness",
        "Getting more serious",
        "No first threat, first approach to your home, workplace or place of study, damage, violence or move to turning "
        "up in person after earlier, less serious incidents.",
    ),
    ("threats", "Threats", "No threats to you or to others are recorded."),
    ("suicide_threats", "Threats of suicide", "No threats by them to harm or kill themselves are recorded."),
    ("danger", "You felt in danger", "No incident is marked 'I felt in danger'."),
    (
        "frequent_visits",
        "Turning up more than three times a week",
        "No week has them turning up more than three times (visits, or being seen at your home, work or place of study).",
    ),
    ("third_parties", "Other people drawn in", "No contact through, or harm to, other people is recorded."),
    ("breaches", "Orders broken", "No incident is marked as breaking an order."),
    ("during_order", "Incidents while an order was in force", "No unmarked incident falls while a recorded order was in force."),
    ("night", "Night-time contact", f"Fewer than two incidents {night.WORDS}."),
    ("bursts", "Bursts of contact", "No hour with 10 or more contacts."),
    ("repeat_domestic", "Repeated incidents in a year (partner, ex-partner or family)", "Fewer than three incidents in the last 12 months."),
    (
        "imported_night",
        "Imported messages and calls at night",
        f"Fewer than two of the imported messages and calls came {night.WORDS}.",
    ),
    (
        "imported_bursts",
        "Bursts of imported messages or calls",
        "No 10 imported messages within 10 minutes, and no 5 imported calls within 30 minutes.",
    ),
]

TITLES = {key: title for key, title, _ in CHECKS}


def checks_for(findings: Iterable[Finding], *, relationship: str, orders: Iterable[OrderInfo], has_imports: bool) -> list[Check]:
    """Every check that applies to this case, found or not: repeated incidents in a year only for a partner,
    ex-partner or family member; incidents during an order only when an order has dates; imported contact only when
    something was imported."""
    fired = {f.key for f in findings}
    dated_orders = any(o.starts_on for o in orders)
    return [
        Check(key, title, key in fired, silent)
        for key, title, silent in CHECKS
        if (key != "repeat_domestic" or relationship in DOMESTIC)
        and (key != "during_order" or dated_orders)
        and (not key.startswith("imported_") or has_imports)
    ]
