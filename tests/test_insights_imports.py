"""The pattern findings use the night and burst flags set when messages and calls are imported: counted from flags
stored in clear (nothing decrypted), each with the day incidents behind it."""

from __future__ import annotations

import datetime as dt

import pytest

from cases.models import Case
from diary.services import retract_incident
from imports import flags, services
from imports.models import ImportDay
from insights import clear_columns, selectors
from insights import thresholds as T
from insights.analysis import analyse
from tests.test_imports_flow import HIM, ME, chat, do_import

AS_OF = dt.date(2024, 2, 1)

NIGHTS = [
    ("07/01/2024 02:10", HIM, "Are you awake"),
    ("07/01/2024 03:40", HIM, "Answer me"),
    ("07/01/2024 02:30", ME, "Stop"),  # the person's own message: never counted
    ("07/01/2024 12:00", HIM, "Hello"),
    ("08/01/2024 22:30", HIM, "Late, but not night"),  # 22:30 is not between 11pm and 6am
    ("09/01/2024 01:00", HIM, "Still up?"),
    ("10/01/2024 15:00", HIM, "Afternoon"),
]


def _day_number(case: Case, day: dt.date) -> int:
    return ImportDay.objects.get(case=case, day=day).incident.number


def _refs(finding) -> list[int]:  # noqa: ANN001
    return [r.number for p in finding.points for r in p.refs]


def test_night_messages_are_a_finding_with_their_days_incidents(case, owner):
    job = do_import(case, owner, chat(NIGHTS))
    assert job.status == "done", job.error
    analysis = selectors.case_analysis(case, as_of=AS_OF)
    night = analysis.finding("imported_night")
    assert night is not None
    assert night.summary.startswith("3 imported messages or calls came at night (11pm to 6am) across 2 days, the latest on 9 January 2024.")
    expected = [_day_number(case, dt.date(2024, 1, 7)), _day_number(case, dt.date(2024, 1, 9))]
    assert _refs(night) == expected and night.numbers == expected
    assert night.own_choice and "NIGHT_START_HOUR" in night.thresholds
    check = next(c for c in analysis.checks if c.key == "imported_night")
    assert check.found


def test_a_single_night_message_is_not_a_pattern(case, owner):
    do_import(case, owner, chat([("07/01/2024 02:10", HIM, "Awake?"), ("07/01/2024 12:00", HIM, "Hello")]))
    analysis = selectors.case_analysis(case, as_of=AS_OF)
    assert not analysis.fired("imported_night")
    check = next(c for c in analysis.checks if c.key == "imported_night")
    assert not check.found and "between 11pm and 6am" in check.when_silent


def test_message_and_call_bursts_are_counted_with_their_incidents(case, owner):
    lines = [(f"07/01/2024 10:{m:02d}", HIM, f"message {m}") for m in range(12)]  # 12 in 12 minutes: a burst
    lines += [(f"07/01/2024 18:{m:02d}", HIM, f"later {m}") for m in range(0, 20, 2)]  # 10 in 18 minutes: not a burst
    lines += [(f"09/01/2024 21:{m:02d}", HIM, f"again {m}") for m in range(10)]  # 10 in 10 minutes: a burst
    lines += [(f"11/01/2024 08:{m:02d}", HIM, "Missed voice call") for m in range(0, 25, 5)]  # 5 calls in 20 minutes
    job = do_import(case, owner, chat(lines))
    assert job.status == "done", job.error
    loaded = clear_columns.load_imported(case)
    assert [(b.kind, b.items) for b in loaded.bursts] == [("message", 12), ("message", 10), ("call", 5)]
    assert job.stats["bursts"] == len(loaded.bursts)  # the import's count and the finding's agree

    finding = selectors.case_analysis(case, as_of=AS_OF).finding("imported_bursts")
    assert finding is not None
    assert "2 bursts of messages (5 or more within 5 minutes) and 1 burst of calls (5 or more within 30 minutes)" in finding.summary
    days = [dt.date(2024, 1, 7), dt.date(2024, 1, 9), dt.date(2024, 1, 11)]
    numbers = [_day_number(case, d) for d in days]
    assert [p.text for p in finding.points] == [
        "12 messages in a burst on 7 January 2024.",
        "10 messages in a burst on 9 January 2024.",
        "5 calls in a burst on 11 January 2024.",
    ]
    assert _refs(finding) == numbers and finding.numbers == numbers


def test_bursts_less_than_a_window_apart_are_one():
    at = dt.datetime(2024, 1, 7, 10, 0, tzinfo=dt.UTC)
    day = at.date()
    rows = [("message", at + dt.timedelta(minutes=m), day, "messaging_app") for m in (0, 1, 9, 19, 40)]
    found = clear_columns.imported_bursts(rows, 10, 30)
    assert [b.items for b in found] == [4, 1]  # 9 -> 19 is 10 minutes (one window): still the same run; 19 -> 40 is not


