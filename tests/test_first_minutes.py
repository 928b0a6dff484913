"""Smaller snags of the first ten minutes (issue 13, item 10): the start-up message names the real secrets file;
the sample case's counts agree with what is shown (retracted entries counted apart)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from pathlib import Path

from daybook import startup
from diary.demo import PLAN, load_sample_case
from reports.options import ReportOptions
from reports.pdf import render_pdf
from tests.factories import make_user


def test_start_up_message_names_the_secrets_file_where_the_data_is(tmp_path):
    text = startup.message("127.0.0.1", "8000", {"DAYBOOK_DATA_DIR": str(tmp_path)})
    assert f"Back up {tmp_path / 'secrets.json'}" in text
    assert "data/secrets.json" not in text.replace(str(tmp_path), "")
    default = startup.message("127.0.0.1", "8000", {})
    assert str(Path(startup.BASE_DIR) / "data" / "secrets.json") in default
    from_env = startup.message("127.0.0.1", "8000", {"DAYBOOK_DATA_DIR": str(tmp_path), "DAYBOOK_MASTER_KEY": "x"})
    assert "secrets.json" not in from_env and "DAYBOOK_MASTER_KEY" in from_env


def test_run_script_prints_the_start_up_message_from_python(tmp_path):
    script = (Path(startup.BASE_DIR) / "scripts" / "run.sh").read_text()
    assert "python -m daybook.startup" in script and "data/secrets.json" not in script
    out = subprocess.run(
        [sys.executable, "-m", "daybook.startup", "0.0.0.0", "9000"],
        capture_output=True,
        text=True,
        check=True,
        cwd=startup.BASE_DIR,
        env={"DAYBOOK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
    ).stdout
    assert "http://0.0.0.0:9000/" in out and str(tmp_path / "secrets.json") in out


def test_sample_case_counts_agree_everywhere(db, client):
    person = make_user("sample")
    case = load_sample_case(person)
    client.force_login(person)
    shown = len(PLAN)
    assert case.incidents.filter(retracted=False).count() == shown
    for url in ("/", f"/cases/{case.pk}/", f"/cases/{case.pk}/timeline/"):
        page = re.sub(r"<[^>]+>", " ", client.get(url).content.decode())
        assert f"{shown} incidents" in page, url
        assert f"{shown + 1} incidents" not in page, url
    out = io.BytesIO()
    render_pdf(case, ReportOptions(), out, generated_at=dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC))
    text = subprocess.run(["pdftotext", "-", "-"], input=out.getvalue(), capture_output=True, check=True).stdout.decode()
    squashed = re.sub(r"\s+", " ", text)
    assert f"{shown}, plus 1 entry retracted by the person" in squashed
    assert f"{shown} incidents and 1 retracted entry" in squashed
    assert f"{shown + 1} (of which" not in squashed


# --- The first note comes first (issue 13, item 3) ----------------------------------------------------------


def test_first_note_with_no_case_is_written_first_and_lands_on_the_note(db, client):
    from cases.models import Case
    from diary.models import Incident

    person = make_user("newcomer")
    client.force_login(person)
    page = client.get("/quick/")
    assert page.status_code == 200  # no detour to "Start a case"
    body = page.content.decode()
    assert 'name="description"' in body and "Save note" in body
    values = dict(re.findall(r'name="(date|time|written)"[^>]*value="([^"]*)"', body))
    for tag in re.findall(r"<input[^>]*>", body):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and name.group(1) in ("date", "time", "written"):
            values[name.group(1)] = value.group(1)
    response = client.post("/quick/", {"description": "He was at the bus stop again", **values})
    case = Case.objects.get(owner=person)
    incident = Incident.objects.get(case=case)
    assert response["Location"] == f"/cases/{case.pk}/incidents/{incident.number}/"
    assert incident.time_precision == "recorded"  # not "exact" unless the person says so
    assert case.relationship == ""  # nothing said about who it is
    landed = client.get(response["Location"]).content.decode()
    assert "He was at the bus stop again" in landed and "My diary" in landed


def test_first_note_with_a_problem_makes_no_case(db, client):
    from cases.models import Case

    person = make_user("newcomer2")
    client.force_login(person)
    page = client.post("/quick/", {"description": "", "date": "2026-01-01"}).content.decode()
    assert "Say in a few words what happened" in page
    assert not Case.objects.filter(owner=person).exists()


def test_a_quick_note_in_a_case_lands_on_the_note(owner_client, case):
    response = owner_client.post(f"/cases/{case.pk}/quick/", {"description": "Silent call", "date": dt.date.today().isoformat()})
    assert response["Location"] == f"/cases/{case.pk}/incidents/1/"
