"""The evidence bundle: streamed ZIP, manifest, SHA256SUMS that ``sha256sum -c`` accepts, originals byte for byte,
tamper detection that names the file, the verify_bundle command, and a trusted timestamp inside the bundle.

The PDF entry here is small placeholder bytes (the real report comes from reports.pdf, joined up by the views)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from diary.services import retract_incident
from evidence import services
from evidence.models import Exhibit
from evidence.testing import jpeg_with_exif, png
from reports import manifest as mf
from reports.bundle import BundleError, write_bundle
from reports.options import ReportOptions
from reports.timestamp import request_timestamp
from reports.verify import verify_bundle
from tests.factories import Stored, make_incident
from tests.tsa import LocalTSA

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.7\n% placeholder report for the bundle tests\n" + os.urandom(3000) + b"\n%%EOF\n"
NOW = dt.datetime(2025, 6, 1, 12, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    with LocalTSA(tmp_path_factory.mktemp("tsa")) as server:
        yield server


def _ingest(case, owner, data: bytes, name: str, **details):
    return services.ingest(case, owner, [data[i : i + 4096] for i in range(0, len(data), 4096)], name=name, details=services.Details(**details)).exhibit


@pytest.fixture
def filled(case, owner):
    """A case with three incidents (one retracted) and five exhibits with awkward names."""
    first = make_incident(case, owner, days_ago=10, behaviours=["CONT.VISIT"], channel="in_person", description="He waited at 12 Acacia Road")
    second = make_incident(case, owner, days_ago=5, channel="text", description="Forty texts in one night")
    third = make_incident(case, owner, days_ago=2, description="Entered by mistake")
    retract_incident(third, owner, "Wrong day")
    files = {
        "evil": (os.urandom(5000), "../../etc/passwd"),
        "markup": (jpeg_with_exif(), "<b>x</b>.jpg"),
        "dup1": (png(), "photo.png"),
        "dup2": (png(41, 30), "photo.png"),
        "loose": (b"a voicemail transcript\n" * 50, "voicemail.txt"),
    }
    exhibits = {
        "evil": _ingest(case, owner, files["evil"][0], files["evil"][1], incident=first, description="Odd file"),
        "markup": _ingest(case, owner, files["markup"][0], files["markup"][1], incident=first, description="<script>alert(1)</script>"),
        "dup1": _ingest(case, owner, files["dup1"][0], files["dup1"][1], incident=second),
        "dup2": _ingest(case, owner, files["dup2"][0], files["dup2"][1], incident=second),
        "loose": _ingest(case, owner, files["loose"][0], files["loose"][1]),
    }
    physical = services.create_physical(
        case, owner, description="A card left on the car", received_on=dt.date(2025, 5, 1), arrived_how="On the windscreen", kept_where="Kitchen drawer"
    )
    return {"incidents": [first, second, third], "exhibits": exhibits, "files": files, "physical": physical}


def _write(case, path: Path, options: ReportOptions | None = None, token: bytes | None = None, manifest=None, progress=None):
    with open(path, "wb") as out:
        return write_bundle(
            case,
            options or ReportOptions(),
            out,
            pdf_name="Incident log.pdf",
            pdf_chunks=[PDF[:1000], PDF[1000:]],
            pdf_sha256=hashlib.sha256(PDF).hexdigest(),
            pdf_size=len(PDF),
            generated_at=NOW,
            timestamp_token=token,
            manifest=manifest,
            progress=progress,
        )


def _manifest(case, options: ReportOptions | None = None) -> dict:
    return mf.build_manifest(
        case, options or ReportOptions(), pdf_name="Incident log.pdf", pdf_sha256=hashlib.sha256(PDF).hexdigest(), pdf_size=len(PDF), generated_at=NOW
    )


def _timestamped(case, tmp_path: Path, tsa) -> Path:
    manifest = _manifest(case)
    token = request_timestamp(hashlib.sha256(mf.manifest_bytes(manifest)).digest(), tsa.url)
    path = tmp_path / "bundle.zip"
    _write(case, path, token=token, manifest=manifest)
    return path


def _rezip(source: Path, target: Path, change: dict[str, bytes | None] | None = None, add: dict[str, bytes] | None = None) -> None:
    """A copy of the bundle with some entries replaced (None removes one) or added, as someone editing it would."""
    change = change or {}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    dst.writestr(info.filename, change[info.filename])
            else:
                dst.writestr(info, src.read(info.filename))
        for name, data in (add or {}).items():
            dst.writestr(name, data)


def test_bundle_passes_sha256sum_and_holds_the_originals(filled, case, tmp_path):
    stages = []
    info = _write(case, tmp_path / "bundle.zip", progress=lambda stage, done, total: stages.append((stage, done, total)))
    zip_path = tmp_path / "bundle.zip"
    assert info.bytes_written == zip_path.stat().st_size
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        archive.extractall(tmp_path / "out")
    # unzip -t (the standard tool) accepts it too.
    done = subprocess.run(["unzip", "-t", str(zip_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    done = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=tmp_path / "out", capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = [line.split("  ", 1)[1] for line in (tmp_path / "out" / "SHA256SUMS").read_text().splitlines()]
    assert sorted(listed) == sorted(n for n in names if n != "SHA256SUMS")
    assert done.stdout.count(": OK") == len(listed)
    assert names[0] == "Incident log.pdf" and names[-1] == "SHA256SUMS"
    assert {"manifest.json", "README.txt"} <= set(names)

    manifest = json.loads((tmp_path / "out" / "manifest.json").read_bytes())
    assert mf.manifest_bytes(manifest) == (tmp_path / "out" / "manifest.json").read_bytes()  # canonical
    assert hashlib.sha256((tmp_path / "out" / "manifest.json").read_bytes()).hexdigest() == info.manifest_sha256
    by_name = {e["original_name"]: e for e in manifest["exhibits"] if e["kind"] == "file" and e["original_name"] != "photo.png"}
    exhibit_files = [n for n in names if n.startswith("exhibits/")]
    assert len(exhibit_files) == 5 == len(set(n.lower() for n in exhibit_files))  # the two photo.png do not clash
    for key, exhibit in filled["exhibits"].items():
        data, original = filled["files"][key]
        row = next(e for e in manifest["exhibits"] if e["number"] == exhibit.number)
        assert row["original_name"] == original
        assert row["sha256"] == hashlib.sha256(data).hexdigest() and row["size"] == len(data)
        path = tmp_path / "out" / row["file"]
        assert path.read_bytes() == data  # byte-identical to what was uploaded
        assert row["file"].startswith("exhibits/" + exhibit.reference.replace("/", "-") + "_")
        assert ".." not in row["file"] and "<" not in row["file"] and row["file"].count("/") == 1
        assert row["file"].isascii() and len(row["file"]) <= len("exhibits/") + mf.MAX_EXHIBIT_NAME
    assert by_name["<b>x</b>.jpg"]["file"].endswith("_b.jpg")  # "/" ends a folder name: only the last part is kept
    assert by_name["../../etc/passwd"]["file"].endswith("_passwd")
    # Nothing escapes the folder it is unzipped into.
    assert all((tmp_path / "out").resolve() in p.resolve().parents for p in (tmp_path / "out").rglob("*"))

    assert stages[0][0] == "report" and stages[-1][0] == "done"
    assert stages[-1][1] == stages[-1][2] == len(PDF) + sum(len(d) for d, _ in filled["files"].values())
    readme = (tmp_path / "out" / "README.txt").read_text()
    assert "sha256sum -c SHA256SUMS" in readme and "verify_bundle" in readme and info.manifest_sha256 in readme


def test_manifest_contents(filled, case, owner):
    first, second, third = filled["incidents"]
    options = ReportOptions(person_contact="12 Acacia Road\n07700 900123", redact_contact=True, extra_redactions=("Forty",))
    manifest = _manifest(case, options)
    assert manifest["schema"] == "daybook.bundle-manifest" and manifest["version"] == 1
    case.refresh_from_db()
    assert manifest["case"] == {"uuid": str(case.uuid), "chain_head": case.chain_head, "chain_seq": case.chain_seq}
    assert manifest["generated_at"] == "2025-06-01T12:30:00.000000Z"
    raw = mf.manifest_bytes(manifest).decode()
    assert "Acacia" not in raw and "07700" not in raw and "Forty" not in raw  # contact and redaction terms withheld
    assert "person_contact" not in manifest["options"] and manifest["options"]["extra_redactions"] == 1
    rows = {i["number"]: i for i in manifest["incidents"]}
    assert set(rows) == {first.number, second.number, third.number}
    assert rows[first.number]["description"] == "He waited at [withheld]"
    assert rows[third.number]["retracted"] is True and rows[third.number]["retraction_reason"] == "Wrong day"
    assert rows[first.number]["behaviours"] == ["CONT.VISIT"] and rows[second.number]["channel"] == "text"
    latest = third.versions.order_by("-version").first()
    assert rows[third.number]["version_sha256"] == latest.payload_sha256
    assert rows[third.number]["chain_ref"] == f"incident/{third.number}/v{latest.version}"
    assert case.chain.filter(ref=rows[third.number]["chain_ref"], payload_sha256=latest.payload_sha256).exists()
    assert sorted(rows[first.number]["exhibits"]) == sorted([filled["exhibits"]["evil"].reference, filled["exhibits"]["markup"].reference])
    physical = next(e for e in manifest["exhibits"] if e["kind"] == "physical")
    assert physical["file"] is None and physical["sha256"] is None and physical["description"] == "A card left on the car"

    # Only the second incident: only its exhibits (the same rule as the PDF's index, reports.options.select_exhibits:
    # exhibits linked to no incident come in only when no particular incidents were chosen).
    only = _manifest(case, ReportOptions(incident_numbers=(second.number,)))
    assert [i["number"] for i in only["incidents"]] == [second.number]
    refs = {e["reference"] for e in only["exhibits"]}
    assert refs == {link.exhibit.reference for link in second.exhibit_links.select_related("exhibit")} and refs
    assert filled["exhibits"]["loose"].reference not in refs and filled["exhibits"]["evil"].reference not in refs
    everything = {e["reference"] for e in _manifest(case, ReportOptions())["exhibits"]}
    assert filled["exhibits"]["loose"].reference in everything


def test_continuity_in_manifest(filled, case, owner):
    exhibit = filled["exhibits"]["loose"]
    services.add_continuity(exhibit, owner, action="handed_over", happened_on=dt.date(2025, 5, 20), to="PC Smith", officer="PC 123", to_police=True)
    row = next(e for e in _manifest(case)["exhibits"] if e["number"] == exhibit.number)
    assert row["continuity"][0]["action"] == "handed_over" and row["continuity"][0]["to"] == "PC Smith"
    assert row["custody"] == "police"


def test_intact_bundle_verifies(filled, case, tmp_path):
    _write(case, tmp_path / "bundle.zip")
    result = verify_bundle(tmp_path / "bundle.zip")
    assert result.ok, result.problems
    assert result.timestamp is None
    assert len(result.checked) == 9  # pdf, 5 exhibits, manifest, README, SHA256SUMS


def test_one_changed_byte_in_any_file_is_named(filled, case, tmp_path, tsa):
    source = _timestamped(case, tmp_path, tsa)
    assert verify_bundle(source, tsa_ca_file=tsa.ca_file).ok
    with zipfile.ZipFile(source) as archive:
        contents = {n: archive.read(n) for n in archive.namelist()}
    assert "manifest.json.tsr" in contents
    for name, data in contents.items():
        for pos in {0, len(data) // 2, len(data) - 1}:
            changed = bytearray(data)
            changed[pos] ^= 0x04
            target = tmp_path / "tampered.zip"
            _rezip(source, target, {name: bytes(changed)})
            result = verify_bundle(target, tsa_ca_file=tsa.ca_file)
            assert not result.ok, (name, pos)
            assert name in result.changed, (name, pos, result.problems)
            assert any(name in p for p in result.problems)
            if name.startswith("exhibits/") or name.endswith(".pdf"):
                assert result.changed == [name], result.problems  # precisely that file, nothing else


def test_changed_exhibit_message_gives_both_hashes(filled, case, tmp_path):
    source = tmp_path / "bundle.zip"
    _write(case, source)
    with zipfile.ZipFile(source) as archive:
        name = next(n for n in archive.namelist() if n.startswith("exhibits/"))
        data = archive.read(name)
    _rezip(source, tmp_path / "t.zip", {name: data + b"x"})
    result = verify_bundle(tmp_path / "t.zip")
    (problem,) = result.problems
    assert name in problem and hashlib.sha256(data).hexdigest() in problem and hashlib.sha256(data + b"x").hexdigest() in problem


def test_a_raw_byte_flipped_inside_the_zip_is_named(filled, case, tmp_path):
    source = tmp_path / "bundle.zip"
    _write(case, source)
    with zipfile.ZipFile(source) as archive:
        info = next(i for i in archive.infolist() if i.filename.startswith("exhibits/"))
    raw = bytearray(source.read_bytes())
    raw[info.header_offset + 30 + len(info.filename) + 60] ^= 0xFF  # inside the stored data, past any extra field
    (tmp_path / "flip.zip").write_bytes(bytes(raw))
    result = verify_bundle(tmp_path / "flip.zip")
    assert not result.ok and result.changed == [info.filename], result.problems


def test_added_and_removed_files_are_named(filled, case, tmp_path):
    source = tmp_path / "bundle.zip"
    _write(case, source)
    with zipfile.ZipFile(source) as archive:
        victim = next(n for n in archive.namelist() if n.startswith("exhibits/"))
    _rezip(source, tmp_path / "added.zip", add={"exhibits/extra.jpg": b"planted"})
    result = verify_bundle(tmp_path / "added.zip")
    assert not result.ok and result.changed == ["exhibits/extra.jpg"]
    assert "not listed in SHA256SUMS" in result.problems[0]
    _rezip(source, tmp_path / "removed.zip", {victim: None})
    result = verify_bundle(tmp_path / "removed.zip")
    assert not result.ok and result.changed == [victim]
    assert "missing from the bundle" in result.problems[0]
    _rezip(source, tmp_path / "nosums.zip", {"SHA256SUMS": None})
    result = verify_bundle(tmp_path / "nosums.zip")
    assert not result.ok and "SHA256SUMS is missing" in result.problems[0]
    _rezip(source, tmp_path / "sneaky.zip", add={"../outside.txt": b"x"})
    result = verify_bundle(tmp_path / "sneaky.zip")
    assert any("outside the bundle" in p for p in result.problems)


def test_truncated_or_missing_bundle(filled, case, tmp_path):
    source = tmp_path / "bundle.zip"
    _write(case, source)
    raw = source.read_bytes()
    (tmp_path / "cut.zip").write_bytes(raw[: len(raw) // 2])
    result = verify_bundle(tmp_path / "cut.zip")
    assert not result.ok and "not a complete ZIP file" in result.problems[0] and "truncated" in result.problems[0]
    (tmp_path / "empty.zip").write_bytes(b"")
    assert "not a complete ZIP" in verify_bundle(tmp_path / "empty.zip").problems[0]
    assert "There is no file" in verify_bundle(tmp_path / "nope.zip").problems[0]
    assert "is a folder" in verify_bundle(tmp_path).problems[0]


def test_timestamp_in_bundle(filled, case, tmp_path, tsa):
    path = _timestamped(case, tmp_path, tsa)
    result = verify_bundle(path, tsa_ca_file=tsa.ca_file)
    assert result.ok, result.problems
    assert result.timestamp.ok and result.timestamp.trusted
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "out")
    assert "openssl ts -verify" in (tmp_path / "out" / "README.txt").read_text()
    done = subprocess.run(
        ["openssl", "ts", "-verify", "-data", "manifest.json", "-in", "manifest.json.tsr", "-CAfile", str(tsa.ca_file)],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" in done.stdout, done.stderr
    # A timestamp from an authority the receiver does not trust is reported.
    with LocalTSA(tmp_path / "rogue", name="Rogue") as rogue:
        result = verify_bundle(path, tsa_ca_file=rogue.ca_file)
    assert not result.ok and result.changed == ["manifest.json.tsr"] and "trusted authority" in result.problems[0]


def test_token_must_match_the_manifest(filled, case, tmp_path, tsa):
    token = request_timestamp(hashlib.sha256(b"another manifest").digest(), tsa.url)
    with pytest.raises(BundleError, match="not for this manifest"):
        _write(case, tmp_path / "b.zip", token=token)


def test_non_seekable_writer(filled, case, tmp_path):
    class WriteOnly(io.RawIOBase):
        def __init__(self) -> None:
            self.parts: list[bytes] = []

        def writable(self) -> bool:
            return True

        def write(self, data) -> int:
            self.parts.append(bytes(data))
            return len(data)

        def seekable(self) -> bool:
            return False

        def tell(self) -> int:
            raise OSError("not seekable")

        def seek(self, *args) -> int:
            raise OSError("not seekable")

    sink = WriteOnly()
    info = write_bundle(
        case,
        ReportOptions(),
        sink,
        pdf_name="r.pdf",
        pdf_chunks=iter([PDF]),
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        pdf_size=len(PDF),
        generated_at=NOW,
    )
    data = b"".join(sink.parts)
    assert len(data) == info.bytes_written
    (tmp_path / "piped.zip").write_bytes(data)
    assert verify_bundle(tmp_path / "piped.zip").ok
    with zipfile.ZipFile(tmp_path / "piped.zip") as archive:
        assert archive.testzip() is None
        assert all(i.flag_bits & 0x08 for i in archive.infolist())  # data descriptors: sizes written after the data


def test_tampered_sealed_blob_stops_the_bundle(filled, case, tmp_path):
    exhibit = Exhibit.objects.get(pk=filled["exhibits"]["dup2"].pk)
    path = Stored(exhibit.original.name)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    with pytest.raises(BundleError, match=f"Exhibit {exhibit.reference}: its stored file has been altered or damaged"):
        _write(case, tmp_path / "bundle.zip")
    # What was written is not a usable ZIP (no central directory), so it cannot be mistaken for a bundle.
    assert not verify_bundle(tmp_path / "bundle.zip").ok


def test_missing_blob_stops_the_bundle(filled, case, tmp_path):
    exhibit = Exhibit.objects.get(pk=filled["exhibits"]["loose"].pk)
    Stored(exhibit.original.name).unlink()
    with pytest.raises(BundleError, match=f"Exhibit {exhibit.reference}: its stored file is missing"):
        _write(case, tmp_path / "bundle.zip")


def test_wrong_pdf_bytes_are_refused(filled, case, tmp_path):
    with open(tmp_path / "b.zip", "wb") as out, pytest.raises(BundleError, match="report given"):
        write_bundle(
            case,
            ReportOptions(),
            out,
            pdf_name="r.pdf",
            pdf_chunks=[PDF + b"x"],
            pdf_sha256=hashlib.sha256(PDF).hexdigest(),
            pdf_size=len(PDF),
            generated_at=NOW,
        )


def test_exhibit_names():
    class E:
        def __init__(self, number, reference, name, kind="file"):
            self.number, self.reference, self.original_name, self.kind = number, reference, name, kind

    items = [
        E(1, "JB/1", "../../etc/passwd"),
        E(2, "JB/2", "photo.png"),
        E(3, "JB-2", "PHOTO.png"),
        E(4, "JB/4", "x" * 500 + ".jpeg"),
        E(5, "写真/5", "写真.jpg"),
        E(6, "JB/6", "con.txt"),
        E(7, "JB/7", "a\u202egpj.exe"),
        E(8, "JB/8", "", "physical"),
        E(9, "../..", "..."),
    ]
    got = mf.exhibit_file_names(items)
    assert got[1] == "exhibits/JB-1_passwd"
    assert got[2] == "exhibits/JB-2_photo.png" and got[3] == "exhibits/JB-2_PHOTO_2.png"
    assert got[4].endswith(".jpeg") and len(got[4]) <= len("exhibits/") + mf.MAX_EXHIBIT_NAME
    assert got[5] == "exhibits/EX-5_exhibit-5.jpg"
    assert got[7] == "exhibits/JB-7_agpj.exe"
    assert 8 not in got
    assert got[9].startswith("exhibits/EX-9_") or got[9].startswith("exhibits/")
    for name in got.values():
        assert name.isascii() and name.count("/") == 1 and ".." not in name.split("/")[1][:2]


def _command(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "daybook.settings_test"}
    return subprocess.run([sys.executable, "manage.py", "verify_bundle", *args], cwd=ROOT, capture_output=True, text=True, env=env, timeout=120)


def test_command_exit_codes_and_output(filled, case, tmp_path, tsa):
    path = _timestamped(case, tmp_path, tsa)
    done = _command(str(path), "--tsa-ca", str(tsa.ca_file))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Intact: 10 files checked" in done.stdout  # with manifest.json.tsr
    assert "Trusted timestamp:" in done.stdout and "Daybook Test TSA" in done.stdout

    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.startswith("exhibits/"))
        data = archive.read(name)
    _rezip(path, tmp_path / "t.zip", {name: data[:-1] + bytes([data[-1] ^ 1])})
    done = _command(str(tmp_path / "t.zip"), "--tsa-ca", str(tsa.ca_file))
    assert done.returncode == 1
    assert "NOT INTACT" in done.stdout and name in done.stdout and "Traceback" not in done.stdout + done.stderr

    for bad in (str(tmp_path / "missing.zip"), str(tmp_path)):
        done = _command(bad)
        assert done.returncode == 1 and "Traceback" not in done.stderr
        assert "no file" in done.stdout or "folder" in done.stdout
    (tmp_path / "cut.zip").write_bytes(path.read_bytes()[:1000])
    done = _command(str(tmp_path / "cut.zip"))
    assert done.returncode == 1 and "truncated" in done.stdout and "Traceback" not in done.stderr
    done = _command(str(path), "--tsa-ca", str(tmp_path / "none.pem"))
    assert done.returncode == 1 and "does not exist" in done.stderr


def test_command_in_process(filled, case, tmp_path, capsys):
    _write(case, tmp_path / "bundle.zip")
    call_command("verify_bundle", str(tmp_path / "bundle.zip"))
    assert "Intact: 9 files checked" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_bundle", str(tmp_path / "absent.zip"))
    assert exit_info.value.code == 1


def test_generated_at_is_recorded(filled, case, tmp_path):
    when = timezone.now()
    manifest = mf.build_manifest(case, ReportOptions(), pdf_name="x.pdf", pdf_sha256="0" * 64, pdf_size=1, generated_at=when)
    assert manifest["generated_at"].startswith(when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M"))
    assert manifest["report"]["file"] == "x.pdf"
    assert mf.safe_pdf_name("../manifest.json") == "manifest.json.pdf"
    assert mf.safe_pdf_name("SHA256SUMS") == "SHA256SUMS.pdf"


def test_a_changed_line_in_sha256sums_is_blamed_on_sha256sums(filled, case, tmp_path):
    source = tmp_path / "bundle.zip"
    _write(case, source)
    with zipfile.ZipFile(source) as archive:
        lines = archive.read("SHA256SUMS").decode().splitlines()
    target = next(i for i, line in enumerate(lines) if "  exhibits/" in line)
    sha, name = lines[target].split("  ", 1)
    lines[target] = ("0" if sha[0] != "0" else "1") + sha[1:] + "  " + name
    _rezip(source, tmp_path / "t.zip", {"SHA256SUMS": ("\n".join(lines) + "\n").encode()})
    result = verify_bundle(tmp_path / "t.zip")
    assert not result.ok and result.changed == ["SHA256SUMS"], result.problems
    assert name in result.problems[0] and "as manifest.json records" in result.problems[0]
    # The README's record of the manifest's hash changed: README.txt is the file blamed for it.
    with zipfile.ZipFile(source) as archive:
        readme = archive.read("README.txt").decode()
    at = readme.index("SHA-256 of manifest.json: ") + len("SHA-256 of manifest.json: ")
    changed = readme[:at] + ("0" if readme[at] != "0" else "1") + readme[at + 1 :]
    _rezip(source, tmp_path / "r.zip", {"README.txt": changed.encode()})
    result = verify_bundle(tmp_path / "r.zip")
    assert not result.ok and "README.txt" in result.changed and "manifest.json" not in result.changed
    assert any(p.startswith("README.txt has been changed: the SHA-256 written in README.txt") for p in result.problems), result.problems
