"""The PDF "incident log and evidence summary": one HTML document rendered by WeasyPrint to PDF/A-3b.

How it is built (see docs/ARCHITECTURE.md):

1. :func:`build_context` reads what the options select (``reports.options``): the incidents (decrypted one by one,
   every text through ``options.redact``), their exhibits, the case's crime references and orders; the pattern
   findings and charts come from ``insights.selectors.case_analysis`` (the one analysis the pattern page shows too),
   given the selected incidents; the behaviours are grouped under the examples of the Protection from Harassment Act
   1997 s2A(3) (``reports.law``); the impact entries come from ``reports.impact``.
2. The template ``reports/pdf/report.html`` turns that into HTML with Django's autoescaping, so markup typed in any
   field is printed as text. The stylesheet ``reports/pdfstyle/report.css`` sets the pages (A4, the case reference
   and "Page X of Y" in the margins on every page), the font fallback chain covering every script, and wrapping.
3. WeasyPrint lays it out and writes PDF/A-3b straight into ``out`` (through a writer that hashes and counts the
   bytes). Its URL fetcher refuses everything except ``data:`` URIs and the files of ``reports/pdfstyle``: a URL in
   a narrative can never make the server fetch anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote, urlparse

from django.template.loader import render_to_string

from cases.models import Case
from diary import taxonomy
from diary.models import Incident
from evidence import names
from evidence import selectors as evidence_selectors
from evidence.models import CONTINUITY_ACTIONS, CUSTODY, Exhibit, ExhibitLink
from insights import overview
from insights import selectors as insight_selectors
from insights import thresholds as T
from kernel import discretion, localtime
from kernel.sizes import size_with_bytes
from kernel.words import day_text, times, weekday_day
from reports import law
from reports.impact import EXPLANATION as IMPACT_EXPLANATION
from reports.impact import TITLE as IMPACT_TITLE
from reports.impact import gather_impact
from reports.options import ReportOptions, select_exhibits, select_incidents

log = logging.getLogger(__name__)
# WeasyPrint raises fontTools' logger to DEBUG while it subsets a font (to capture its warnings, which it logs again
# as its own); without this, every table of every font would also reach the root handler: noise, nothing useful.
logging.getLogger("fontTools").propagate = False

PDF_VARIANT = "pdf/a-3b"
STYLE_DIR = Path(__file__).resolve().parent / "pdfstyle"
TEMPLATE = "reports/pdf/report.html"
TITLE = "Incident log and evidence summary"
LANGUAGE = "en-GB"

Progress = Callable[[str, int, int], None]

CHANNEL_LABELS = dict(taxonomy.CHANNELS)
PLACE_LABELS = dict(taxonomy.LOCATION_KINDS)
CUSTODY_LABELS = dict(CUSTODY)


class EmptyReport(Exception):
    """The options select no incidents: there would be nothing to report (never an empty PDF)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    incidents: int
    exhibits: int
    sha256: str  # of the bytes written to ``out``
    size: int  # bytes written
    refused_urls: tuple[str, ...] = ()  # anything the document asked to fetch (always refused)


# ---------------------------------------------------------------- fetching nothing


class LocalOnlyFetcher:
    """A WeasyPrint URL fetcher that fetches nothing from outside: only ``data:`` URIs and files inside
    ``reports/pdfstyle``. Everything else is refused (and remembered, for the record and for tests)."""

    def __init__(self) -> None:
        self.refused: list[str] = []

    def __call__(self, url: str, timeout: int = 10, ssl_context: Any = None, http_headers: Any = None) -> dict[str, Any]:
        from weasyprint import default_url_fetcher  # noqa: PLC0415

        if url.startswith("data:"):
            return default_url_fetcher(url)
        if url.startswith("file:"):
            path = Path(unquote(urlparse(url).path)).resolve()
            if path.is_file() and path.is_relative_to(STYLE_DIR):
                return {"string": path.read_bytes(), "filename": path.name, "redirected_url": path.as_uri()}
        self.refused.append(url)
        raise ValueError(f"The report does not fetch anything from outside (refused: {url[:200]})")


