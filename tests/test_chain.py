"""The hash chain: verification passes on untouched data and finds changes made directly in the database."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core.management import call_command
from django.db import connection

from chain.models import ChainEntry
from chain.verification import verify
from diary.models import Incident, IncidentVersion
from diary.services import IncidentData, edit_incident, retract_incident, snapshot_from_version
from kernel.canonical import canonical_bytes, sha256_hex
from tests.factories import make_incident


@pytest.fixture
def history(case, owner):
    first = make_incident(case, owner, days_ago=3, description="Texts all evening")
    second = make_incident(case, owner, days_ago=2, description="Outside my work", behaviours=["CONT.VISIT"])
    data = IncidentData.from_incident(second)
    data.description = "Outside my work at 9am"
    edit_incident(second, owner, data)
    retract_incident(first, owner, "Entered the wrong case")
    return first, second


def test_untouched_case_is_intact(case, history):
    result = verify(case)
    assert result.ok, result.problem
    assert result.entries == 6  # opened + its details + 2 created + 1 edit + 1 retraction
    case.refresh_from_db()
    assert result.head == case.chain_head


def test_third_party_can_recompute_chain_from_documented_layout(case, history):
    """Recompute every entry hash with plain hashlib/json as docs/ARCHITECTURE.md describes."""
    prev = "0" * 64
    for entry in ChainEntry.objects.filter(case=case).order_by("seq"):
        body = {
            "case": str(case.uuid),
            "seq": entry.seq,
            "kind": entry.kind,
            "ref": entry.ref,
            "at": entry.at,
            "payload_sha256": entry.payload_sha256,
            "prev": prev,
        }
        raw = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
        assert hashlib.sha256(raw).hexdigest() == entry.entry_hash
        prev = entry.entry_hash
    version = IncidentVersion.objects.filter(incident__case=case).first()
    payload = snapshot_from_version(version)
    raw = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert hashlib.sha256(raw).hexdigest() == version.payload_sha256


def test_canonical_form_refuses_floats_and_sorts_keys():
    assert canonical_bytes({"b": 1, "a": "é"}) == '{"a":"é","b":1}'.encode()
    with pytest.raises(TypeError):
        sha256_hex({"x": 1.5})


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_detects_changed_date_in_current_row(case, history):
    _, second = history
    _sql("UPDATE diary_incident SET occurred_at = %s WHERE id = %s", ["2020-01-01 10:00:00", second.pk])
    result = verify(case)
    assert not result.ok
    assert "Incident 2" in result.problem


def test_detects_flag_flipped_in_current_row(case, history):
    _, second = history
    _sql("UPDATE diary_incident SET felt_in_danger = %s WHERE id = %s", [True, second.pk])
    assert not verify(case).ok


def test_detects_swapped_ciphertext_between_versions(case, history):
    _, second = history
    v1, v2 = IncidentVersion.objects.filter(incident=second).order_by("version")
    _sql("UPDATE diary_incidentversion SET snapshot_enc = %s WHERE id = %s", [v1.snapshot_enc, v2.pk])
    result = verify(case)
    assert not result.ok
    assert result.broken_seq is not None


def test_detects_rewritten_version_with_recomputed_payload_hash(case, history, owner):
    """An attacker who re-seals a changed snapshot and updates its hash still breaks the chain link."""
    _, second = history
    version = IncidentVersion.objects.filter(incident=second).order_by("version").first()
    payload = snapshot_from_version(version)
    payload["description"] = "Nothing happened"
    cipher = case.get_cipher()
    sealed = cipher.seal(json.dumps(payload, sort_keys=True), "incidentversion.snapshot")
    _sql(
        "UPDATE diary_incidentversion SET snapshot_enc = %s, payload_sha256 = %s WHERE id = %s",
        [sealed, sha256_hex(payload), version.pk],
    )
    result = verify(case)
    assert not result.ok
    assert "altered" in result.problem


def test_detects_deleted_chain_entry(case, history):
    entry = ChainEntry.objects.get(case=case, seq=3)
    _sql("DELETE FROM diary_chainentry WHERE id = %s", [entry.pk])
    result = verify(case)
    assert not result.ok
    assert result.broken_seq == 3


def test_detects_truncated_chain_tail(case, history):
    last = ChainEntry.objects.filter(case=case).order_by("-seq").first()
    _sql("DELETE FROM diary_chainentry WHERE id = %s", [last.pk])
    assert not verify(case).ok


def test_detects_edited_entry_hash(case, history):
    entry = ChainEntry.objects.get(case=case, seq=2)
    _sql("UPDATE diary_chainentry SET at = %s WHERE id = %s", ["2001-01-01T00:00:00.000000Z", entry.pk])
    result = verify(case)
    assert not result.ok
    assert result.broken_seq == 2


def test_detects_deleted_incident(case, history):
    first, _ = history
    _sql("DELETE FROM diary_incidentbehaviour WHERE incident_id = %s", [first.pk])
    _sql("DELETE FROM diary_searchtoken WHERE incident_id = %s", [first.pk])
    _sql("DELETE FROM diary_incidentversion WHERE incident_id = %s", [first.pk])
    _sql("DELETE FROM diary_incident WHERE id = %s", [first.pk])
    assert not verify(case).ok


def test_verify_case_command_reports_intact_and_broken(case, history, capsys):
    call_command("verify_case", str(case.pk))
    assert "intact" in capsys.readouterr().out
    _sql("UPDATE diary_incident SET channel = %s WHERE case_id = %s", ["email", case.pk])
    with pytest.raises(SystemExit) as exc:
        call_command("verify_case", "--all")
    assert exc.value.code == 1
    assert "BROKEN" in capsys.readouterr().out


def test_integrity_page_shows_intact_then_broken(owner_client, case, history):
    page = owner_client.get(f"/cases/{case.pk}/integrity/").content.decode()
    assert "Intact" in page
    assert Incident.objects.filter(case=case).count() == 2
    _sql("UPDATE diary_incident SET how_many = %s WHERE case_id = %s", [99, case.pk])
    page = owner_client.get(f"/cases/{case.pk}/integrity/").content.decode()
    assert "Broken" in page
    assert "changed outside Daybook" in page
