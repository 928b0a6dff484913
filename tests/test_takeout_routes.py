"""My data's pages, route x role; deleting a case and the account (keys first, cooling-off, cancel, 410); the
export made in the background and downloaded; neutral notices (issue 17, items 4 and 5)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from chain.verification import verify
from diary.models import Incident
from evidence.models import Blob, Exhibit
from kernel.crypto import DecryptionError
from takeout import deletion, services
from takeout.export import write_export
from takeout.models import AccountDeletion, Deletion, Export, Load, NoticeChoice
from tests.factories import PASSPHRASE, make_case, make_contact, make_exhibit, make_incident, make_sighting, make_user, png
from vault import store


def export_bytes(user) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    write_export(user, buf)
    return buf.getvalue()


@pytest.fixture
def anon(db) -> Client:  # noqa: ANN001
    return Client()


# --- route x role ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["takeout_home", "takeout_load", "takeout_account_delete", "takeout_notices"])
def test_pages_ask_anonymous_people_to_sign_in(anon, name) -> None:  # noqa: ANN001
    response = anon.get(reverse(name))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


@pytest.mark.parametrize("name", ["takeout_home", "takeout_load", "takeout_account_delete", "takeout_notices"])
def test_pages_open_for_the_person(owner_client, name) -> None:  # noqa: ANN001
    response = owner_client.get(reverse(name))
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]


def test_a_deleted_case_is_missing_to_anyone_else(owner, stranger_client) -> None:  # noqa: ANN001
    case = make_case(owner)
    deletion.delete_case_now(case)
    assert stranger_client.get(f"/cases/{case.pk}/").status_code == 404
    assert stranger_client.get(reverse("takeout_case_delete", args=[case.pk])).status_code == 404


def test_another_persons_case_cannot_be_deleted(case, stranger_client, anon) -> None:  # noqa: ANN001
    url = reverse("takeout_case_delete", args=[case.pk])
    assert stranger_client.get(url).status_code == 404
    assert stranger_client.post(url, {"passphrase": "another long passphrase here"}).status_code == 404
    assert anon.post(url, {"passphrase": PASSPHRASE}).status_code == 302
    assert Case.objects.filter(pk=case.pk).exists()
    assert stranger_client.get(reverse("takeout_case_delete", args=[999999])).status_code == 404


def test_another_persons_export_is_missing(owner, stranger_client, owner_client) -> None:  # noqa: ANN001
    make_case(owner)
    export = services.make(Export.objects.create(owner=owner))
    url = reverse("takeout_download", args=[export.uuid])
    assert stranger_client.get(url).status_code == 404
    assert owner_client.get(reverse("takeout_download", args=["not-a-uuid"])).status_code == 404
    response = owner_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert len(body) == export.size
    assert "manifest.json" in zipfile.ZipFile(io.BytesIO(body)).namelist()


# --- the export in the background -----------------------------------------------------------------------------


def test_asking_for_a_copy_makes_it_in_the_background(owner, owner_client, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    case = make_case(owner)
    make_incident(case, owner, description="Waiting at the station")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("takeout_home"))
    assert response.status_code == 302
    export = Export.objects.get(owner=owner)
    assert export.status == "ready" and export.cases == 1 and export.expires_at > timezone.now()
    # Sealed in the storage: the stored bytes are not the ZIP.
    with store.storage().open(export.file_name, "rb") as handle:
        assert b"manifest.json" not in handle.read()
    page = owner_client.get(reverse("takeout_home")).content.decode()
    assert reverse("takeout_download", args=[export.uuid]) in page
    # Past its time the file is removed and the link says "gone".
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert owner_client.get(reverse("takeout_download", args=[export.uuid])).status_code == 410
    assert services.sweep_expired() == 1
    assert not store.storage().exists(export.file_name)


# --- loading through the page and the command -------------------------------------------------------------------


def test_loading_through_the_page_in_the_background(owner, owner_client, stranger_client, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    case = make_case(owner)
    make_incident(case, owner)
    make_exhibit(case, owner, png(), "screenshot.png")
    data = export_bytes(owner)
    deletion.delete_case_now(case)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("takeout_load"), {"export": SimpleUploadedFile("my-data.zip", data, "application/zip")})
    job = Load.objects.get(owner=owner)
    assert response.status_code == 302 and response["Location"] == reverse("takeout_load_status", args=[job.uuid])
    assert job.status == "done" and job.loaded == [str(case.uuid)]
    assert job.file_name == "" and job.wrapped_key in (b"", memoryview(b""))  # the upload is removed once loaded
    page = owner_client.get(response["Location"])
    assert page.status_code == 200 and "1 case loaded" in page.content.decode()
    assert stranger_client.get(response["Location"]).status_code == 404
    loaded = Case.objects.get(uuid=case.uuid)
    assert loaded.owner == owner and verify(loaded).ok
    # Previews are not exported: they are made again from the loaded original.
    exhibit = Exhibit.objects.get(case=loaded)
    assert exhibit.preview_status == "ready" and exhibit.preview_id is not None
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("takeout_load"), {"export": SimpleUploadedFile("x.zip", b"not a zip", "application/zip")})
    page = owner_client.get(response["Location"])
    assert "not a ZIP file" in page.content.decode()
    assert Load.objects.filter(owner=owner, status="refused").count() == 1
    assert owner_client.post(reverse("takeout_load"), {}).status_code == 400


def test_the_load_export_command(owner, tmp_path) -> None:  # noqa: ANN001
    case = make_case(owner)
    make_incident(case, owner)
    path = tmp_path / "export.zip"
    path.write_bytes(export_bytes(owner))
    out = io.StringIO()
    call_command("load_export", str(path), user="owner", stdout=out)
    assert "already here" in out.getvalue()
    mover = make_user("mover")
    deletion.delete_case_now(case)
    out = io.StringIO()
    call_command("load_export", str(path), user=mover.email, stdout=out)
    assert f"loaded case {case.uuid}" in out.getvalue()
    (tmp_path / "bad.zip").write_bytes(b"nope")
    with pytest.raises(CommandError, match="not a ZIP file"):
        call_command("load_export", str(tmp_path / "bad.zip"), user="mover")


# --- deleting a case --------------------------------------------------------------------------------------------


def test_deleting_a_case_needs_the_passphrase_then_is_gone_for_good(owner, owner_client) -> None:  # noqa: ANN001
    case = make_case(owner)
    make_incident(case, owner, description="Something only I wrote")
    exhibit = make_exhibit(case, owner)
    blob_name = Blob.objects.get(pk=exhibit.original_id).name
    export = services.make(Export.objects.create(owner=owner))
    assert store.storage().exists(export.file_name)
    url = reverse("takeout_case_delete", args=[case.pk])
    response = owner_client.post(url, {"passphrase": "not my passphrase at all"})
    assert response.status_code == 400 and "That is not your passphrase" in response.content.decode()
    assert Case.objects.filter(pk=case.pk).exists()
    response = owner_client.post(url, {"passphrase": PASSPHRASE})
    assert response.status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not Incident.objects.filter(case_id=case.pk).exists()
    assert not store.storage().exists(blob_name)
    assert not Export.objects.exclude(wrapped_key=b"destroyed").exists()  # an export holding the case goes too
    assert not store.storage().exists(export.file_name)
    record = Deletion.objects.get(kind="case")
    assert record.case_uuid_was == case.uuid and record.keys_destroyed_at <= record.carried_out_at
    # A second request for the deleted case: gone, not missing.
    assert owner_client.get(url).status_code == 410
    assert owner_client.post(url, {"passphrase": PASSPHRASE}).status_code == 410
    for page in (f"/cases/{case.pk}/", f"/cases/{case.pk}/timeline/", f"/cases/{case.pk}/incidents/1/"):
        assert owner_client.get(page).status_code == 410, page


def test_the_key_is_destroyed_first_so_what_remains_cannot_be_read(owner) -> None:  # noqa: ANN001
    case = make_case(owner)
    make_incident(case, owner, description="Something only I wrote")
    make_exhibit(case, owner)
    deletion.destroy_keys(case)  # as if the rest of the deletion never ran (a crash, or a backup taken now)
    remaining = Case.objects.get(pk=case.pk)
    with pytest.raises(DecryptionError):
        remaining.label  # noqa: B018
    incident = Incident.objects.get(case=remaining)
    incident.case = remaining
    with pytest.raises(DecryptionError):
        incident.description  # noqa: B018
    blob = Blob.objects.get(case=remaining, purpose="original")
    with pytest.raises(DecryptionError):
        b"".join(store.iter_plaintext(remaining, blob))


# --- deleting the whole account ---------------------------------------------------------------------------------


def test_account_deletion_waits_can_be_cancelled_and_is_carried_out(owner, owner_client, settings) -> None:  # noqa: ANN001
    settings.DAYBOOK_DELETION_COOLING_DAYS = 3
    case = make_case(owner)
    make_incident(case, owner)
    url = reverse("takeout_account_delete")
    assert owner_client.post(url, {"passphrase": "wrong wrong wrong"}).status_code == 400
    assert not AccountDeletion.objects.exists()
    assert owner_client.post(url, {"passphrase": PASSPHRASE}).status_code == 302
    pending = AccountDeletion.objects.get(owner=owner)
    assert dt.timedelta(days=3) - dt.timedelta(minutes=1) < pending.due_at - pending.requested_at <= dt.timedelta(days=3)
    page = owner_client.get(url).content.decode()
    assert "will be deleted on" in page
    # Not due yet: nothing happens.
    assert deletion.carry_out_due() == 0
    # Cancelling needs the passphrase too.
    cancel = reverse("takeout_account_delete_cancel")
    assert owner_client.post(cancel, {"passphrase": "wrong wrong wrong"}).status_code == 400
    assert deletion.pending_for(owner) is not None
    assert owner_client.post(cancel, {"passphrase": PASSPHRASE}).status_code == 302
    assert deletion.pending_for(owner) is None
    assert deletion.carry_out_due(timezone.now() + dt.timedelta(days=30)) == 0
    # Asked again, and carried out once due.
    owner_client.post(url, {"passphrase": PASSPHRASE})
    out = io.StringIO()
    call_command("carry_out_deletions", stdout=out)
    assert out.getvalue().startswith("0 account")
    AccountDeletion.objects.filter(owner=owner).update(due_at=timezone.now() - dt.timedelta(seconds=1))
    out = io.StringIO()
    call_command("carry_out_deletions", stdout=out)
    assert out.getvalue().startswith("1 account")
    assert not Case.objects.filter(pk=case.pk).exists()
    assert not type(owner).objects.filter(pk=owner.pk).exists()
    kinds = sorted(Deletion.objects.values_list("kind", flat=True))
    assert kinds == ["account", "case"]
    # The record holds no content: ids and times only.
    assert {f.name for f in Deletion._meta.fields} == {
        "id",
        "kind",
        "user_id_was",
        "case_id_was",
        "case_uuid_was",
        "requested_at",
        "keys_destroyed_at",
        "carried_out_at",
    }


# --- neutral notices --------------------------------------------------------------------------------------------


def test_no_notice_unless_asked_then_neutral_words_only(owner, owner_client, django_capture_on_commit_callbacks) -> None:  # noqa: ANN001
    case = make_case(owner)
    contact, _ = make_contact(case, owner, name="Sam Neighbour")
    with django_capture_on_commit_callbacks(execute=True):
        make_sighting(contact)
    assert mail.outbox == []
    response = owner_client.post(reverse("takeout_notices"), {"wording": "account", "subject": "Daybook news"})
    assert response.status_code == 400 and "do not say what this is about" in response.content.decode()
    response = owner_client.post(reverse("takeout_notices"), {"wording": "account", "subject": "Your garden club"})
    assert response.status_code == 302
    assert NoticeChoice.objects.get(owner=owner).wording == "account"
    with django_capture_on_commit_callbacks(execute=True):
        make_sighting(contact)
        make_sighting(contact, hours_ago=3)  # a burst is one notice
    [message] = mail.outbox
    assert message.subject == "Your garden club" and message.to == [owner.email]
    text = (message.subject + message.body).casefold()
    for word in ("daybook", "sam", "neighbour", "sighting", "school", "contact", "diary"):
        assert word not in text
    owner_client.post(reverse("takeout_notices"), {"wording": "none", "subject": ""})
    NoticeChoice.objects.update(last_sent_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        make_sighting(contact)
    assert len(mail.outbox) == 1


def test_uploads_waiting_to_load_go_with_a_deletion_and_when_stale(owner) -> None:  # noqa: ANN001
    case = make_case(owner)
    waiting = services.request_load(owner, [b"an upload holding a case"])  # never run: the callback is not executed
    assert store.storage().exists(waiting.file_name)
    deletion.delete_case_now(case)
    assert not store.storage().exists(waiting.file_name)
    stale = services.request_load(owner, [b"another"])
    Load.objects.filter(pk=stale.pk).update(requested_at=timezone.now() - dt.timedelta(days=2))
    services.sweep_expired()
    assert not store.storage().exists(stale.file_name)
    assert Load.objects.get(pk=stale.pk).status == "failed"
