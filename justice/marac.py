"""The MARAC (and MASIP) referral data set (anchors 7.3) and its PDF, made with the police report's machinery
(reports.pdf.write_html_pdf: WeasyPrint, PDF/A, nothing fetched from outside).

What the client record already holds (name, date of birth, area, safe contact, language and interpreter, the
crime references and officers of its referrals, the latest DASH) is read from it; the rest is the caseworker's,
entered with the referral (:data:`FIELDS`) and sealed with it. The perpetrator must not be told: the form says so.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from casework.models import Client, Referral
from justice.models import Assessment, Onward, OnwardKind
from justice.risk import DASH_MARAC_TICKS, repeat_within_year
from justice.rules import clean_text
from reports.pdf import write_html_pdf

# The caseworker's part of the data set: (key, label, limit).
FIELDS: list[tuple[str, str, int]] = [
    ("aliases", "Victim's aliases", 200),
    ("address", "Victim's address (it decides which MARAC hears the case)", 400),
    ("diversity", "Diversity information the person chose to give", 400),
    ("gp", "GP", 200),
    ("pregnancy", "Pregnancy", 100),
    ("housing", "Housing and landlord", 300),
    ("perpetrator_name", "Perpetrator's name", 200),
    ("perpetrator_aliases", "Perpetrator's aliases", 200),
    ("perpetrator_dob", "Perpetrator's date of birth", 40),
    ("perpetrator_address", "Perpetrator's address", 400),
    ("relationship", "Relationship to the victim", 100),
    ("children", "Children (names, dates of birth, whether they live with the victim, whether they are the perpetrator's)", 1500),
    ("incident", "Incident summary: what, when, where, injuries, reported to the police?", 3000),
    ("agencies", "Other agencies involved", 1000),
    ("wants", "What the person wants from the meeting, in their words", 1500),
]
REASONS = {
    "visible_high_risk": f"Visible high risk ({DASH_MARAC_TICKS} or more DASH ticks)",
    "escalation": "Potential escalation (as the local protocol defines it)",
    "professional_judgement": "Professional judgement",
    "honour": "Honour-based abuse",
    "repeat": "Repeat: a new incident within twelve months of the last MARAC",
}


def clean_detail(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, label, limit in FIELDS:
        out[key] = clean_text(str(raw.get(key, "")), label.lower(), limit=limit)
    out["reasons"] = [r for r in raw.get("reasons", []) if r in REASONS]
    out["victim_aware"] = raw.get("victim_aware") if raw.get("victim_aware") in ("yes", "no") else ""
    return out


@dataclass(frozen=True)
class MadePdf:
    data: bytes
    pages: int
    sha256: str


def _surname_first(name: str) -> str:
    parts = name.split()
    if len(parts) < 2:
        return name.upper()
    return f"{parts[-1].upper()}, {' '.join(parts[:-1])}"


def context(onward: Onward, referrer: str) -> dict[str, Any]:
    client: Client = onward.client
    dash = Assessment.objects.filter(client=client, instrument="dash-2009").order_by("-at").first()
    police = [
        {"crime_reference": r.crime_reference, "officer": r.officer, "force": r.force}
        for r in Referral.objects.filter(client=client).order_by("received_at")
        if r.crime_reference or r.officer
    ]
    detail = onward.detail or {}
    return {
        "onward": onward,
        "meeting": "MARAC" if onward.kind == OnwardKind.MARAC else "stalking panel (MASIP)",
        "client": client,
        "name": _surname_first(client.full_name or ""),
        "detail": detail,
        "fields": [(label, detail.get(key, "")) for key, label, _ in FIELDS],
        "reasons": [REASONS[r] for r in detail.get("reasons", [])],
        "dash": dash,
        "dash_ticks": dash.yes_count if dash else None,
        "repeat": repeat_within_year(client),
        "police": police,
        "safe": client.safe_contact or {},
        "referrer": referrer,
        "organisation": client.organisation.name,
        "made_at": timezone.localtime(),
    }


def render(onward: Onward, referrer: str) -> MadePdf:
    html = render_to_string("justice/pdf/marac.html", context(onward, referrer))
    out = io.BytesIO()
    pages, digest, _size, _fetcher = write_html_pdf(html, out)
    return MadePdf(out.getvalue(), pages, digest)
