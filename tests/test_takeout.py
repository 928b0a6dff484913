"""My data (issue 17, item 4): the export, loading it back, refusals of edited and hostile files, deletion."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case
from chain.verification import verify
from diary.models import Incident, IncidentVersion
from evidence.models import Exhibit
from takeout import rows
from takeout.deletion import delete_case_now
from takeout.export import write_export
from takeout.load import LoadRefused, load_export
from tests.factories import make_case, make_exhibit, make_incident, make_user, make_world


def export_bytes(user) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    write_export(user, buf)
    return buf.getvalue()


def snapshot(case: Case) -> dict:
    """What a person sees of a case: its text, incidents with every version, exhibits with their hashes."""
    case = Case.objects.get(pk=case.pk)
    incidents = []
    for inc in Incident.objects.filter(case=case).order_by("number"):
        inc.case = case
        versions = [(v.version, v.action, v.payload_sha256, v.recorded_at) for v in IncidentVersion.objects.filter(incident=inc).order_by("version")]
        incidents.append((inc.number, inc.description, inc.occurred_at, inc.behaviours, versions))
    exhibits = []
    for ex in Exhibit.objects.filter(case=case).order_by("number"):
        ex.case = case
        exhibits.append((ex.number, ex.reference, ex.description, ex.sha256, ex.kind))
    return {
        "label": case.label,
        "suspect": case.suspect_name,
        "head": (case.chain_seq, case.chain_head),
        "incidents": incidents,
        "exhibits": exhibits,
        "sightings": sorted((s.number, s.what) for s in _sightings(case)),
    }


def _sightings(case: Case) -> list:
    from circle.models import Sighting

    out = []
    for s in Sighting.objects.filter(case=case):
        s.case = case
        out.append(s)
    return out


def test_every_model_holding_a_case_is_exported_or_named_as_left_out(db) -> None:  # noqa: ANN001
    from django.apps import apps

    holding = set()
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and (f.related_model is Case or f.related_model._meta.label in rows.LABELS):
                holding.add(model._meta.label)
    missing = holding - rows.LABELS - rows.LEFT_OUT - {"cases.Case"}
    assert not missing, f"add these to takeout/rows.py PLAN or LEFT_OUT: {sorted(missing)}"


def test_round_trip_into_another_account_is_equal_and_every_chain_verifies(owner) -> None:  # noqa: ANN001
    world = make_world(owner)
    case = world["case"]
    before = snapshot(case)
    data = export_bytes(owner)
    # Move to "another Daybook": the case is gone from here, loaded into a new account.
    delete_case_now(case)
    other = make_user("mover")
    outcome = load_export(io.BytesIO(data), other)
    assert outcome.loaded == [str(case.uuid)]
    loaded = Case.objects.get(uuid=case.uuid)
    assert loaded.owner == other
    assert verify(loaded).ok, verify(loaded).problem
    assert snapshot(loaded) == before


# --- helpers ----------------------------------------------------------------------------------------------------


def rezip(data: bytes, change: dict[str, bytes | None], *, fix_hashes: bool = False, extra: list[tuple[zipfile.ZipInfo | str, bytes]] = ()) -> bytes:  # noqa: B006
    """The export with members replaced (None: removed); ``fix_hashes`` rewrites the manifest and SHA256SUMS too,
    as someone editing the export with care would."""
    src = zipfile.ZipFile(io.BytesIO(data))
    members = {info.filename: src.read(info) for info in src.infolist()}
    for name, value in change.items():
        if value is None:
            members.pop(name, None)
        else:
            members[name] = value
    if fix_hashes:
        manifest = json.loads(members["manifest.json"])
        for name in list(manifest["files"]):
            if name in members:
                manifest["files"][name] = {"sha256": hashlib.sha256(members[name]).hexdigest(), "size": len(members[name])}
        raw = json.dumps(manifest).encode()
        members["manifest.json"] = raw
        sums = "".join(f"{v['sha256']}  {k}\n" for k, v in manifest["files"].items()) + f"{hashlib.sha256(raw).hexdigest()}  manifest.json\n"
        members["SHA256SUMS"] = sums.encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, value in members.items():
            zf.writestr(name, value)
        for info, value in extra:
            zf.writestr(info, value)
    return out.getvalue()


def refusal(data: bytes, user) -> list[str]:  # noqa: ANN001
    with pytest.raises(LoadRefused) as caught:
        load_export(io.BytesIO(data), user)
    return caught.value.problems


def rows_name(case: Case, label: str) -> str:
    return f"cases/{case.uuid}/rows/{label}.jsonl"


@pytest.fixture
def exported(owner):  # noqa: ANN001, ANN201
    case = make_case(owner)
    make_incident(case, owner, description="He was outside the house again")
    make_incident(case, owner, description="Three calls at night")
    make_exhibit(case, owner)
    return case, export_bytes(owner)


# --- round trip and loading twice -------------------------------------------------------------------------------


def test_the_manifest_lists_every_file_with_its_hash_and_sha256sums_agrees(exported) -> None:  # noqa: ANN001
    case, data = exported
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["format"] == "daybook.export.v1"
    names = {i.filename for i in zf.infolist()} - {"manifest.json", "SHA256SUMS"}
    assert names == set(manifest["files"])
    sums = dict(reversed(line.split("  ")) for line in zf.read("SHA256SUMS").decode().splitlines())
    for name in names:
        assert hashlib.sha256(zf.read(name)).hexdigest() == manifest["files"][name]["sha256"] == sums[name]
    assert sums["manifest.json"] == hashlib.sha256(zf.read("manifest.json")).hexdigest()
    # The person can read what they wrote; the original file is there, decrypted, with its hash.
    readable = zf.read(f"cases/{case.uuid}/readable/diary.Incident.jsonl").decode()
    assert "He was outside the house again" in readable
    [blob] = manifest["cases"][0]["evidence"].values()
    assert zf.read(blob) == b"a message he sent\n"
    # Sealed columns stay sealed in the stored rows.
    assert "He was outside" not in zf.read(rows_name(case, "diary.Incident")).decode()


def test_loading_twice_does_not_duplicate(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    first = load_export(io.BytesIO(data), owner)
    assert first.loaded == [] and first.already == [str(case.uuid)]
    assert Case.objects.filter(owner=owner).count() == 1
    delete_case_now(case)
    other = make_user("mover")
    assert load_export(io.BytesIO(data), other).loaded == [str(case.uuid)]
    again = load_export(io.BytesIO(data), other)
    assert again.loaded == [] and again.already == [str(case.uuid)]
    assert Incident.objects.filter(case__owner=other).count() == 2


def test_a_case_held_by_another_account_is_refused(owner, stranger, exported) -> None:  # noqa: ANN001
    _, data = exported
    [problem] = refusal(data, stranger)
    assert "another account" in problem


# --- edited exports -----------------------------------------------------------------------------------------------


def test_an_edited_file_is_refused_naming_it(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    delete_case_now(case)
    name = f"cases/{case.uuid}/readable/diary.Incident.jsonl"
    src = zipfile.ZipFile(io.BytesIO(data))
    edited = rezip(data, {name: src.read(name).replace(b"again", b"once")})
    problems = refusal(edited, owner)
    assert problems == [f"{name} differs from the export that was made: its SHA-256 does not match the manifest."]
    assert not Case.objects.filter(uuid=case.uuid).exists()


def test_an_edit_with_the_hashes_rewritten_is_caught_by_the_chain(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    delete_case_now(case)
    name = rows_name(case, "diary.Incident")
    src = zipfile.ZipFile(io.BytesIO(data))
    lines = [json.loads(line) for line in src.read(name).decode().splitlines()]
    lines[0]["occurred_at"] = "2020-01-01T10:00:00+00:00"
    edited = rezip(data, {name: "".join(json.dumps(r) + "\n" for r in lines).encode()}, fix_hashes=True)
    [problem] = refusal(edited, owner)
    assert "hash chain does not verify" in problem and "Incident 1" in problem
    assert not Case.objects.filter(uuid=case.uuid).exists()


def test_an_edited_manifest_is_refused(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    src = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(src.read("manifest.json"))
    manifest["cases"][0]["label"] = "Changed"
    problems = refusal(rezip(data, {"manifest.json": json.dumps(manifest).encode()}), owner)
    assert "manifest.json differs from the one in SHA256SUMS: the manifest was edited." in problems


def test_a_removed_or_added_file_is_refused(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    name = rows_name(case, "diary.WeekCount")
    problems = refusal(rezip(data, {name: None}), owner)
    assert f"{name} is in the manifest but missing from the file." in problems
    added = f"cases/{case.uuid}/evidence/{'0' * 8}-0000-0000-0000-{'0' * 12}"
    problems = refusal(rezip(data, {added: b"planted"}), owner)
    assert f"{added} is not in the manifest: it was added after the export was made." in problems


def test_a_changed_evidence_file_is_refused(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    delete_case_now(case)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))
    [name] = manifest["cases"][0]["evidence"].values()
    assert name in refusal(rezip(data, {name: b"a different message\n"}), owner)[0]
    # Even with the hashes rewritten, the exhibit's own recorded hash does not match.
    [problem] = refusal(rezip(data, {name: b"a different message\n"}, fix_hashes=True), owner)
    assert "does not match its recorded SHA-256" in problem


# --- hostile files ----------------------------------------------------------------------------------------------


def test_not_a_zip_is_refused(owner) -> None:  # noqa: ANN001
    assert refusal(b"just some text, not a zip", owner) == ["This file is not a Daybook export: it is not a ZIP file, or it is damaged."]


def test_a_zip_without_a_manifest_is_refused(owner) -> None:  # noqa: ANN001
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("SHA256SUMS", b"")
    assert refusal(out.getvalue(), owner) == ["This file is not a Daybook export: it has no manifest.json."]


def test_another_format_is_refused(owner) -> None:  # noqa: ANN001
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", json.dumps({"format": "something.else.v9"}))
    [problem] = refusal(out.getvalue(), owner)
    assert "something.else.v9" in problem and "daybook.export.v1" in problem
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("manifest.json", b"[1, 2")
    assert refusal(out.getvalue(), owner) == ["The manifest is not readable JSON: the export was damaged or edited."]


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", "cases/../../x", "cases\\..\\x", "C:/x", "cases/abc/rows/x.jsonl", "other.txt"])
def test_names_outside_the_export_are_refused(owner, exported, name) -> None:  # noqa: ANN001
    _, data = exported
    info = zipfile.ZipInfo(name)
    problems = refusal(rezip(data, {}, extra=[(info, b"x")]), owner)
    assert any(repr(name) in p or name in p for p in problems), problems
    assert any("outside the export" in p or "not part of a Daybook export" in p for p in problems)


def test_a_zip_bomb_is_refused_before_it_is_opened(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    name = f"cases/{case.uuid}/evidence/{'1' * 8}-0000-0000-0000-{'0' * 12}"
    problems = refusal(rezip(data, {name: b"\0" * (8 << 20)}), owner)
    assert any("refused as a ZIP bomb" in p and name in p for p in problems)


def test_an_export_larger_than_allowed_is_refused(owner, exported, settings) -> None:  # noqa: ANN001
    _, data = exported
    settings.DAYBOOK_EXPORT_LOAD_MAX_BYTES = 1000
    assert any("more than this Daybook accepts" in p for p in refusal(data, owner))


def test_links_and_encrypted_members_are_refused(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    link = zipfile.ZipInfo(f"cases/{case.uuid}/evidence/{'2' * 8}-0000-0000-0000-{'0' * 12}")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    assert any("is a link, not a file" in p for p in refusal(rezip(data, {}, extra=[(link, b"/etc/passwd")]), owner))
    # zipfile cannot write an encrypted member: flip the flag in the headers, as another tool would have set it.
    name = f"cases/{case.uuid}/evidence/{'3' * 8}-0000-0000-0000-{'0' * 12}".encode()
    plain = rezip(data, {}, extra=[(name.decode(), b"xx")])
    central = plain.rindex(b"PK\x01\x02", 0, plain.rindex(name))
    local = plain.rindex(b"PK\x03\x04", 0, plain.index(name))
    raw = bytearray(plain)
    raw[local + 6] |= 0x1
    raw[central + 8] |= 0x1
    assert any("encrypted inside the ZIP" in p for p in refusal(bytes(raw), owner))


def test_a_value_of_the_wrong_type_is_refused(owner, exported) -> None:  # noqa: ANN001
    case, data = exported
    delete_case_now(case)
    name = rows_name(case, "diary.Incident")
    src = zipfile.ZipFile(io.BytesIO(data))
    lines = [json.loads(line) for line in src.read(name).decode().splitlines()]
    lines[0]["occurred_at"] = "last tuesday"
    edited = rezip(data, {name: "".join(json.dumps(r) + "\n" for r in lines).encode()}, fix_hashes=True)
    [problem] = refusal(edited, owner)
    assert problem == "diary.Incident: a value of occurred_at is not a DateTimeField."


def test_the_consent_given_to_a_service_is_in_the_export_to_read(owner) -> None:  # noqa: ANN001
    from casework.testing import make_referral
    from circle import shares
    from circle.scope import Scope
    from organisations.models import Role
    from organisations.testing import make_org, make_staff

    org = make_org("Kent Victim Hub", "ENG", "kent")
    lead = make_staff(org, Role.TEAM_LEAD, "Lee Lead")
    client = make_referral(lead, full_name="Alice Example").client
    case = make_case(owner)
    shares._new_share(owner, case, client, "code", Scope(diary=True))
    zf = zipfile.ZipFile(io.BytesIO(export_bytes(owner)))
    [row] = [json.loads(line) for line in zf.read(f"cases/{case.uuid}/readable/circle.Share.jsonl").decode().splitlines()]
    assert row["organisation"] == "Kent Victim Hub" and row["diary"] is True and row["ended_at"] is None
    assert "client_id" not in row and "Alice" not in json.dumps(row)


@given(st.text(min_size=1, max_size=80))
def test_any_member_name_outside_the_layout_is_refused_never_a_crash(name: str) -> None:
    from takeout.load import SAFE_NAME, check_members

    info = zipfile.ZipInfo("x")
    info.filename = name  # as read from a hostile ZIP's directory, unnormalised
    info.file_size = info.compress_size = 10
    problems = check_members([info])
    if SAFE_NAME.match(name) and ".." not in name.split("/"):
        assert not any(name in p for p in problems)
    else:
        assert problems
