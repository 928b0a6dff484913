"""Reads for insights: the analysis of a case (computed on read, so it always matches the diary) and screenings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from cases.models import Case
from cases.policy import child_or_404
from diary.models import Incident
from insights import clear_columns, instruments
from insights.analysis import Analysis, OrderInfo, analyse
from insights.models import Screening
from kernel import localtime


def orders_of(case: Case) -> list[OrderInfo]:
    return [
        OrderInfo(o.pk, o.get_order_type_display(), o.starts_on, o.ends_on) for o in case.orders.only("id", "order_type", "starts_on", "ends_on", "case_id")
    ]


def case_analysis(case: Case, as_of: dt.date | None = None, *, incidents: QuerySet[Incident] | None = None) -> Analysis:
    """The whole analysis of ``case``, for the pattern page, the screenings and the PDF report alike: one query for
    the incidents (no decryption), one for the orders, and the imported messages' flags.

    ``incidents``: only these incidents of the case (a report's selection, retracted ones counted as retracted); the
    imported night-time and burst findings are then limited to the selected incidents' days. ``as_of``: the day the
    analysis looks back from (today by default).

    Computed on every read, so an edit, a retraction or an incident entered late shows at once."""
    loaded = clear_columns.load(case, incidents)
    imported = clear_columns.load_imported(case)
    if incidents is not None:
        imported = imported.only({f.number for f in loaded.facts})
    return analyse(
        loaded.facts,
        as_of=as_of or localtime.today(),
        relationship=case.relationship,
        retracted=loaded.retracted,
        orders=orders_of(case),
        imported=imported,
    )


def screenings(case: Case, instrument: str | None = None) -> list[Screening]:
    qs = Screening.objects.filter(case=case)
    if instrument:
        qs = qs.filter(instrument=instrument)
    out = list(qs.order_by("-created_at", "-id"))
    for s in out:
        s.case = case
    return out


def screening(case: Case, uuid: str) -> Screening:
    """The case's screening, or Http404."""
    return child_or_404(Screening, case, uuid=uuid)


def previous(screening: Screening) -> Screening | None:
    """The screening with the same instrument made just before this one."""
    found = (
        Screening.objects.filter(case=screening.case, instrument=screening.instrument, created_at__lt=screening.created_at)
        .order_by("-created_at", "-id")
        .first()
    )
    if found is not None:
        found.case = screening.case
    return found


@dataclass
class HistoryRow:
    question: instruments.Question
    cells: list[str]  # "yes" / "no" / "unknown" / "" (not asked), oldest first
    changed: bool


@dataclass
class History:
    instrument: instruments.Instrument
    screenings: list[Screening]  # oldest first
    rows: list[HistoryRow]


HISTORY_COLUMNS = 6


def history(case: Case) -> list[History]:
    """For each instrument used, the answers of the latest screenings side by side (oldest first)."""
    out = []
    for inst in instruments.all_instruments():
        kept = screenings(case, inst.id)[:HISTORY_COLUMNS]
        if not kept:
            continue
        kept.reverse()
        rows = []
        for q in inst.questions:
            cells = [s.answers.get(q.id, "") for s in kept]
            given = [c for c in cells if c]
            rows.append(HistoryRow(q, cells, len(set(given)) > 1))
        out.append(History(inst, kept, rows))
    return out
