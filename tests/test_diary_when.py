"""A day-only note (or an end with no time) written early in the day is not refused as "in the future"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from diary import rules
from diary.models import Incident
from kernel import localtime


@pytest.fixture
def eight_am(monkeypatch):  # noqa: ANN001, ANN201
    """Now is 08:07 local time today (the morning, before the midday that stands for an unknown time)."""
    now = dt.datetime.combine(dt.date(2026, 12, 5), dt.time(8, 7), tzinfo=localtime.local_tz())
    monkeypatch.setattr(timezone, "now", lambda: now.astimezone(dt.UTC))
    return now


def test_unknown_time_today_is_not_later_than_now(eight_am) -> None:
    assert rules.combine(eight_am.date(), None) == eight_am
    assert rules.combine(eight_am.date(), None, unknown=dt.time(23, 59)) == eight_am
    assert rules.combine(eight_am.date() - dt.timedelta(days=1), None).time() == dt.time(12, 0)
    assert rules.combine(eight_am.date(), dt.time(7, 0)).time() == dt.time(7, 0)
    assert rules.check_when(rules.combine(eight_am.date(), None)) == {}


def test_quick_note_with_the_day_only_is_saved_in_the_morning(eight_am, owner_client, case) -> None:
    response = owner_client.post(f"/cases/{case.pk}/quick/", {"description": "Saw him", "date": "2026-12-05"})
    assert response.status_code == 302
    incident = Incident.objects.get(case=case)
    assert incident.occurred_at <= timezone.now()


def test_a_time_typed_in_the_future_is_still_refused(eight_am, owner_client, case) -> None:
    response = owner_client.post(f"/cases/{case.pk}/quick/", {"description": "Saw him", "date": "2026-12-05", "time": "11:00"})
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not Incident.objects.filter(case=case).exists()
