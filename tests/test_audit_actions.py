"""One list of audit actions, each with the words the person reads on their activity page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from audit.actions import LABELS, AuditAction, label
from audit.models import AuditEvent
from audit.services import record

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = {".venv", "tests", "node_modules", "build", "benchmarks"}
PRODUCT = [p for p in ROOT.glob("*/**/*.py") if p.parts[len(ROOT.parts)] not in OUTSIDE and "migrations" not in p.parts]
LITERAL = re.compile(r"""\b(?:record|record_many|audit)\([^()]*?["']([a-z_]+\.[a-z_.]+)["']""")


def test_every_action_has_a_label_in_plain_words() -> None:
    missing = [a.value for a in AuditAction if a not in LABELS]
    assert missing == []
    assert [a.value for a in AuditAction if label(a.value) == a.value or not label(a.value)[0].isupper()] == []


def test_every_action_code_written_by_the_product_is_listed() -> None:
    used = {m.group(1) for p in PRODUCT for m in LITERAL.finditer(p.read_text(encoding="utf-8"))}
    assert used, "the scan found no audit calls: the pattern is wrong"
    assert sorted(used - {a.value for a in AuditAction}) == []


@pytest.mark.django_db
def test_an_unlisted_action_is_refused_and_nothing_is_written(owner) -> None:
    with pytest.raises(ValueError, match="audit/actions.py"):
        record(owner, "incident.whatever")
    assert not AuditEvent.objects.filter(action="incident.whatever").exists()


@pytest.mark.django_db
def test_activity_page_shows_import_actions_in_words(owner_client, owner, case) -> None:
    record(owner, AuditAction.IMPORT_DONE, case, "import 1")
    html = owner_client.get(reverse("case_activity", args=[case.pk])).content.decode()
    assert "Export file imported" in html
    assert "import.done" not in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_change_is_kept_without_its_audit_row(owner, case, monkeypatch) -> None:  # noqa: ANN001
    from django.core.files.storage import default_storage

    from diary import integrity
    from diary.models import Incident, IntegrityCheck
    from imports import services as imports
    from imports.models import Import
    from reports import services as reports
    from reports.models import Report
    from tests.factories import make_exhibit, make_incident, make_report

    make_incident(case, owner)
    report = make_report(case, owner)
    exhibit = make_exhibit(case, owner, b"05/01/2024, 03:10 - Alex: hello\n", "WhatsApp Chat with Alex.txt")

    def refuse(**kwargs):  # noqa: ANN003, ANN202
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(AuditEvent.objects, "create", refuse)
    changes = [
        (lambda: make_incident(case, owner), lambda: Incident.objects.filter(case=case).count() == 1),
        (lambda: integrity.request_check(case, owner), lambda: not IntegrityCheck.objects.filter(case=case).exists()),
        (lambda: integrity.run_now(case, owner), lambda: not IntegrityCheck.objects.filter(case=case).exists()),
        (lambda: reports.delete_report(report, owner), lambda: Report.objects.get(pk=report.pk).status == "done" and default_storage.exists(report.pdf_name)),
        (lambda: imports.start(case, owner, exhibit), lambda: not Import.objects.filter(case=case).exists()),
    ]
    for change, unchanged in changes:
        with pytest.raises(RuntimeError, match="audit write failed"):
            change()
        assert unchanged()
