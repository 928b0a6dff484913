"""One analysis for the pattern page and the PDF report: the same function, the same loader, the same figures.

The report passes its selection of incidents to ``insights.selectors.case_analysis``; the imported night-time and
burst findings are then limited to the selected days."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.utils import timezone

from cases.services import save_order
from diary.models import Incident
from diary.services import retract_incident
from insights import clear_columns, selectors, synthetic
from insights.analysis import analyse
from reports.options import ReportOptions, select_incidents
from reports.pdf import build_context
from tests.test_imports_flow import HIM, chat, do_import

NIGHTS_AND_BURST = [(f"07/01/2024 02:{m:02d}", HIM, f"Awake {m}") for m in range(12)]  # 12 at night within 12 minutes
NIGHTS_AND_BURST += [("20/01/2024 03:00", HIM, "Still up?"), ("21/01/2024 04:00", HIM, "Answer")]


def _busy_case(case, owner) -> None:  # noqa: ANN001
    """Incidents that fire most findings (threats, visits, bursts, night, escalation, an order), a retraction, and an
    import whose night-time messages and burst fall on three day incidents."""
    order = save_order(case, owner, None, order_type="restraining", starts_on=timezone.localdate() - dt.timedelta(days=30))
    written = synthetic.escalating_case().write(case, owner, order=order)
    retract_incident(written[3], owner, "Not him")
    job = do_import(case, owner, chat(NIGHTS_AND_BURST))
    assert job.status == "done", job.error


def test_the_pattern_page_and_the_pdf_get_the_same_analysis(case, owner, owner_client):
    _busy_case(case, owner)
    with mock.patch("insights.selectors.case_analysis", wraps=selectors.case_analysis) as spy:
        page = owner_client.get(f"/cases/{case.pk}/pattern/").context["a"]
        report = build_context(case, ReportOptions(), generated_at=timezone.now()).context["a"]
    assert spy.call_count == 2  # one function serves both
    assert report == page  # every count, chart figure, finding, check, fact and bucket
    assert page.retracted == 1 and {"threats", "imported_night", "imported_bursts", "during_order"} <= page.keys


def test_a_reports_selection_is_analysed_like_the_same_incidents_read_through_the_orm(case, owner):
    _busy_case(case, owner)
    today = timezone.localdate()
    chosen = sorted(Incident.objects.filter(case=case).values_list("number", flat=True))[::2]  # every other incident
    for options in (
        ReportOptions(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 1, 20)),  # the import's first days only
        ReportOptions(incident_numbers=tuple(chosen)),
        ReportOptions(date_from=today - dt.timedelta(days=20)),
    ):
        selected = select_incidents(case, options)
        # The reference: the selection's values as the ORM converts them, the imports limited to its numbers.
        loaded = clear_columns.from_rows(selected.values_list(*clear_columns.COLUMNS))
        imported = clear_columns.load_imported(case).only(set(selected.values_list("number", flat=True)))
        expected = analyse(
            loaded.facts,
            as_of=today,
            relationship=case.relationship,
            retracted=loaded.retracted,
            orders=selectors.orders_of(case),
            imported=imported,
        )
        got = selectors.case_analysis(case, today, incidents=selected)
        assert got == expected, options
        assert build_context(case, options, generated_at=timezone.now()).context["a"] == expected, options

    whole = selectors.case_analysis(case, today)
    january = selectors.case_analysis(case, today, incidents=select_incidents(case, ReportOptions(date_to=dt.date(2024, 1, 10))))
    seventh = january.facts[0].number  # the day incident of 7 January, the only one selected
    assert len(whole.finding("imported_night").numbers) == 3
    assert january.finding("imported_night").numbers == [seventh]  # 20 and 21 January are left out
    assert january.finding("imported_bursts").numbers == [seventh]


def test_a_selection_never_reaches_another_cases_incidents(case, owner, stranger):
    from cases.services import create_case  # noqa: PLC0415
    from tests.factories import make_incident  # noqa: PLC0415

    other = create_case(stranger, label="X", relationship="stranger")
    make_incident(other, stranger, behaviours=["THRT.KILL"])
    make_incident(case, owner)
    assert selectors.case_analysis(case, incidents=Incident.objects.all()).total == 1
