"""manage.py import_export: the same flow as the import page from a file on disk; text and --json output; bad input."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from diary.models import Incident
from evidence.models import Exhibit
from imports.models import Import
from imports.synthetic import signal_export

HIM = "Alex Smith"
CHAT = (
    b"05/01/2024, 08:00 - Messages and calls are end-to-end encrypted. No one outside of this chat can read them.\n"
    b"05/01/2024, 03:10 - Alex Smith: Answer your phone\n"
    b"05/01/2024, 03:11 - Alex Smith added Jo\n"
    b"05/01/2024, 09:00 - Me: Please stop\n"
    b"06/01/2024, 12:00 - Alex Smith: Missed voice call\n"
    b"06/01/2024, 13:04 - Alex Smith:\n"
    b"06/01/2024, 13:05 - Alex Smith: You will regret this"
)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import_export", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "WhatsApp Chat with Alex Smith.txt"
    path.write_bytes(CHAT)
    return path


@pytest.mark.django_db
def test_text_output_counts_per_participant_and_incidents(case, export):
    out = run(str(export), "--case", str(case.pk), "--suspect", HIM, "--time-zone", "Europe/London")
    job = Import.objects.get(case=case)
    assert job.status == "done" and job.exhibit.original_name == export.name
    assert "Format: WhatsApp chat export" in out
    # 5 messages, 1 call; the two system lines are said apart, never in the message count.
    assert "Found: 4 messages, 1 call (2 system lines not counted)" in out
    assert "  Alex Smith: 3 messages, 1 call" in out and "  Me: 1 message, 0 calls" in out
    made = Incident.objects.filter(case=case).order_by("occurred_at")
    assert made.count() == 2
    assert "Incidents: 2 new, 0 updated" in out
    for incident in made:
        assert f"  Incident {incident.number}: " in out


@pytest.mark.django_db
def test_json_output_is_one_object_with_the_same_facts(case, export):
    result = json.loads(run(str(export), "--case", str(case.pk), "--suspect", HIM, "--json"))
    assert result["format"] == "whatsapp" and result["status"] == "done"
    assert result["found"] == {"messages": 4, "calls": 1, "system": 2, "undated": 0}
    by_name = {p["name"]: p for p in result["participants"]}
    assert by_name[HIM]["messages"] == 3 and by_name[HIM]["calls"] == 1
    assert sum(p["messages"] for p in result["participants"]) == result["found"]["messages"]
    assert sum(p["calls"] for p in result["participants"]) == result["found"]["calls"]
    assert result["incidents_created"] == 2 == len(result["incidents"])
    assert {i["channel"] for i in result["incidents"]} == {"messaging_app"}
    assert result["suspects"] == [HIM]
    assert result["imported"]["suspect_messages"] == 3


@pytest.mark.django_db
def test_warnings_are_printed_with_their_positions(case, tmp_path):
    path = tmp_path / "chat.txt"
    path.write_bytes(b"[05/01/2024, 13:04:00 AM] Alex Smith: one\n[05/01/2024, 1:05:00 PM] Alex Smith: two\n")
    result = json.loads(run(str(path), "--case", str(case.pk), "--json"))
    assert any("13:04 AM" in w and "(line 1)" in w for w in result["warnings"])
    assert result["status"] == "done" and result["incidents"] == []  # no suspect chosen: stored, no incidents


@pytest.mark.django_db
def test_signal_export_is_labelled_signal_in_the_incident(case, tmp_path):
    sample = signal_export(30, seed=3)
    path = tmp_path / sample.name
    path.write_bytes(sample.data)
    suspect = sample.expected.senders.most_common(1)[0][0]
    result = json.loads(run(str(path), "--case", str(case.pk), "--suspect", suspect, "--json"))
    assert result["format"] == "signal" and "Signal" in result["format_label"]
    made = Incident.objects.filter(case=case)
    assert made.exists()
    for incident in made:
        wording = incident.description
        assert "Signal" in wording and "WhatsApp" not in wording


@pytest.mark.django_db
def test_same_file_twice_is_one_exhibit_and_adds_nothing(case, export):
    run(str(export), "--case", str(case.pk), "--suspect", HIM)
    result = json.loads(run(str(export), "--case", str(case.pk), "--suspect", HIM, "--json"))
    assert Exhibit.objects.filter(case=case).count() == 1
    assert result["imported"]["already"] == 5 and result["incidents_created"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--case", "999999"], "No case with number 999999"),
        (["--case", "{case}", "--time-zone", "Mars/Olympus"], "not a time zone Daybook knows"),
        (["--case", "{case}", "--time-zone", "../../etc/passwd"], "not a time zone Daybook knows"),
    ],
)
def test_bad_input_is_a_clear_error_and_nothing_is_sealed(case, export, args, message):
    args = [a.replace("{case}", str(case.pk)) for a in args]
    with pytest.raises(CommandError, match=message):
        run(str(export), *args)
    assert not Exhibit.objects.filter(case=case).exists() and not Import.objects.exists()


@pytest.mark.django_db
def test_missing_file_and_unreadable_export(case, tmp_path):
    with pytest.raises(CommandError, match="No file at"):
        run(str(tmp_path / "nope.txt"), "--case", str(case.pk))
    bad = tmp_path / "notes.txt"
    bad.write_bytes(b"just some words\nnothing like a chat\n")
    with pytest.raises(CommandError, match="does not recognise this file"):
        run(str(bad), "--case", str(case.pk))
    job = Import.objects.get(case=case)
    assert job.status == "failed" and job.exhibit.original_name == "notes.txt"  # the file is kept, sealed


@pytest.mark.django_db
def test_unknown_suspect_names_the_senders_and_imports_nothing(case, export):
    with pytest.raises(CommandError, match="Not a sender in this export: Bob.*Alex Smith"):
        run(str(export), "--case", str(case.pk), "--suspect", "Bob")
    job = Import.objects.get(case=case)
    assert job.status == "ready" and not Incident.objects.filter(case=case).exists()


def test_command_exits_nonzero_from_the_shell(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    done = subprocess.run(
        [sys.executable, "manage.py", "import_export", str(tmp_path / "missing.txt"), "--case", "1"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode != 0 and "No file at" in done.stderr


@pytest.mark.django_db
def test_import_page_counts_leave_system_lines_apart(case, owner, owner_client):
    from django.urls import reverse

    from evidence import services as evidence
    from imports import services

    job = services.start(case, owner, evidence.ingest(case, owner, [CHAT], name="WhatsApp Chat with Alex Smith.txt").exhibit)
    services.scan(job)
    page = owner_client.get(reverse("import_detail", args=[case.pk, job.pk])).content.decode()
    assert "found 4 messages and 1 call from 2 senders." in page
    assert "2 system lines (such as" in page and "are not counted" in page
    assert sum(p["messages"] for p in job.participants) == 4 and sum(p["calls"] for p in job.participants) == 1
