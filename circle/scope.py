"""What a share covers, as data: the person's choices, checked the same way whoever asks (a form, a code)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from circle.models import EvidenceScope


@dataclass(frozen=True)
class Scope:
    diary: bool = True
    diary_from: dt.date | None = None
    evidence: str = EvidenceScope.NONE
    reports: bool = False
    screening: bool = False

    def check(self) -> dict[str, str]:
        """{field: the person's words} for each problem."""
        errors: dict[str, str] = {}
        if self.evidence not in EvidenceScope.values:
            errors["evidence"] = "Choose one of the options"
        if not (self.diary or self.evidence != EvidenceScope.NONE or self.reports or self.screening):
            errors["diary"] = "Choose at least one thing to share"
        if self.diary_from and self.diary_from > dt.date.today() + dt.timedelta(days=1):
            errors["diary_from"] = "The start date cannot be in the future"
        return errors

    def words(self) -> list[str]:
        """The scope in the person's words, one line each."""
        out = []
        if self.diary:
            out.append(f"Your diary from {self.diary_from:%-d %B %Y}" if self.diary_from else "Your whole diary")
        if self.evidence == EvidenceScope.DESCRIPTIONS:
            out.append("The descriptions of your evidence (not the files)")
        elif self.evidence == EvidenceScope.FILES:
            out.append("Your evidence: descriptions and the files")
        if self.reports:
            out.append("Your reports")
        if self.screening:
            out.append("Your pattern page and screening")
        return out

    def within(self, other: Scope) -> bool:
        """True when this scope gives nothing that ``other`` does not (narrowing)."""
        order = [EvidenceScope.NONE, EvidenceScope.DESCRIPTIONS, EvidenceScope.FILES]
        if self.diary and not other.diary:
            return False
        if self.diary and other.diary_from and (self.diary_from is None or self.diary_from < other.diary_from):
            return False
        return (
            order.index(EvidenceScope(self.evidence)) <= order.index(EvidenceScope(other.evidence))
            and (other.reports or not self.reports)
            and (other.screening or not self.screening)
        )


def scope_of(row: object) -> Scope:
    """The scope a share (or what a link code asks for) holds."""
    return Scope(
        diary=row.diary,
        diary_from=getattr(row, "diary_from", None),
        evidence=row.evidence,
        reports=row.reports,
        screening=row.screening,
    )
