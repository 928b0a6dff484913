"""What to do next, after a screening or the FOUR check. Phone numbers come from support.models.Contact
(data with a source and a checked-on date, editable in the admin), never from code or templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from support.models import Contact

EMERGENCY = "police-999"
NON_EMERGENCY = "police-101"
HELPLINE = "national-stalking-helpline"
ADVOCACY = "paladin"


@dataclass
class Step:
    key: str
    title: str
    text: str
    contact: Contact | None = None
    extra: list[str] = field(default_factory=list)
    emphasis: bool = False


def contacts() -> dict[str, Contact]:
    return {c.slug: c for c in Contact.objects.filter(slug__in=[EMERGENCY, NON_EMERGENCY, HELPLINE, ADVOCACY])}


def steps(*, high_risk: bool, high_risk_reasons: list[str] | None = None, crime_references: list[Any] | None = None, for_case: bool = True) -> list[Step]:
    """The next steps, always including 999, reporting with one crime reference, the National Stalking Helpline,
    asking the police for a stalking risk assessment and specialist advocacy for high risk."""
    c = contacts()
    refs = [r.reference for r in (crime_references or []) if getattr(r, "reference", "")]
    out = [
        Step(
            "emergency",
            "If you are in danger now, call 999",
            "Call even if you are not sure it is an emergency. From a mobile, if you cannot speak: stay on the line, cough or tap, "
            "then press 55 when a recorded voice asks you to.",
            c.get(EMERGENCY),
            emphasis=True,
        ),
        Step(
            "report",
            "Report every incident to the police, with the same crime reference number",
            "Call 101 or report online with your local police force. Each time you report, give the crime reference number you "
            "were given the first time, so that the police see one course of conduct and not separate events.",
            c.get(NON_EMERGENCY),
            extra=[f"Your crime reference number: {ref}" for ref in refs]
            or [
                "When you first report, ask for the crime reference number and note it in Daybook."
                if for_case
                else "When you first report, ask for the crime reference number and keep it."
            ],
        ),
        Step(
            "helpline",
            "Talk to the National Stalking Helpline",
            "Free advice on the law, reporting, keeping evidence and staying safe.",
            c.get(HELPLINE),
        ),
        Step(
            "assessment",
            "Ask the police for a stalking risk assessment",
            "Ask the officer to go through the stalking risk checklist with you (forces use one called the S-DASH). "
            + ("Take the printed summary of this screening with you." if for_case else "Take your diary or notes with you."),
        ),
        Step(
            "advocacy",
            "Specialist stalking advocacy",
            (
                "Specialist stalking advocates support people at high risk of serious harm: with the police and courts, safety "
                "planning and emotional support. Ask the police or the helpline to refer you."
                if high_risk
                else "If the police or the helpline assess your risk as high, specialist stalking advocates can support you: with the "
                "police and courts, safety planning and emotional support."
            ),
            c.get(ADVOCACY),
            extra=[f"Why this may apply to you: {', '.join(r.lower() for r in high_risk_reasons)}."] if high_risk and high_risk_reasons else [],
            emphasis=high_risk,
        ),
    ]
    return out
