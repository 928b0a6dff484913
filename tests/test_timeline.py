"""The timeline: order, filters, search, keyset paging and weekly counts."""

from __future__ import annotations

import datetime as dt
import re

from diary import selectors
from diary.models import WeekCount
from diary.services import IncidentData, edit_incident, retract_incident
from tests.factories import make_incident


def numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r">Incident (\d+)</a>", page)]


def test_newest_first_by_default_and_oldest_first_on_request(owner_client, case, owner):
    for days in (5, 1, 3):
        make_incident(case, owner, days_ago=days)
    url = f"/cases/{case.pk}/timeline/"
    assert numbers(owner_client.get(url).content.decode()) == [2, 3, 1]
    assert numbers(owner_client.get(url + "?order=oldest").content.decode()) == [1, 3, 2]


def test_filters(owner_client, case, owner):
    make_incident(case, owner, days_ago=10, description="calls", behaviours=["CONT.CALL"], channel="phone_call")
    make_incident(case, owner, days_ago=5, description="at work", behaviours=["CONT.VISIT"], channel="in_person", felt_in_danger=True)
    make_incident(case, owner, days_ago=1, description="texts", behaviours=["CONT.MSG"], channel="text", reported=True)
    url = f"/cases/{case.pk}/timeline/"
    get = lambda q: numbers(owner_client.get(url + q).content.decode())  # noqa: E731
    assert get("?behaviour=CONT.VISIT") == [2]
    assert get("?channel=text") == [3]
    assert get("?danger=yes") == [2]
    assert get("?reported=yes") == [3]
    assert get("?reported=no") == []  # nobody answered "no" here: unanswered is not "no"
    assert get("?reported=not_said") == [2, 1]
    assert get("?danger=not_said") == [3, 1]
    since = (dt.date.today() - dt.timedelta(days=6)).isoformat()
    until = (dt.date.today() - dt.timedelta(days=2)).isoformat()
    assert get(f"?date_from={since}&date_to={until}") == [2]
    assert get("?behaviour=NOT.REAL") == [3, 2, 1]  # an invalid filter is ignored, with a message
    page = owner_client.get(url + "?date_from=2026-05-01&date_to=2026-01-01").content.decode()
    assert "after the" in page


def test_search_words_match_current_text_only(owner_client, case, owner):
    first = make_incident(case, owner, days_ago=2, description="Blue Ford Focus outside")
    make_incident(case, owner, days_ago=1, description="Phone calls all night")
    url = f"/cases/{case.pk}/timeline/?q="
    assert numbers(owner_client.get(url + "ford").content.decode()) == [1]
    assert numbers(owner_client.get(url + "FOCUS blue").content.decode()) == [1]
    assert numbers(owner_client.get(url + "focus night").content.decode()) == []
    data = IncidentData.from_incident(first)
    data.description = "Silver van outside"
    edit_incident(first, owner, data)
    assert numbers(owner_client.get(url + "ford").content.decode()) == []
    assert numbers(owner_client.get(url + "van").content.decode()) == [1]


def test_keyset_paging_visits_every_incident_once(owner_client, case, owner):
    for i in range(selectors.PAGE_SIZE * 2 + 3):
        make_incident(case, owner, days_ago=1 + (i % 7) / 10, description=f"entry {i}")
    seen: list[int] = []
    url = f"/cases/{case.pk}/timeline/"
    pages = 0
    while url:
        page = owner_client.get(url).content.decode()
        seen.extend(numbers(page))
        match = re.search(r'href="([^"]+after=[^"]+)" rel="next"', page)
        url = match.group(1).replace("&amp;", "&") if match else None
        pages += 1
    assert pages == 3
    assert sorted(seen) == list(range(1, selectors.PAGE_SIZE * 2 + 4))


def test_bad_cursor_is_ignored(owner_client, case, owner):
    make_incident(case, owner)
    page = owner_client.get(f"/cases/{case.pk}/timeline/?after=%%%garbage").content.decode()
    assert numbers(page) == [1]


def test_weekly_counts_follow_edits_and_retractions(case, owner):
    a = make_incident(case, owner, days_ago=1)
    make_incident(case, owner, days_ago=1)
    assert selectors.total_incidents(case) == 2
    data = IncidentData.from_incident(a)
    data.occurred_at = a.occurred_at - dt.timedelta(days=21)
    edit_incident(a, owner, data)
    counts = {wc.week: wc.count for wc in WeekCount.objects.filter(case=case)}
    assert sorted(counts.values()) == [1, 1]
    retract_incident(a, owner, "mistake")
    assert selectors.total_incidents(case) == 1
    bars = selectors.weekly_counts(case)
    assert len(bars) == 26 and sum(b.count for b in bars) == 1
    assert max(b.height for b in bars) == 100


def test_weekly_counts_table_alternative(owner_client, case, owner):
    make_incident(case, owner, days_ago=1)
    page = owner_client.get(f"/cases/{case.pk}/timeline/").content.decode()
    assert "<svg" in page and 'role="img"' in page
    assert "Incidents per week as a table" in page


def test_sample_case_loads_and_is_labelled(owner_client, owner):
    response = owner_client.post("/sample/")
    assert response.status_code == 302
    page = owner_client.get(response["Location"]).content.decode()
    assert "Sample data" in page
    from cases.models import Case
    from chain.verification import verify

    case = Case.objects.get(owner=owner)
    assert case.is_sample
    assert case.incidents.count() >= 40
    assert verify(case).ok
    # It escalates: threats and damage come after the first weeks of messages.
    incidents = list(case.incidents.order_by("occurred_at"))
    for i in incidents:
        i.case = case
    first_threat = next(i for i in incidents if any(c.startswith("THRT") for c in i.behaviour_codes))
    first_visit = next(i for i in incidents if "CONT.VISIT" in i.behaviour_codes)
    assert incidents[0].behaviour_codes == ["CONT.MSG"]
    assert first_visit.occurred_at < first_threat.occurred_at
    assert (incidents[-1].occurred_at - incidents[0].occurred_at).days >= 40
