"""Unanswered is not "no": a question the person never answered (an imported day, a quick note, a radio left empty)
is shown as "Not said" on the page, in the PDF report and in the pattern's counts, never as "No" or "Not reported"."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

from django.utils import timezone

from diary.forms import IncidentForm
from diary.models import Incident
from diary.services import IncidentData
from insights import selectors
from reports.options import ReportOptions
from reports.pdf import render_pdf
from tests.factories import make_incident
from tests.test_imports_flow import HIM, chat, do_import


def _pdf_text(case) -> str:  # noqa: ANN001
    out = io.BytesIO()
    render_pdf(case, ReportOptions(), out, generated_at=timezone.now())
    return " ".join(subprocess.run(["pdftotext", "-", "-"], input=out.getvalue(), capture_output=True, check=True).stdout.decode().split())


def _row(page: str, key: str) -> str:
    start = page.index(f'<dt class="govuk-summary-list__key">{key}</dt>')
    return page[start : page.index("</dd>", start)]


def test_an_imported_day_says_not_said_on_its_page_and_in_the_report(case, owner, owner_client):
    do_import(case, owner, chat([("07/01/2024 10:00", HIM, "Hello"), ("07/01/2024 10:05", HIM, "Answer")]))
    [day] = Incident.objects.filter(case=case)
    assert day.felt_in_danger is None and day.reported is None
    page = owner_client.get(f"/cases/{case.pk}/incidents/{day.number}/").content.decode()
    assert "Not said" in _row(page, "I felt in danger") and ">No<" not in _row(page, "I felt in danger")
    assert "Not said" in _row(page, "Reported") and ">No<" not in _row(page, "Reported")

    text = _pdf_text(case)
    assert "Not said" in text and not re.search(r"Not reported(?! yet)", text)  # the row says "Not said"
    assert "not reported yet: 0; not said: 1" in text


def test_the_not_reported_count_leaves_out_notes_never_asked(case, owner, owner_client):
    make_incident(case, owner, days_ago=3, reported=False, felt_in_danger=False)  # answered "no"
    make_incident(case, owner, days_ago=2, reported=True)
    owner_client.post(
        f"/cases/{case.pk}/quick/", {"description": "He was at the gate", "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(), "time": "10:00"}
    )
    quick = Incident.objects.get(case=case, needs_detail=True)
    assert quick.felt_in_danger is None and quick.reported is None  # the box not ticked says nothing
    a = selectors.case_analysis(case)
    assert (a.reported, a.unreported, a.reported_not_said) == (1, 1, 1)
    page = owner_client.get(f"/cases/{case.pk}/pattern/").content.decode()
    assert "1 reported, 1 not reported yet, 1 not said" in page
    assert "Reported to the police: 1; not reported yet: 1; not said: 1" in _pdf_text(case)


def test_a_legacy_quick_note_saved_as_false_is_not_said(case, owner):
    note = make_incident(case, owner, reported=False)
    Incident.objects.filter(pk=note.pk).update(needs_detail=True)  # as quick notes were stored before
    note.refresh_from_db()
    a = selectors.case_analysis(case)
    assert a.unreported == 0 and a.reported_not_said == 1
    assert IncidentForm.initial_from(IncidentData.from_incident(note))["reported"] is None  # nothing chosen for them


def test_the_full_form_leaves_danger_unanswered_and_never_preselects(case, owner, owner_client):
    note = make_incident(case, owner)
    page = owner_client.get(f"/cases/{case.pk}/incidents/{note.number}/edit/").content.decode()
    assert "Did you feel in danger?" in page
    assert 'value="yes" checked' not in page and 'value="no" checked' not in page
    form = IncidentForm.initial_from(IncidentData.from_incident(note))
    assert form["felt_in_danger"] is None and form["reported"] is None
