"""Never state what the person did not say (issue 13, items 1 and 2): a quick note's prefilled time is the time of
writing, not the exact time it happened; questions left unanswered stay "not said" on pages, in the PDF and in
screening suggestions."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest

from cases.models import Case
from chain.verification import verify
from diary.models import Incident
from diary.services import IncidentData, create_incident
from insights import instruments
from insights.selectors import case_analysis
from kernel import localtime
from reports.options import ReportOptions
from reports.pdf import render_pdf, time_text
from tests.factories import make_incident


def pdf_text(case: Case) -> str:
    out = io.BytesIO()
    render_pdf(case, ReportOptions(), out, generated_at=dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC))
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=out.getvalue(), capture_output=True, check=True).stdout.decode()


def quick_fields(client, case) -> dict[str, str]:  # noqa: ANN001
    page = client.get(f"/cases/{case.pk}/quick/").content.decode()
    values = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and name.group(1) in ("date", "time", "written"):
            values[name.group(1)] = value.group(1)
    assert set(values) == {"date", "time", "written"}, values
    return values


def test_quick_note_left_as_prefilled_is_the_time_of_writing_not_exact(owner_client, case):
    values = quick_fields(owner_client, case)
    owner_client.post(f"/cases/{case.pk}/quick/", {"description": "Silent call again", **values})
    incident = Incident.objects.get(case=case)
    assert incident.time_precision == "recorded"
    detail = owner_client.get(f"/cases/{case.pk}/incidents/{incident.number}/").content.decode()
    assert "time of writing" in detail
    assert time_text(incident)[1].startswith("Time of writing")
    text = pdf_text(case)
    assert "Time of writing" in text
    assert "Exact time" not in text


def test_quick_note_time_changed_is_approximate_and_exact_only_when_ticked(owner_client, case):
    values = quick_fields(owner_client, case)
    earlier = (localtime.now_local() - dt.timedelta(hours=2)).strftime("%H:%M")
    day = (localtime.now_local() - dt.timedelta(hours=2)).strftime("%Y-%m-%d")
    owner_client.post(f"/cases/{case.pk}/quick/", {"description": "Earlier, at the shop", "written": values["written"], "date": day, "time": earlier})
    owner_client.post(f"/cases/{case.pk}/quick/", {"description": "He rang", "written": values["written"], "date": day, "time": earlier, "time_exact": "on"})
    owner_client.post(f"/cases/{case.pk}/quick/", {"description": "No time", "written": values["written"], "date": day, "time": ""})
    assert list(Incident.objects.filter(case=case).order_by("number").values_list("time_precision", flat=True)) == ["approx", "exact", "date"]


def test_quick_note_errors_follow_the_page_order(owner_client, case):
    page = owner_client.post(f"/cases/{case.pk}/quick/", {"description": "", "date": "not a date", "time": "99:99"}).content.decode()
    summary = page[page.index("govuk-error-summary__list") :]
    order = [summary.index(message) for message in ("Say in a few words what happened", "Enter a real date", "Enter a real time")]
    assert order == sorted(order)


def test_full_form_does_not_preselect_how_exact_the_time_is(owner_client, case):
    page = owner_client.get(f"/cases/{case.pk}/incidents/new/").content.decode()
    radios = re.findall(r'<input[^>]*name="time_precision"[^>]*>', page)
    assert len(radios) == 4
    assert not any("checked" in r for r in radios)
    now = localtime.now_local() - dt.timedelta(hours=1)
    response = owner_client.post(
        f"/cases/{case.pk}/incidents/new/", {"date": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M"), "description": "At the gate", "reported": "no"}
    )
    assert response.status_code == 200
    assert "Say how sure you are of the time" in response.content.decode()
    assert not Incident.objects.filter(case=case).exists()


def test_case_form_does_not_preselect_who_they_are(owner_client, owner):
    page = owner_client.get("/cases/new/").content.decode()
    radios = re.findall(r'<input[^>]*name="relationship"[^>]*>', page)
    assert radios and not any("checked" in r for r in radios)
    owner_client.post("/cases/new/", {"label": "JB"})
    case = Case.objects.get(owner=owner)
    assert case.relationship == ""
    detail = owner_client.get(f"/cases/{case.pk}/").content.decode()
    assert "Not said" in detail
    assert "I do not know who it is" not in detail
    make_incident(case, owner, time_precision="exact")
    text = pdf_text(case)
    assert "Not said" in text
    assert "I do not know who it is" not in text


def test_screening_says_not_said_when_the_relationship_was_left_unanswered(owner, case):
    case.relationship = ""
    case.save()
    make_incident(case, owner, time_precision="exact")
    analysis = case_analysis(case)
    question = next(q for q in instruments.get("daybook-indicators").questions if any(r["kind"] == "relationship" for r in q.rules))
    suggestion = instruments.suggest(question, analysis)
    assert suggestion.answer is None
    assert any("Not said" in p.text for p in suggestion.points)


@pytest.mark.parametrize("precision", ["recorded", "date"])
def test_time_of_writing_is_not_an_hour_for_the_patterns(owner, case, precision):
    make_incident(case, owner, time_precision=precision)
    analysis = case_analysis(case)
    assert all(f.hour is None for f in analysis.facts)


def test_old_and_new_precisions_verify_on_the_chain(owner, case):
    now = localtime.now_local() - dt.timedelta(hours=1)
    for precision in ("exact", "approx", "date", "recorded"):
        create_incident(case, owner, IncidentData(occurred_at=now, time_precision=precision, description=f"A {precision} one"))
    case.refresh_from_db()
    assert verify(case).ok


def test_full_form_does_not_preselect_whether_it_was_reported(owner_client, case):
    page = owner_client.get(f"/cases/{case.pk}/incidents/new/").content.decode()
    radios = re.findall(r'<input[^>]*name="reported"[^>]*>', page)
    assert len(radios) == 2 and not any("checked" in r for r in radios)
    now = localtime.now_local() - dt.timedelta(hours=1)
    response = owner_client.post(
        f"/cases/{case.pk}/incidents/new/",
        {"date": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M"), "time_precision": "approx", "description": "At the gate"},
    )
    assert "Say whether you have reported this" in response.content.decode()
    assert not Incident.objects.filter(case=case).exists()


def test_a_quick_note_is_not_called_unreported(owner_client, case):
    values = quick_fields(owner_client, case)
    owner_client.post(f"/cases/{case.pk}/quick/", {"description": "Silent call again", **values})
    incident = Incident.objects.get(case=case)
    detail = owner_client.get(f"/cases/{case.pk}/incidents/{incident.number}/").content.decode()
    assert "Not said yet" in detail
    edit = owner_client.get(f"/cases/{case.pk}/incidents/{incident.number}/edit/").content.decode()
    assert not any("checked" in r for r in re.findall(r'<input[^>]*name="reported"[^>]*>', edit))
    text = pdf_text(case)
    assert "Not said" in text and not re.search(r"Not reported(?! yet)", text)  # the chronology's cell
