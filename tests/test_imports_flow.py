"""The import flow through the service functions and pages: detect, scan, choose, run, incidents, flags, re-import,
undo, media, failures."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest

from chain.verification import verify
from diary import services as diary_services
from diary.models import Incident
from evidence import services as evidence
from evidence.models import Exhibit, ExhibitLink
from imports import phrases, services
from imports.models import Import, ImportDay, ImportedItem, ImportedMedia
from imports.services.clock import Clock, zone
from imports.synthetic import WhatsAppStyle, whatsapp

HIM = "Alex Smith"
ME = "Me"


def chat(lines: list[tuple[str, str, str]]) -> bytes:
    """An Android WhatsApp export: (\"dd/mm/yyyy hh:mm\", sender, text)."""
    out = ["05/01/2024, 08:00 - Messages and calls are end-to-end encrypted. No one outside of this chat can read them."]
    for when, who, text in lines:
        d, t = when.split(" ")
        out.append(f"{d}, {t} - {who}: {text}")
    return ("\n".join(out) + "\n").encode()


BASIC = [
    ("05/01/2024 03:10", HIM, "Answer your phone"),
    ("05/01/2024 03:12", HIM, "I know where you live"),
    ("05/01/2024 09:00", ME, "Please stop contacting me"),
    ("05/01/2024 23:45", HIM, "You'll be sorry"),
    ("06/01/2024 12:00", HIM, "Missed voice call"),
    ("06/01/2024 12:01", HIM, "Pick up"),
    ("06/01/2024 14:00", ME, "Leave me alone"),
]


def seal(case, owner, data: bytes, name: str = "WhatsApp Chat with Alex Smith.txt") -> Exhibit:
    return evidence.ingest(case, owner, [data], name=name).exhibit


def do_import(case, owner, data: bytes, name: str = "WhatsApp Chat with Alex Smith.txt", suspects=(HIM,), **choices) -> Import:
    job = services.start(case, owner, seal(case, owner, data, name))
    assert job.status == "scanning", job.error
    services.scan(job)
    assert job.status == "ready", job.error
    services.choose(job, owner, services.Choices(suspects=list(suspects), **choices))
    return services.run(job, owner)


def incidents(case):
    return list(Incident.objects.filter(case=case).order_by("occurred_at"))


def test_whatsapp_import_makes_one_incident_per_day_with_counts_flags_and_excerpts(case, owner):
    job = do_import(case, owner, chat(BASIC))
    assert job.status == "done", job.error
    assert job.stats["messages"] == 6 and job.stats["calls"] == 1
    assert job.stats["suspect_messages"] == 4 and job.stats["suspect_calls"] == 1
    found = incidents(case)
    assert len(found) == 2
    first, second = found
    for i in found:
        i.case = case
    assert first.channel == "messaging_app" and first.how_many == 3
    assert first.description.startswith("3 WhatsApp messages, 03:10 to 23:45, from Alex Smith.")
    assert "I know where you live" in first.description and "line 3" in first.description
    assert "threatening words" in first.description and "at night" in first.description
    assert set(first.behaviour_codes) == {"CONT.MSG", "THRT.IMPLIED"}
    assert second.description.startswith("1 WhatsApp message and 1 call, 12:00 to 12:01")
    assert set(second.behaviour_codes) == {"CONT.MSG", "CONT.CALL"}
    # The times: Europe/London in January is UTC.
    assert first.occurred_at == dt.datetime(2024, 1, 5, 3, 10, tzinfo=dt.UTC)
    assert first.ended_at == dt.datetime(2024, 1, 5, 23, 45, tzinfo=dt.UTC)
    # Linked to the export exhibit, which keeps its hash; chain intact.
    assert set(ExhibitLink.objects.filter(exhibit=job.exhibit).values_list("incident__number", flat=True)) == {first.number, second.number}
    assert verify(case).ok
    # Items: stored sealed, with their position; flags per message.
    threat = ImportedItem.objects.get(case=case, threats__contains="knowledge")
    threat.case = case
    assert threat.text == "I know where you live" and threat.position == "line 3" and threat.night
    assert "know where you live" not in threat.text_enc and HIM not in threat.sender_enc
    assert ImportedItem.objects.filter(case=case, suspect=False).count() == 2


def test_reimporting_the_same_export_duplicates_nothing(case, owner):
    do_import(case, owner, chat(BASIC))
    before = (Incident.objects.count(), ImportedItem.objects.count(), case.chain_seq)
    again = do_import(case, owner, chat(BASIC))
    assert again.status == "done"
    assert again.stats["already"] == 7 and again.stats["messages"] == 0
    assert Incident.objects.count() == before[0] and ImportedItem.objects.count() == before[1]


def test_overlapping_export_adds_new_messages_as_a_new_version_of_the_day(case, owner):
    do_import(case, owner, chat(BASIC[:3]))
    [day] = incidents(case)
    assert day.how_many == 2
    job = do_import(case, owner, chat(BASIC))
    assert job.stats["already"] == 3 and job.stats["incidents_updated"] == 1 and job.stats["incidents_created"] == 1
    day.refresh_from_db()
    day.case = case
    assert day.how_many == 3 and day.version == 2 and "03:10 to 23:45" in day.description
    assert Incident.objects.filter(case=case).count() == 2
    assert verify(case).ok


def test_identical_messages_in_the_same_minute_are_both_kept(case, owner):
    lines = [("05/01/2024 10:00", HIM, "ok"), ("05/01/2024 10:00", HIM, "ok"), ("05/01/2024 10:00", HIM, "ok")]
    job = do_import(case, owner, chat(lines))
    assert job.stats["messages"] == 3
    assert do_import(case, owner, chat(lines)).stats["already"] == 3


def test_undo_retracts_the_incidents_keeps_the_export_and_reimport_works(case, owner, owner_client):
    job = do_import(case, owner, chat(BASIC))
    response = owner_client.post(f"/cases/{case.pk}/imports/{job.pk}/undo/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == "undone"
    for i in incidents(case):
        i.case = case
        assert i.retracted and i.retraction_reason == "import undone"
    assert not ImportedItem.objects.filter(job=job).exists() and not ImportDay.objects.exists()
    assert Exhibit.objects.filter(pk=job.exhibit_id).exists()
    again = do_import(case, owner, chat(BASIC))
    assert again.status == "done" and again.stats["incidents_created"] == 2 and again.stats["already"] == 0
    assert Incident.objects.filter(case=case, retracted=False).count() == 2
    assert verify(case).ok


def test_undo_of_a_later_import_puts_the_day_back(case, owner):
    do_import(case, owner, chat(BASIC[:3]))
    later = do_import(case, owner, chat(BASIC))
    services.undo(later, owner)
    live = [i for i in incidents(case) if not i.retracted]
    assert len(live) == 1 and live[0].how_many == 2
    assert live[0].version == 3  # created, updated by the later import, put back by its undo


def test_date_range_and_time_zone(case, owner):
    job = do_import(case, owner, chat(BASIC), date_from=dt.date(2024, 1, 6), time_zone="America/New_York")
    assert job.stats["outside"] == 4
    [day] = incidents(case)
    assert day.occurred_at == dt.datetime(2024, 1, 6, 17, 0, tzinfo=dt.UTC)


def test_clock_changes_are_resolved_deterministically():
    clock = Clock(zone("Europe/London"))
    # Clocks go back on 27 October 2024: 01:30 happens twice; the first (BST, UTC+1) is taken.
    assert clock.utc(dt.datetime(2024, 10, 27, 1, 30)) == dt.datetime(2024, 10, 27, 0, 30, tzinfo=dt.UTC)
    # Clocks go forward on 31 March 2024: 01:30 never happens; read with the offset before the change (GMT).
    assert clock.utc(dt.datetime(2024, 3, 31, 1, 30)) == dt.datetime(2024, 3, 31, 1, 30, tzinfo=dt.UTC)


def test_bursts_are_flagged(case, owner):
    lines = [(f"07/01/2024 10:{m:02d}", HIM, f"message {m}") for m in range(0, 12)]
    job = do_import(case, owner, chat(lines))
    assert job.stats["bursts"] == 1 and job.stats["burst_items"] == 12
    [day] = incidents(case)
    day.case = case
    assert "12 in bursts" in day.description


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("I KNOW where you live.", ["knowledge"]),
        ("i'll kill you", ["kill"]),
        ("I’ll kill myself if you don't answer", ["suicide"]),
        ("I'm going to share your photos with everyone, everyone will see", ["images"]),
        ("something will happen to your\ndog", ["family"]),
        ("What a skill you have", []),
        ("I'll kill you and then kill myself", ["kill", "suicide"]),
        ("My back hurts", []),
        ("", []),
    ],
)
def test_threat_phrases_match_whole_words_case_insensitively(text, codes):
    assert phrases.find(text) == codes