def test_retracted_days_and_undone_imports_are_left_out(case, owner):
    job = do_import(case, owner, chat(NIGHTS))
    seventh = ImportDay.objects.get(case=case, day=dt.date(2024, 1, 7)).incident
    retract_incident(seventh, owner, "Not him")
    night = selectors.case_analysis(case, as_of=AS_OF).finding("imported_night")
    assert night is None  # one night message left (9 January): below the two that make a pattern

    services.undo(job, owner)
    analysis = selectors.case_analysis(case, as_of=AS_OF)
    assert not analysis.fired("imported_night") and not analysis.fired("imported_bursts")
    assert not [c for c in analysis.checks if c.key.startswith("imported_")]  # nothing imported: not looked for


def test_flags_are_read_without_decrypting_anything(case, owner, monkeypatch):
    do_import(case, owner, chat(NIGHTS))
    fresh = Case.objects.get(pk=case.pk)

    def refuse(self):  # noqa: ANN001, ANN202
        raise AssertionError("the findings must not decrypt")

    monkeypatch.setattr(Case, "get_cipher", refuse)
    loaded = clear_columns.load_imported(fresh)
    assert loaded.items == 6 and sum(n for _, _, n in loaded.night) == 3


def test_a_diary_without_imports_has_no_import_checks(case, owner):
    from tests.factories import make_incident  # noqa: PLC0415

    make_incident(case, owner)
    analysis = selectors.case_analysis(case)
    assert not [c for c in analysis.checks if c.key.startswith("imported_")]
    assert analyse([], as_of=AS_OF).checks == analyse([], as_of=AS_OF, imported=clear_columns.Imported()).checks


def test_the_pattern_page_shows_the_import_findings(case, owner, owner_client, stranger_client):
    do_import(case, owner, chat(NIGHTS))
    page = owner_client.get(f"/cases/{case.pk}/pattern/").content.decode()
    assert "Imported messages and calls at night" in page
    assert "3 imported messages or calls came at night" in page
    assert stranger_client.get(f"/cases/{case.pk}/pattern/").status_code == 404


@pytest.mark.parametrize(
    ("threshold", "constant"),
    [
        (T.NIGHT_START_HOUR, flags.NIGHT_FROM_HOUR),
        (T.NIGHT_END_HOUR, flags.NIGHT_TO_HOUR),
        (T.IMPORT_BURST_MESSAGES, flags.BURST_MESSAGES),
        (T.IMPORT_BURST_MESSAGE_MINUTES, flags.BURST_MESSAGE_MINUTES),
        (T.IMPORT_BURST_CALLS, flags.BURST_CALLS),
        (T.IMPORT_BURST_CALL_MINUTES, flags.BURST_CALL_MINUTES),
    ],
)
def test_the_findings_state_the_numbers_the_import_used(threshold, constant):
    assert threshold.value == constant


def test_eight_messages_in_five_minutes_are_a_burst(case, owner):
    """ "ANSWER ME" eight times in five minutes is a burst to any reader, and to Daybook (imports.flags.BURST_SOURCE)."""
    lines = [(f"07/01/2024 21:{m // 2:02d}", HIM, "ANSWER ME") for m in range(8)]  # 21:00 to 21:03
    job = do_import(case, owner, chat(lines))
    assert job.stats["bursts"] == 1 and job.stats["burst_items"] == 8
    finding = selectors.case_analysis(case, as_of=AS_OF).finding("imported_bursts")
    assert finding is not None and finding.points[0].text == "8 messages in a burst on 7 January 2024."
    assert "No research or guidance gives a number" in finding.basis


def test_night_is_the_diarys_night_for_imports_made_under_the_old_rule(case, owner):
    """The finding counts night from the stored local minute by the one definition (kernel.night), not from the flag
    an older import set (midnight to 6am then)."""
    from imports.models import ImportedItem  # noqa: PLC0415

    do_import(case, owner, chat([("07/01/2024 23:10", HIM, "Late"), ("07/01/2024 23:40", HIM, "Later"), ("08/01/2024 02:00", HIM, "Night")]))
    ImportedItem.objects.filter(case=case).update(night=False)  # as an import made under another rule left them
    loaded = clear_columns.load_imported(case)
    assert sum(n for _, _, n in loaded.night) == 3


def test_the_report_pdf_shows_the_imported_findings_for_its_selected_days_only(case, owner):
    import io
    import subprocess

    from django.utils import timezone

    from reports.options import ReportOptions
    from reports.pdf import render_pdf

    do_import(case, owner, chat(NIGHTS))
    first, last = _day_number(case, dt.date(2024, 1, 7)), _day_number(case, dt.date(2024, 1, 9))

    def text(options: ReportOptions) -> str:
        out = io.BytesIO()
        render_pdf(case, options, out, generated_at=timezone.now())
        return " ".join(subprocess.run(["pdftotext", "-", "-"], input=out.getvalue(), capture_output=True, check=True).stdout.decode().split())

    assert "3 imported messages or calls came at night" in text(ReportOptions())
    # Only the first night-time day is in this report: the other day's message is not counted.
    only = text(ReportOptions(incident_numbers=(first,)))
    assert "2 imported messages or calls came at night (11pm to 6am) across 1 day" in only
    assert "3 imported" not in only and last != first
