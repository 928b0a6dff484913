"""Discretion in downloads (issue 13, item 9): with a display name set, no file name or PDF metadata says "Daybook"."""

from __future__ import annotations

import subprocess

import pytest

from kernel import discretion
from tests.factories import make_incident, make_report


def pdf_metadata(data: bytes) -> str:
    return subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()


def download(client, case, report) -> tuple[str, bytes]:  # noqa: ANN001
    response = client.get(f"/cases/{case.pk}/reports/{report.uuid}/download/pdf/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response["Content-Disposition"], body


def test_display_name_names_the_file_and_the_pdf(settings, owner, owner_client, case):
    settings.DAYBOOK_DISPLAY_NAME = "Garden notes"
    make_incident(case, owner, time_precision="exact")
    report = make_report(case, owner)
    disposition, data = download(owner_client, case, report)
    assert 'filename="garden-notes-report-' in disposition
    assert "daybook" not in disposition.lower()
    meta = pdf_metadata(data)
    assert "Garden notes" in meta
    assert "daybook" not in meta.lower()


def test_default_name_is_unchanged(settings, owner, owner_client, case):
    settings.DAYBOOK_DISPLAY_NAME = "Daybook"
    make_incident(case, owner, time_precision="exact")
    disposition, _ = download(owner_client, case, make_report(case, owner))
    assert 'filename="daybook-report-' in disposition


@pytest.mark.parametrize(("name", "prefix"), [("", "notes"), ("  ", "notes"), ("Ünïcode Ñotes", "unicode-notes"), ("日記", "notes")])
def test_file_prefix_is_always_a_plain_neutral_word(settings, name, prefix):
    settings.DAYBOOK_DISPLAY_NAME = name
    assert discretion.file_prefix() == prefix