# ---------------------------------------------------------------- writing and counting the bytes


class _HashingWriter:
    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)


class _PageProgress(logging.Handler):
    """Turns WeasyPrint's "Creating layout - Page N" log lines (for this thread only) into progress calls."""

    PAGE = re.compile(r"Creating layout - Page (\d+)")

    def __init__(self, progress: Progress, estimate: int) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.estimate = max(1, estimate)
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        m = self.PAGE.search(record.getMessage())
        if m:
            page = int(m.group(1))
            self.estimate = max(self.estimate, page)
            self.progress("Laying out the pages", page, self.estimate)


# ---------------------------------------------------------------- formatting


def date_text(day: dt.date | None) -> str:
    return weekday_day(day) if day else ""


def long_date(day: dt.date | None) -> str:
    return day_text(day) if day else ""


def moment_text(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    local = localtime.local(moment)
    return f"{local.day} {local:%B %Y} at {local:%H:%M} ({local:%Z})"


# The chronology's words for diary.taxonomy.TIME_PRECISIONS: a note's moment of writing is never called exact.
PRECISION_WORDS = {"exact": "Exact time", "approx": "Approximate time", "recorded": "Time of writing (time it happened not given)"}


def time_text(incident: Incident) -> tuple[str, str]:
    """(time, precision in words)."""
    local = localtime.local(incident.occurred_at)
    if incident.time_precision == "date":
        return "", "Time not known"
    start = f"{local:%H:%M}"
    if incident.ended_at:
        end = localtime.local(incident.ended_at)
        start += f" to {end:%H:%M}" if end.date() == local.date() else f" to {date_text(end.date())} {end:%H:%M}"
    return start, PRECISION_WORDS.get(incident.time_precision, "Approximate time")


def case_reference(case: Case, refs: list[dict[str, str]]) -> str:
    """The first crime reference number, else "Case" and the start of the case's id (never the service's name)."""
    for ref in refs:
        if ref["reference"]:
            return ref["reference"]
    return f"Case {str(case.uuid)[:8]}"


def _witness_lines(witnesses: Any, redact: Callable[[str], str]) -> list[str]:
    out = []
    for w in witnesses or []:
        if not isinstance(w, dict):
            text = str(w).strip()
        else:
            name, contact, saw = (str(w.get(k) or "").strip() for k in ("name", "contact", "saw"))
            text = name or "A witness"
            if contact:
                text += f" ({contact})"
            if saw:
                text += f": {saw}"
        if text:
            out.append(redact(text))
    return out


# ---------------------------------------------------------------- reading the case


@dataclass
class ReportData:
    context: dict[str, Any]
    incidents: int
    exhibits: int
    estimate_pages: int
    reference: str
    notes: list[str] = field(default_factory=list)


def _empty_message(case: Case, options: ReportOptions) -> str:
    if not Incident.objects.filter(case=case).exists():
        return "There are no incidents in this diary yet, so there is nothing to put in a report. Add an incident first, then make the report."
    chosen = []
    if options.date_from or options.date_to:
        chosen.append(f"dates from {long_date(options.date_from) or 'the first incident'} to {long_date(options.date_to) or 'the latest incident'}")
    if options.incident_numbers is not None:
        nums = law.number_ranges(options.incident_numbers)
        chosen.append(f"incident numbers {nums}" if nums else "no incidents ticked")
    what = " and ".join(chosen) or "the options you chose"
    return f"No incidents match what you chose ({what}), so there is nothing to put in a report. Choose a wider date range or other incidents."


def _exhibit_refs(case: Case, exhibits: list[Exhibit]) -> dict[int, list[str]]:
    """Incident id -> the references of its exhibits that are in the report."""
    by_pk = {e.pk: e.reference for e in exhibits}
    out: dict[int, list[str]] = {}
    for incident_id, exhibit_id in (
        ExhibitLink.objects.filter(case=case, exhibit_id__in=list(by_pk)).order_by("exhibit__number").values_list("incident_id", "exhibit_id")
    ):
        out.setdefault(incident_id, []).append(by_pk[exhibit_id])
    return out


def _exhibit_row(item: Exhibit, redact: Callable[[str], str], in_report: set[int], numbers_of: dict[int, list[int]]) -> dict[str, Any]:
    obtained = []
    if item.obtained_on:
        obtained.append(date_text(item.obtained_on) + (f" at {item.obtained_time:%H:%M}" if item.obtained_time else ""))
    if item.obtained_where:
        obtained.append(f"Where or how: {redact(item.obtained_where)}")
    if item.obtained_by:
        obtained.append(f"By: {redact(item.obtained_by)}")
    events = []
    for row in evidence_selectors.history(item):
        event = row["event"]
        if event.action not in ("sealed", *CONTINUITY_ACTIONS):
            continue
        when = date_text(event.happened_on) if event.happened_on else moment_text(event.recorded_at)
        detail = []
        cont = row["continuity"] or {}
        if isinstance(cont, dict):
            for key, label in (("to", "to"), ("officer", "officer"), ("reference", "reference"), ("location", "kept at"), ("notes", "notes")):
                if cont.get(key):
                    detail.append(f"{label}: {redact(str(cont[key]))}")
        text = f"{when}: {row['label']}"
        if event.action == "sealed":
            text = f"{moment_text(event.recorded_at)}: added to Daybook and sealed (hash recorded)"
        events.append(text + (" (" + "; ".join(detail) + ")" if detail else ""))
    linked = [n for n in numbers_of.get(item.pk, []) if n in in_report]
    return {
        "reference": redact(item.reference),
        "description": redact(item.description or ""),
        "is_file": item.is_file,
        "name": redact(names.display_name(item.original_name, fallback=f"exhibit-{item.number}")) if item.is_file else "",
        "size": size_with_bytes(item.size) if item.is_file and item.size is not None else "",
        "type": item.type_label if item.is_file else "Physical item",
        "sha256": item.sha256 if item.is_file else "",
        "obtained": obtained,
        "custody": CUSTODY_LABELS.get(item.custody, item.custody),
        "received": date_text(item.received_on) if item.received_on else "",
        "arrived_how": redact(item.arrived_how or "") if not item.is_file else "",
        "kept_where": redact(item.kept_where or "") if not item.is_file else "",
        "photo_of": item.photo_of.reference if item.photo_of_id and item.photo_of else "",
        "incidents": law.number_ranges(linked),
        "events": events,
    }


def build_context(case: Case, options: ReportOptions, *, generated_at: dt.datetime, progress: Progress | None = None) -> ReportData:
    """Everything the template prints, read and redacted. Raises :class:`EmptyReport` when nothing is selected."""
    report = progress or (lambda stage, done, total: None)
    redact = options.redact
    incidents = list(select_incidents(case, options))
    if not incidents:
        raise EmptyReport(_empty_message(case, options))
    total = len(incidents)
    report("Reading the diary", 0, total)
    for incident in incidents:
        incident.case = case

    refs = []
    for r in case.crime_references.all():
        r.case = case
        refs.append(
            {"reference": redact(r.reference or ""), "force": redact(r.force or ""), "officer": redact(r.officer or ""), "given_on": long_date(r.given_on)}
        )
    orders = []
    for o in case.orders.all():
        o.case = case
        orders.append(
            {
                "type": o.get_order_type_display(),
                "starts_on": long_date(o.starts_on),
                "ends_on": long_date(o.ends_on),
                "court": redact(o.court or ""),
                "conditions": redact(o.conditions or ""),
            }
        )
    reference = case_reference(case, refs)

    exhibits = select_exhibits(case, options)
    exhibit_refs = _exhibit_refs(case, exhibits)
    in_report = {i.number for i in incidents}
    numbers_of: dict[int, list[int]] = {}
    for exhibit_id, number in ExhibitLink.objects.filter(case=case).values_list("exhibit_id", "incident__number"):
        numbers_of.setdefault(exhibit_id, []).append(number)

    rows = []
    step = max(1, total // 20)
    for i, incident in enumerate(incidents, 1):
        when, precision = time_text(incident)
        local_day = localtime.local_day(incident.occurred_at)
        place = [PLACE_LABELS.get(incident.location_kind, "")] if incident.location_kind else []
        if incident.location:
            place.append(redact(incident.location))
        how = CHANNEL_LABELS.get(incident.channel, "") if incident.channel else ""
        if incident.how_many and incident.how_many > 1:
            how = f"{how}, {times(incident.how_many)}" if how else times(incident.how_many).capitalize()
        reported = []
        if incident.reported:
            line = "Reported"
            if incident.reported_on:
                line += f" on {date_text(incident.reported_on)}"
            if incident.report_how:
                line += f" ({redact(incident.report_how)})"
            reported.append(line)
            if incident.report_officer:
                reported.append(f"Officer: {redact(incident.report_officer)}")
        if incident.crime_reference_id and incident.crime_reference:
            cr = incident.crime_reference
            cr.case = case
            reported.append(f"Crime ref: {redact(cr.reference)}" + (f" ({redact(cr.force)})" if cr.force else ""))
        if incident.breached_order_id and incident.breached_order:
            reported.append(f"Breach of: {incident.breached_order}")
        rows.append(
            {
                "number": incident.number,
                "date": date_text(local_day),
                "time": when,
                "precision": precision,
                "place": place,
                "how": how,
                "description": redact(incident.description or ""),
                "behaviours": [taxonomy.label(c) for c in incident.behaviour_codes],
                "witnesses": _witness_lines(incident.witnesses, redact),
                "danger": incident.felt_in_danger,
                "reported": reported,
                # A quick note or an imported day never asked whether it was reported: "Not said", not "Not reported".
                "reported_not_said": not incident.reported and (incident.needs_detail or incident.reported is None),
                "exhibits": [redact(r) for r in exhibit_refs.get(incident.pk, [])],
                "retracted": incident.retracted,
                "retraction_reason": redact(incident.retraction_reason or "") if incident.retracted else "",
                "notes": redact(incident.notes or "") if options.include_private_notes else "",
                "quick": incident.needs_detail,
                "version": incident.version,
            }
        )
        if i % step == 0 or i == total:
            report("Writing the chronology", i, total)

    report("Working out the pattern", 0, 1)
    as_of = localtime.local_day(generated_at)
    analysis = insight_selectors.case_analysis(case, as_of, incidents=select_incidents(case, options))
    charts = overview.charts_for(analysis).all() if options.include_charts and analysis.total else []
    live = [(i.number, i.behaviour_codes) for i in incidents if not i.retracted]
    legal_groups, legal_other = law.group_by_s2a(live)
    report("Working out the pattern", 1, 1)

    exhibit_rows = []
    for j, item in enumerate(exhibits, 1):
        exhibit_rows.append(_exhibit_row(item, redact, in_report, numbers_of))
        report("Listing the exhibits", j, len(exhibits))

    from chain.verification import verify  # noqa: PLC0415

    check = verify(case, files=False)
    days = [localtime.local_day(i.occurred_at) for i in incidents]
    first_day, last_day = min(days), max(days)
    suspect = {
        "name": redact(case.suspect_name or ""),
        "aliases": redact(case.suspect_aliases or ""),
        "relationship": case.relationship_text,
        "description": redact(case.suspect_description or ""),
        "addresses": redact(case.suspect_addresses or ""),
        "vehicles": redact(case.suspect_vehicles or ""),
        "phones": redact(case.suspect_phones or ""),
        "accounts": redact(case.suspect_accounts or ""),
    }
    context = {
        "title": TITLE,
        "made_by": discretion.shown_name(),
        "language": LANGUAGE,
        "reference": reference,
        "generated": moment_text(generated_at),
        "person_name": redact(options.person_name.strip()),
        "person_contact": [] if options.redact_contact else [line.strip() for line in options.person_contact.splitlines() if line.strip()],
        "contact_withheld": options.redact_contact and bool(options.person_contact.strip()),
        "suspect": suspect,
        "covered_from": long_date(options.date_from or first_day),
        "covered_to": long_date(options.date_to or last_day),
        "first_day": long_date(first_day),
        "last_day": long_date(last_day),
        "selection": law.number_ranges(options.incident_numbers) if options.incident_numbers is not None else "",
        "refs": refs,
        "orders": orders,
        "incident_count": total,
        "retracted_count": (retracted := sum(1 for i in incidents if i.retracted)),
        "kept_count": total - retracted,
        "live_count": analysis.total,
        "exhibit_count": len(exhibits),
        "include_notes": options.include_private_notes,
        "a": analysis,
        "period": overview.period_text(analysis),
        "findings": analysis.findings,
        "silent": [c for c in analysis.checks if not c.found],
        "not_prediction": T.NOT_PREDICTION,
        "course_threshold": T.COURSE_OF_CONDUCT,
        "charts": charts,
        "statute": law.s2a(),
        "legal_groups": legal_groups,
        "legal_other": legal_other,
        "rows": rows,
        "impact": gather_impact(case, options, incidents),
        "impact_title": IMPACT_TITLE,
        "impact_explanation": IMPACT_EXPLANATION,
        "exhibits": exhibit_rows,
        "chain_head": case.chain_head,
        "chain_seq": case.chain_seq,
        "chain_ok": check.ok,
        "chain_entries": check.entries,
        "chain_problem": check.problem,
        "case_uuid": str(case.uuid),
        "case_id": case.pk,
    }
    estimate = 4 + len(charts) // 2 + total // 6 + len(exhibits) // 4 + len(context["impact"]) // 12
    return ReportData(context, total, len(exhibits), estimate, reference)


# ---------------------------------------------------------------- rendering


def render_html(data: ReportData) -> str:
    return render_to_string(TEMPLATE, data.context)


def write_html_pdf(
    html: str, out: BinaryIO, *, fetcher: LocalOnlyFetcher | None = None, progress: Progress | None = None, estimate: int = 1
) -> tuple[int, str, int, LocalOnlyFetcher]:
    """Lay out ``html`` with the report's stylesheet and write PDF/A to ``out``: (pages, sha256, size, fetcher)."""
    from weasyprint import CSS, HTML  # noqa: PLC0415
    from weasyprint.logger import PROGRESS_LOGGER  # noqa: PLC0415

    fetcher = fetcher or LocalOnlyFetcher()
    handler = None
    if progress is not None:
        handler = _PageProgress(progress, estimate)
        PROGRESS_LOGGER.addHandler(handler)
        if PROGRESS_LOGGER.level == logging.NOTSET or PROGRESS_LOGGER.level > logging.INFO:
            PROGRESS_LOGGER.setLevel(logging.INFO)
    try:
        stylesheet = CSS(filename=str(STYLE_DIR / "report.css"), url_fetcher=fetcher)
        document = HTML(string=html, base_url=STYLE_DIR.as_uri() + "/", url_fetcher=fetcher).render(stylesheets=[stylesheet])
    finally:
        if handler is not None:
            PROGRESS_LOGGER.removeHandler(handler)
    pages = len(document.pages)
    if progress is not None:
        progress("Writing the PDF file", 0, 1)
    writer = _HashingWriter(out)
    document.write_pdf(writer, pdf_variant=PDF_VARIANT)
    if progress is not None:
        progress("Writing the PDF file", 1, 1)
    return pages, writer.hash.hexdigest(), writer.size, fetcher


def render_pdf(case: Case, options: ReportOptions, out: BinaryIO, *, generated_at: dt.datetime, progress: Progress | None = None) -> PdfInfo:
    """Write the incident log and evidence summary for ``case`` as PDF/A into ``out``.

    Raises :class:`EmptyReport` (with a sentence for the person) when the options select no incidents."""
    data = build_context(case, options, generated_at=generated_at, progress=progress)
    html = render_html(data)
    pages, digest, size, fetcher = write_html_pdf(html, out, progress=progress, estimate=data.estimate_pages)
    if fetcher.refused:
        log.warning("report for case %s: %d fetches refused", case.pk, len(fetcher.refused))
    return PdfInfo(pages=pages, incidents=data.incidents, exhibits=data.exhibits, sha256=digest, size=size, refused_urls=tuple(fetcher.refused))