def test_every_phrase_matches_itself_and_categories_name_real_behaviours():
    from diary import taxonomy

    for cat in phrases.categories().values():
        assert taxonomy.is_known(cat.behaviour) and cat.note
        for phrase in cat.phrases:
            assert cat.code in phrases.find(f"well, {phrase}!"), phrase


def test_zip_media_become_exhibits_linked_to_messages_and_the_day(case, owner):
    sample = whatsapp(150, zipped=True, seed=5, style=WhatsAppStyle(os="ios"))
    attached = [r for r in sample.expected.records if r.attachments and not r.system]
    assert attached
    senders = sorted({r.sender for r in attached})
    job = do_import(case, owner, sample.data, name=sample.name, suspects=senders)
    assert job.status == "done", job.error
    names_in_zip = {n for r in attached for n in r.attachments}
    assert job.stats["media"] == len(names_in_zip)
    media = ImportedMedia.objects.filter(item__job=job).select_related("exhibit", "item")
    assert media.count() == sum(len(r.attachments) for r in attached)
    one = media.first()
    assert one.exhibit.sha256 and ExhibitLink.objects.filter(exhibit=one.exhibit).exists()
    assert verify(case).ok


def test_a_failure_leaves_nothing_behind(case, owner, monkeypatch):
    exhibit = seal(case, owner, chat(BASIC))
    job = services.start(case, owner, exhibit)
    services.scan(job)
    services.choose(job, owner, services.Choices(suspects=[HIM]))
    seq = case.chain_seq

    def broken(*args, **kwargs):
        real(*args, **kwargs)  # the day incidents are written, then something fails
        raise RuntimeError("disk on fire")

    real = diary_services.create_incidents
    monkeypatch.setattr(diary_services, "create_incidents", broken)
    job = services.run(job, owner)
    assert job.status == "failed" and "Nothing from this file was imported" in job.error
    assert not ImportedItem.objects.exists() and not Incident.objects.exists() and not ImportDay.objects.exists()
    case.refresh_from_db()
    assert case.chain_seq == seq and verify(case).ok
    assert Exhibit.objects.filter(pk=exhibit.pk).exists()
    monkeypatch.setattr(diary_services, "create_incidents", real)
    # It can be tried again.
    retry = do_import(case, owner, chat(BASIC))
    assert retry.status == "done" and retry.stats["incidents_created"] == 2


