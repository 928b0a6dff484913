"""The chain check streams (issue 17's memory bar): entries go to the checkers in chunks, each snapshot checker loads
only its chunk's rows, and the results and sentences are those of a check holding everything."""

from __future__ import annotations

import pytest
from django.db import connection

from chain import verification
from chain.verification import verify
from diary import chain_kinds as diary_kinds
from diary.models import IncidentVersion
from diary.services import IncidentData, edit_incident
from evidence import chain_kinds as evidence_kinds
from evidence.services import ingest
from tests.factories import make_incident


@pytest.fixture
def small_chunks(monkeypatch):  # noqa: ANN001, ANN201
    monkeypatch.setattr(verification, "CHUNK", 2)
    monkeypatch.setattr(diary_kinds, "CHUNK", 2)
    loaded: list[int] = []
    real = diary_kinds.IncidentVersions.load
    monkeypatch.setattr(diary_kinds.IncidentVersions, "load", lambda self, refs: loaded.append(len(refs)) or real(self, refs))
    return loaded


@pytest.fixture
def diary(case, owner):  # noqa: ANN001, ANN201
    incidents = [make_incident(case, owner, days_ago=9 - n, description=f"Call {n}", behaviours=["CONT.CALL"]) for n in range(7)]
    data = IncidentData.from_incident(incidents[5])
    data.description = "Call 5, and a text after"
    edit_incident(incidents[5], owner, data)
    ingest(case, owner, [b"x" * 3000], name="a.txt")
    return incidents


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_intact_case_verifies_chunk_by_chunk(case, diary, small_chunks):
    result = verify(case)
    assert result.ok, result.problem
    assert result.entries == 2 + 8 + 1  # opened, details, 7 incidents and an edit, the exhibit
    assert small_chunks and max(small_chunks) <= 2  # never more than a chunk's versions at once


def test_a_version_added_outside_the_chain_is_named(case, diary, small_chunks):
    v = IncidentVersion.objects.filter(incident=diary[2]).get()
    extra = IncidentVersion(incident=v.incident, version=9, action=v.action, recorded_at=v.recorded_at, snapshot_enc=v.snapshot_enc)
    extra.payload_sha256 = v.payload_sha256
    IncidentVersion.objects.bulk_create([extra])
    result = verify(case, files=False)
    assert not result.ok and result.problem == "Incident 3, version 9, is not in the chain: it was added outside Daybook."


def test_a_changed_row_in_a_later_chunk_is_named(case, diary, small_chunks):
    _sql("DELETE FROM diary_incidentbehaviour WHERE incident_id = %s", [diary[6].pk])
    result = verify(case, files=False)
    assert not result.ok and result.problem == "Incident 7's behaviours have been changed outside Daybook: they no longer match version 1."


def test_a_missing_version_is_named_with_its_entry(case, diary, small_chunks):
    v = IncidentVersion.objects.get(incident=diary[5], version=2)
    _sql("DELETE FROM diary_incidentversion WHERE id = %s", [v.pk])
    result = verify(case, files=False)
    assert not result.ok and result.problem.endswith("points to incident/6/v2, which is missing.")


def test_refs_are_parsed_or_refused():
    assert diary_kinds.parse("incident/12/v3") == (12, 3)
    assert evidence_kinds.parse("exhibit/4/e2") == (4, 2)
    assert diary_kinds.parse("incident/x/v3") is None and evidence_kinds.parse("exhibit/4") is None
