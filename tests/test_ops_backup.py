"""The backup drill: back up, destroy everything, restore into the empty deployment; every chain verifies and every
file re-hashes. Damaged backups, the wrong key and a deployment that already holds data are refused in plain words."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from cases.models import Case
from diary.models import Incident
from evidence.models import Exhibit
from ops.backup import BackupError, backup, check_backup, restore, stored_names
from tests.factories import make_incident, make_world

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def storage(tmp_path, settings):  # noqa: ANN001, ANN201
    """Each test's own file storage, so the drill's 'destroy everything' touches only its own files."""
    location = tmp_path / "files"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": location}}}
    return location


def _destroy() -> None:
    """A new, empty deployment: every table emptied, every stored file gone."""
    call_command("flush", interactive=False, verbosity=0)
    for name in list(stored_names()):
        default_storage.delete(name)


def test_backup_destroy_restore_and_every_chain_verifies(owner, stranger, storage, tmp_path) -> None:  # noqa: ANN001
    world = make_world(owner)
    make_incident(make_world(stranger)["case"], stranger, description="Another person's note")
    before = {
        "incidents": sorted(Incident.objects.values_list("case__uuid", "number", "version")),
        "descriptions": sorted(i.description for i in Incident.objects.all()),
        "exhibits": Exhibit.objects.count(),
        "files": sorted(stored_names()),
    }
    manifest = backup(tmp_path / "backup")
    assert manifest["files"] and {f["path"] for f in manifest["files"]} == set(before["files"])
    assert "master_key" not in json.dumps(manifest).replace("master_key_id", "")
    raw = (tmp_path / "backup" / "database.json").read_text()
    assert "Secret text about the incident" not in raw  # sealed fields stay sealed
    assert "fingerprint" in (tmp_path / "backup" / "KEEP-THE-KEY.txt").read_text()

    _destroy()
    assert not Case.objects.exists() and next(stored_names(), None) is None

    result = restore(tmp_path / "backup")
    assert result.ok, result.problems
    assert result.cases == 2 and result.chains_intact == 2
    assert sorted(Incident.objects.values_list("case__uuid", "number", "version")) == before["incidents"]
    assert sorted(i.description for i in Incident.objects.all()) == before["descriptions"]
    assert Exhibit.objects.count() == before["exhibits"]
    assert sorted(stored_names()) == before["files"]
    case = Case.objects.get(pk=world["case"].pk)
    make_incident(case, case.owner, description="Written after the restore")  # numbering and the chain carry on
    from chain.verification import verify

    assert verify(case).ok


def test_a_damaged_backup_is_refused_before_anything_is_written(owner, storage, tmp_path) -> None:  # noqa: ANN001
    make_world(owner)
    manifest = backup(tmp_path / "backup")
    _destroy()
    victim = tmp_path / "backup" / "files" / manifest["files"][0]["path"]
    victim.write_bytes(victim.read_bytes()[:-1] + b"!")
    with pytest.raises(BackupError, match="has changed since the backup was made"):
        restore(tmp_path / "backup")
    assert not Case.objects.exists() and next(stored_names(), None) is None


def test_the_manifest_cannot_point_outside_the_backup(owner, storage, tmp_path) -> None:  # noqa: ANN001
    make_world(owner)
    backup(tmp_path / "backup")
    path = tmp_path / "backup" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["files"][0]["path"] = "../../etc/passwd"
    path.write_text(json.dumps(manifest))
    with pytest.raises(BackupError, match="outside the backup"):
        check_backup(tmp_path / "backup")


def test_restore_refuses_a_deployment_that_holds_data(owner, storage, tmp_path) -> None:  # noqa: ANN001
    make_world(owner)
    backup(tmp_path / "backup")
    with pytest.raises(BackupError, match="already holds data"):
        restore(tmp_path / "backup")


def test_restore_refuses_the_wrong_master_key(owner, storage, tmp_path, settings) -> None:  # noqa: ANN001
    make_world(owner)
    backup(tmp_path / "backup")
    _destroy()
    settings.DAYBOOK_MASTER_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    with pytest.raises(BackupError, match="master key"):
        restore(tmp_path / "backup")


def test_commands_say_what_they_did(owner, storage, tmp_path) -> None:  # noqa: ANN001
    make_world(owner)
    out = StringIO()
    call_command("backup", str(tmp_path / "b"), stdout=out)
    assert "Backup written" in out.getvalue() and "fingerprint" in out.getvalue()
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(tmp_path / "b"))
    out = StringIO()
    call_command("backup", str(tmp_path / "b"), "--check", stdout=out)
    assert "Backup checked" in out.getvalue()
    _destroy()
    out = StringIO()
    call_command("restore", str(tmp_path / "b"), stdout=out)
    assert "1 of 1 cases verify intact" in out.getvalue()
    with pytest.raises(CommandError, match="not a Daybook backup"):
        call_command("restore", str(tmp_path / "nothing-here"))


def test_sealed_files_in_their_own_storage_are_backed_up_and_restored(owner, storage, tmp_path, settings) -> None:  # noqa: ANN001
    """EVIDENCE_STORAGE names another storage than the default: its sealed files are in the backup and come back."""
    from django.core.files.storage import storages

    from evidence import services

    evidence_dir = tmp_path / "evidence-files"
    settings.STORAGES = {**settings.STORAGES, "sealed": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": evidence_dir}}}
    settings.EVIDENCE_STORAGE = "sealed"
    world = make_world(owner)
    exhibit = services.ingest(world["case"], owner, [b"a photo of the car " * 1000], name="car.jpg").exhibit
    sealed_names = sorted(stored_names(storage=storages["sealed"]))
    assert exhibit.original.name in sealed_names and exhibit.original.name not in set(stored_names())
    manifest = backup(tmp_path / "backup")
    assert {f["path"] for f in manifest["files"] if f.get("storage") == "sealed"} == set(sealed_names)
    check_backup(tmp_path / "backup")

    _destroy()
    for name in sealed_names:
        storages["sealed"].delete(name)
    result = restore(tmp_path / "backup")
    assert result.ok and result.files >= len(sealed_names), result.problems
    assert sorted(stored_names(storage=storages["sealed"])) == sealed_names
    assert Exhibit.objects.get(pk=exhibit.pk).sha256 == exhibit.sha256
    # Restoring it where sealed files have no storage of their own is refused in plain words.
    _destroy()
    for name in sealed_names:
        storages["sealed"].delete(name)
    settings.EVIDENCE_STORAGE = "default"
    with pytest.raises(BackupError, match="EVIDENCE_STORAGE"):
        restore(tmp_path / "backup")