@pytest.mark.parametrize(
    ("data", "name", "says"),
    [
        (b"%PDF-1.7 hello", "chat.pdf", "PDF"),
        (b"just some words\nwith no dates at all\n", "notes.txt", "does not recognise"),
    ],
)
def test_wrong_files_get_a_clear_message_and_stay_sealed(case, owner, data, name, says):
    job = services.start(case, owner, seal(case, owner, data, name))
    assert job.status == "failed" and says in job.error
    exhibit = Exhibit.objects.get(pk=job.exhibit_id)
    exhibit.case = case
    assert len(exhibit.sha256) == 64


def test_truncated_sms_backup_is_salvaged_with_a_warning(case, owner):
    from imports.synthetic import sms_xml

    sample = sms_xml(30, truncate=True)
    job = services.start(case, owner, seal(case, owner, sample.data, sample.name))
    services.scan(job)
    assert job.status == "ready" and job.warnings
    names = [p["name"] for p in job.participants if p["name"]]
    services.choose(job, owner, services.Choices(suspects=names[:1]))
    job = services.run(job, owner)
    assert job.status == "done" and job.stats["messages"] > 0 and job.warnings


def test_page_flow_upload_choose_run_result(case, owner_client):
    page = owner_client.get(f"/cases/{case.pk}/imports/")
    assert page.status_code == 200 and "Import messages and calls" in page.content.decode()
    upload = io.BytesIO(chat(BASIC))
    upload.name = "WhatsApp Chat with Alex Smith.txt"
    response = owner_client.post(f"/cases/{case.pk}/imports/upload/", {"export": upload})
    assert response.status_code == 302
    job = Import.objects.get(case=case)
    page = owner_client.get(response["Location"]).content.decode()
    assert "WhatsApp chat export" in page and "\u2068Alex Smith\u2069: 4 messages, 1 call" in page
    index = next(i for i, p in enumerate(job.participants) if p["name"] == HIM)
    bad = owner_client.post(response["Location"], {"time_zone": "Europe/London"})
    assert bad.status_code == 400 and "Choose at least one sender" in bad.content.decode()
    done = owner_client.post(response["Location"], {"suspects": [str(index)], "time_zone": "Europe/London"}, follow=True)
    text = done.content.decode()
    assert "Import finished" in text and "6 messages and 1 call imported" in text
    timeline = owner_client.get(f"/cases/{case.pk}/timeline/").content.decode()
    assert "WhatsApp message" in timeline or "Messaging app" in timeline


