"""What a report covers: the options the person chooses, and the incidents they select.

One place for the rule "which incidents are in this report" so the PDF, the manifest and the bundle always agree.
Retracted incidents in range are always included (shown as retracted, never silently dropped).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import QuerySet

from cases.models import Case
from diary.models import Incident
from kernel import localtime

REDACTED = "[withheld]"


@dataclass(frozen=True)
class ReportOptions:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    # None: every incident in the date range. Otherwise only these incident numbers (still within the range).
    incident_numbers: tuple[int, ...] | None = None
    # The person's own details, as they choose to give them, for the cover. Never stored in clear.
    person_name: str = ""
    person_contact: str = ""  # address, phone, e-mail: free text, one per line
    redact_contact: bool = False  # leave person_contact off and withhold it wherever it appears in the text
    include_private_notes: bool = False
    include_charts: bool = True
    extra_redactions: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_from"] = self.date_from.isoformat() if self.date_from else None
        data["date_to"] = self.date_to.isoformat() if self.date_to else None
        data["incident_numbers"] = list(self.incident_numbers) if self.incident_numbers is not None else None
        data["extra_redactions"] = list(self.extra_redactions)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ReportOptions:
        numbers = data.get("incident_numbers")
        return cls(
            date_from=dt.date.fromisoformat(data["date_from"]) if data.get("date_from") else None,
            date_to=dt.date.fromisoformat(data["date_to"]) if data.get("date_to") else None,
            incident_numbers=tuple(int(n) for n in numbers) if numbers is not None else None,
            person_name=data.get("person_name") or "",
            person_contact=data.get("person_contact") or "",
            redact_contact=bool(data.get("redact_contact")),
            include_private_notes=bool(data.get("include_private_notes")),
            include_charts=bool(data.get("include_charts", True)),
            extra_redactions=tuple(data.get("extra_redactions") or ()),
        )

    def redaction_terms(self) -> list[str]:
        """Strings to withhold wherever they appear: each line of the person's contact details (when redacting)."""
        terms: list[str] = []
        if self.redact_contact:
            terms += [line.strip() for line in self.person_contact.splitlines() if len(line.strip()) >= 3]
        terms += [t.strip() for t in self.extra_redactions if len(t.strip()) >= 3]
        return sorted(set(terms), key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Withholds every redaction term (case-insensitive) in ``text``."""
        terms = self.redaction_terms()
        if not terms or not text:
            return text
        pattern = re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)
        return pattern.sub(REDACTED, text)


def select_incidents(case: Case, options: ReportOptions) -> QuerySet[Incident]:
    """The incidents a report covers, oldest first, retracted ones included (they are shown as retracted)."""
    qs = Incident.objects.filter(case=case)
    if options.date_from:
        qs = qs.filter(occurred_at__gte=localtime.day_start(options.date_from))
    if options.date_to:
        qs = qs.filter(occurred_at__lt=localtime.day_bounds(options.date_to)[1])
    if options.incident_numbers is not None:
        qs = qs.filter(number__in=list(options.incident_numbers))
    return qs.select_related("crime_reference", "breached_order").order_by("occurred_at", "number")


def select_exhibits(case: Case, options: ReportOptions) -> list[Any]:
    """The exhibits a report covers, by number: those linked to any selected incident (retracted ones included),
    and, unless particular incidents were chosen, those linked to no incident that were obtained (or, with no date,
    added) within the date range. The PDF's exhibit index and the bundle use this one rule."""
    from django.db.models import Q  # noqa: PLC0415

    from evidence.models import Exhibit  # noqa: PLC0415

    wanted = Q(links__incident__in=select_incidents(case, options).values("pk"))
    if options.incident_numbers is None:
        loose = Q(links__isnull=True)
        if options.date_from:
            start = localtime.day_start(options.date_from)
            loose &= Q(obtained_on__gte=options.date_from) | Q(obtained_on__isnull=True, created_at__gte=start)
        if options.date_to:
            end = localtime.day_bounds(options.date_to)[1]
            loose &= Q(obtained_on__lte=options.date_to) | Q(obtained_on__isnull=True, created_at__lt=end)
        wanted |= loose
    ids = Exhibit.objects.filter(case=case).filter(wanted).values("pk")
    rows = list(Exhibit.objects.filter(pk__in=ids).select_related("original", "photo_of").order_by("number"))
    for row in rows:
        row.case = case
    return rows
