"""diary.services.create_incidents records many incidents at once exactly as create_incident does one by one:
the same numbers, snapshots, chain (verified), search results, behaviour filters, week counts and audit rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from audit.models import AuditEvent
from cases.services import create_case
from chain.models import ChainEntry
from chain.verification import verify
from diary import selectors
from diary import services as diary
from diary.models import Incident, IncidentBehaviour, IncidentVersion, SearchToken, WeekCount
from diary.services import IncidentData, create_incident, create_incidents, edit_incident, retract_incident, snapshot_from_version

UTC = dt.UTC
BASE = dt.datetime(2024, 3, 4, 9, 15, tzinfo=UTC)  # a Monday


def _items() -> list[IncidentData]:
    """A varied set: several weeks (one with three incidents), behaviours, channels, witnesses, a long text."""
    return [
        IncidentData(
            occurred_at=BASE,
            description="31 WhatsApp messages, 03:10 to 23:45. Quote: “I know where you live”",
            channel="messaging_app",
            how_many=31,
            behaviours=["CONT.MSG", "THRT.KILL"],
            location_kind="online",
        ),
        IncidentData(
            occurred_at=BASE + dt.timedelta(hours=5),
            ended_at=BASE + dt.timedelta(hours=6),
            description="Six missed calls from a withheld number",
            channel="phone_call",
            how_many=6,
            behaviours=["CONT.CALL"],
        ),
        IncidentData(
            occurred_at=BASE + dt.timedelta(days=2),
            description="He was outside my house again",
            location="Outside home",
            location_kind="home",
            witnesses=[{"name": "Sam", "contact": "", "saw": "his car"}],
            feelings="Scared",
            impact="Did not sleep",
            notes="private note",
            felt_in_danger=True,
        ),
        IncidentData(occurred_at=BASE + dt.timedelta(days=9), description="Flowers left at work. " + "word " * 400, channel="gift", behaviours=["CONT.GIFT"]),
        IncidentData(occurred_at=BASE + dt.timedelta(days=40), time_precision="date", description="Email to my sister", channel="email"),
    ]


def _comparable(payload: dict) -> dict:
    """A snapshot without what differs between two cases or two moments (case uuid, times)."""
    return {k: v for k, v in payload.items() if k not in {"case", "recorded_at", "first_recorded_at", "recorded_by"}}


def _state(case) -> dict:
    incidents = list(Incident.objects.filter(case=case).order_by("number"))
    versions = {
        v.incident.number: _comparable(snapshot_from_version(v)) for v in IncidentVersion.objects.filter(incident__case=case).select_related("incident__case")
    }
    searches = {}
    for word in ("whatsapp", "live", "withheld", "outside", "sam", "car", "scared", "sleep", "private", "flowers", "word", "sister", "nothing"):
        searches[word] = sorted(i.number for i in selectors.filtered(case, {"q": word}))
    behaviours = {code: sorted(i.number for i in selectors.filtered(case, {"behaviour": code})) for code in ("CONT.MSG", "CONT.CALL", "CONT.GIFT", "THRT.KILL")}
    return {
        "numbers": [i.number for i in incidents],
        "descriptions": [i.description for i in incidents],
        "versions": versions,
        "searches": searches,
        "behaviours": behaviours,
        "weeks": sorted(WeekCount.objects.filter(case=case).values_list("week", "count")),
        "token_count": SearchToken.objects.filter(case=case).count(),
        "chain_kinds": list(ChainEntry.objects.filter(case=case).order_by("seq").values_list("kind", "ref")),
        "audit": sorted(AuditEvent.objects.filter(case=case, action__startswith="incident.").values_list("action", "target", "by_owner", "actor")),
    }


@pytest.fixture
def twin(owner):
    return create_case(owner, label="twin", relationship="ex_partner")


def test_bulk_equals_one_by_one(case, twin, owner, capsys):
    for data in _items():
        create_incident(case, owner, data)
    made = create_incidents(twin, owner, _items())

    assert [i.number for i in made] == [1, 2, 3, 4, 5]
    assert all(i.pk for i in made)
    one_by_one, bulk = _state(case), _state(twin)
    assert bulk == one_by_one
    assert bulk["searches"]["live"] == [1] and bulk["searches"]["sam"] == [3] and bulk["searches"]["nothing"] == []
    assert bulk["behaviours"]["CONT.CALL"] == [2]
    assert dict(bulk["weeks"]) == {dt.date(2024, 3, 4): 3, dt.date(2024, 3, 11): 1, dt.date(2024, 4, 8): 1}

    result = verify(twin)
    assert result.ok, result.problem
    assert result.entries == 7  # case opened + its details + 5 created
    twin.refresh_from_db()
    assert (twin.incident_seq, twin.chain_seq, twin.chain_head) == (5, 7, result.head)
    call_command("verify_case", str(twin.pk))
    assert "intact" in capsys.readouterr().out


def test_bulk_continues_numbers_chain_and_week_counts_of_a_used_case(case, owner):
    create_incident(case, owner, IncidentData(occurred_at=BASE + dt.timedelta(days=1), description="Before the import"))
    made = create_incidents(case, owner, _items())
    after = create_incident(case, owner, IncidentData(occurred_at=BASE, description="After the import"))

    assert [i.number for i in made] == [2, 3, 4, 5, 6] and after.number == 7
    assert WeekCount.objects.get(case=case, week=dt.date(2024, 3, 4)).count == 5  # 1 before + 3 bulk + 1 after
    assert verify(case).ok
    assert ChainEntry.objects.filter(case=case).count() == 9  # opened, its details, 7 incidents
    # The in-memory case the caller holds is up to date (a following write continues the chain from it).
    assert case.chain_seq == 9 and case.incident_seq == 7


def test_bulk_made_incidents_can_be_edited_and_retracted(case, owner):
    first, second, *_ = create_incidents(case, owner, _items())
    data = IncidentData.from_incident(Incident.objects.get(pk=first.pk))
    data.description = "Corrected: 30 messages"
    edit_incident(first, owner, data)
    retract_incident(second, owner, "import undone")

    assert verify(case).ok
    assert [i.number for i in selectors.filtered(case, {"q": "corrected"})] == [1]
    assert [i.number for i in selectors.filtered(case, {"q": "whatsapp"})] == []
    assert WeekCount.objects.get(case=case, week=dt.date(2024, 3, 4)).count == 2
    assert [v.action for v in IncidentVersion.objects.filter(incident=second)] == ["created", "retracted"]


def test_bulk_in_chunks_gives_the_same_chain(case, twin, owner, monkeypatch):
    create_incidents(case, owner, _items())
    monkeypatch.setattr(diary, "BULK_CHUNK", 2)
    create_incidents(twin, owner, _items())
    assert _state(twin) == _state(case)
    assert verify(twin).ok


def test_nothing_to_record_writes_nothing(case, owner):
    before = (ChainEntry.objects.count(), AuditEvent.objects.count(), case.chain_head)
    assert create_incidents(case, owner, []) == []
    assert (ChainEntry.objects.count(), AuditEvent.objects.count(), case.chain_head) == before


def test_a_bulk_made_incident_changed_in_the_database_is_found(case, owner):
    made = create_incidents(case, owner, _items())
    with connection.cursor() as cursor:
        cursor.execute("UPDATE diary_incident SET how_many = %s WHERE id = %s", [99, made[0].pk])
    result = verify(case)
    assert not result.ok
    assert "Incident 1 has been changed outside Daybook" in result.problem


def test_a_failure_part_way_leaves_nothing(case, owner, monkeypatch):
    calls = {"n": 0}
    real = diary._insert_tokens

    def failing(rows):  # noqa: ANN001, ANN202
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        real(rows)

    monkeypatch.setattr(diary, "BULK_CHUNK", 2)
    monkeypatch.setattr(diary, "_insert_tokens", failing)
    with pytest.raises(RuntimeError):
        create_incidents(case, owner, _items())
    assert not Incident.objects.filter(case=case).exists()
    assert not IncidentBehaviour.objects.filter(case=case).exists()
    assert ChainEntry.objects.filter(case=case).count() == 2  # opened, its details
    case.refresh_from_db()
    assert case.incident_seq == 0 and case.chain_seq == 2
    assert verify(case).ok