def test_empty_upload_gets_a_clear_message(case, owner_client):
    upload = io.BytesIO(b"")
    upload.name = "empty.txt"
    response = owner_client.post(f"/cases/{case.pk}/imports/upload/", {"export": upload})
    assert response.status_code == 400 and "empty" in response.content.decode()
    assert not Import.objects.exists()


def test_zip_bomb_is_refused_with_a_message(case, owner):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("_chat.txt", chat(BASIC))
        z.writestr("IMG-1.jpg", b"\0" * (64 * 1024 * 1024))
    job = services.start(case, owner, seal(case, owner, out.getvalue(), "WhatsApp Chat.zip"))
    if job.status == "scanning":
        services.scan(job)
    assert job.status == "failed" and "zip bomb" in job.error


def test_an_identical_message_out_of_order_is_stored_once_in_a_first_import(case, owner):
    """Occurrence counts are pruned a day behind the latest instant; an identical message from before that (an export
    out of time order) gets the same identity again. It is counted as already stored, in a later batch or the same."""
    start = dt.datetime(2024, 1, 1, 0, 0)
    lines = [((start + dt.timedelta(minutes=m)).strftime("%d/%m/%Y %H:%M"), HIM, f"message {m}") for m in range(6900)]
    lines.append(lines[0])  # in the second batch of 5000: the first is already stored
    lines.append(lines[5000])  # the second batch holds the first of these too
    job = do_import(case, owner, chat(lines))
    assert job.status == "done", job.error
    assert job.stats["already"] == 2 and ImportedItem.objects.filter(case=case).count() == 6900


def test_messages_dated_in_the_future_are_kept_but_make_no_diary_entry(case, owner, owner_client):
    """A phone with its clock set wrong: the import still succeeds, the future day is named, nothing is lost."""
    tomorrow = (dt.date.today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    job = do_import(case, owner, chat([*BASIC, (f"{tomorrow} 10:00", HIM, "From a wrong clock")]))
    assert job.status == "done", job.error
    assert job.stats["days_in_future"] == 1
    assert len(incidents(case)) == 2  # the two real days
    assert ImportedItem.objects.filter(job=job).count() == len(BASIC) + 1
    page = owner_client.get(f"/cases/{case.pk}/imports/{job.pk}/").content.decode()
    assert "Days dated in the future" in page and "check the date and time on the phone" in page
