"""Returns for commissioners (governance/): known counts from a synthetic organisation, suppression under 5, the
same return after the records are deleted, a formula-safe CSV, hostile periods, and the route for every role."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from care import plans
from care.testing import ROLES, make_world
from casework import services
from casework.models import Client, Offence, Source
from casework.testing import make_referral, staff_of
from governance import facts, returns
from governance.models import Fact, FactKind
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
ALLOWED = {Role.TEAM_LEAD, Role.ORG_ADMIN}


@pytest.fixture
def world(owner):
    w = make_world()
    w["diary_user"] = owner
    return w


def _period() -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today - dt.timedelta(days=40), today + dt.timedelta(days=1)


def _query() -> str:
    start, end = _period()
    return f"start={start}&end={end}"


def _add_known(world) -> None:
    """On top of the world's two staff-call referrals: 7 more from professionals (stalking), 3 self-referrals."""
    lead = world["staff"][Role.TEAM_LEAD]
    for i in range(7):
        r = make_referral(lead, full_name=f"Police Person {i}", source=Source.PROFESSIONAL, offences=[Offence.STALKING], interpreter="Polish" if i < 5 else "")
        services.referral_accept(staff=staff_of(lead), referral=r)
    for i in range(3):
        make_referral(lead, full_name=f"Self Person {i}", source=Source.SELF, offences=[Offence.HARASSMENT])


def _cells(ret: returns.Return, key: str) -> dict[str, str]:
    return dict(next(s for s in ret.sections if s.key == key).cells)


def test_known_counts_and_suppression(world):
    _add_known(world)
    start, end = _period()
    ret = returns.build(world["org"].pk, start, end)
    source = _cells(ret, "source")
    assert source["A professional (GP, school, housing)"] == "7"
    assert source["Self-referral"] == returns.SUPPRESSED
    # Two cells under 5 (self 3, staff call 2): nothing more needs hiding, the total shows.
    assert source["A call taken by staff"] == returns.SUPPRESSED and source["Helpline"] == "0"
    assert next(s for s in ret.sections if s.key == "source").total_text == "12"
    crime = _cells(ret, "crime")
    assert crime["Stalking"] == "7" and crime["Harassment"] == returns.SUPPRESSED
    assert _cells(ret, "interpreter")["Interpreter needed"] == "5"
    accepted = _cells(ret, "accepted")
    # 8 accepted, 4 not: the 4 is suppressed, and so is the 8, or the total (12) would give the 4 away.
    assert accepted == {"Accepted": returns.SUPPRESSED, "Not accepted (yet)": returns.SUPPRESSED}
    assert _cells(ret, "safeguarding")["Children's social care"] == returns.SUPPRESSED


def test_secondary_suppression_hides_a_second_cell():
    section = returns.Section("x", "X", ("a", "b"), [("one", 3), ("two", 9), ("three", 20)])
    assert dict(section.cells) == {"one": returns.SUPPRESSED, "two": returns.SUPPRESSED, "three": "20"}
    assert section.total_text == "32"
    no_total = returns.Section("y", "Y", ("a", "b"), [("one", 3), ("two", 9)], total=False)
    assert dict(no_total.cells) == {"one": returns.SUPPRESSED, "two": "9"}


def test_outcome_measures_averaged_only_from_five(world):
    lead = world["staff"][Role.TEAM_LEAD]
    worker = staff_of(lead)
    for i in range(5):
        r = make_referral(lead, full_name=f"Measured {i}")
        services.referral_accept(staff=worker, referral=r)
        plans.needs_assess(
            staff=worker,
            client=r.client,
            stage="start",
            assessed_on=timezone.localdate(),
            own_words="Feel safe",
            areas={},
            outcomes={"safe": 2, "cope": 0, "health": 0, "informed": 0, "supported": 0},
        )
    plans.needs_assess(
        staff=worker,
        client=r.client,
        stage="exit",
        assessed_on=timezone.localdate(),
        own_words="Feel safe",
        areas={},
        outcomes={"safe": 4, "cope": 0, "health": 0, "informed": 0, "supported": 0},
    )
    start, end = _period()
    ret = returns.build(world["org"].pk, start, end)
    safe = next(m for m in ret.measures if m.name == plans.OUTCOMES["safe"])
    assert safe.start_n == 5 and safe.mean_text("start") == "2.0"
    assert safe.exit_n == 1 and "not shown" in safe.mean_text("exit")


def test_return_is_the_same_after_records_are_deleted_and_backfill_is_idempotent(world):
    _add_known(world)
    start, end = _period()
    before = returns.as_csv(returns.build(world["org"].pk, start, end), "Kent")
    n = Fact.objects.count()
    assert facts.backfill()[FactKind.REFERRAL] >= 12
    assert Fact.objects.count() == n
    assert returns.as_csv(returns.build(world["org"].pk, start, end), "Kent") == before
    Client.objects.filter(organisation=world["org"]).delete()
    assert returns.as_csv(returns.build(world["org"].pk, start, end), "Kent") == before


def test_facts_hold_no_personal_data(world):
    lead = world["staff"][Role.TEAM_LEAD]
    make_referral(lead, full_name="Zelda Unique", suspect_name="Quentin Unlikely", account="He waits at Elm Road", interpreter="Farsi")
    dump = repr(list(Fact.objects.values()))
    for secret in ("Zelda", "Quentin", "Elm Road", "Farsi", "Harriet"):
        assert secret not in dump


def test_csv_is_safe_against_formulas(world):
    world["org"].name = '=HYPERLINK("http://evil.example","x")'
    world["org"].save()
    body = signed_in(world["staff"][Role.ORG_ADMIN].user).get(f"/staff/kent/returns/return.csv?{_query()}")
    assert body.status_code == 200 and body["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.content.decode())))
    assert rows[1][0].startswith("'=")
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), cell
    assert returns.safe_cell("-1+2") == "'-1+2" and returns.safe_cell("@SUM(A1)") == "'@SUM(A1)"


def test_page_shows_tables_and_charts(world):
    _add_known(world)
    page = signed_in(world["staff"][Role.TEAM_LEAD].user).get(f"/staff/kent/returns/?{_query()}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "Referrals by source" in html and "fewer than 5" in html
    assert "Harriet" not in html and "Police Person" not in html
    assert "style=" not in html and "<script>" not in html


@pytest.mark.parametrize(
    "query",
    ["quarter=nonsense", "quarter=2026-Q9", "start=2020-01-01&end=2026-01-01", "start=2026-05-01&end=2026-04-01", "start=<script>&end=x", "quarter=%00"],
)
def test_hostile_periods_are_refused_with_a_message(world, query):
    client = signed_in(world["staff"][Role.TEAM_LEAD].user)
    page = client.get(f"/staff/kent/returns/?{query}")
    assert page.status_code == 400 and b"<script>&" not in page.content and b"govuk-error-message" in page.content
    assert client.get(f"/staff/kent/returns/return.csv?{query}").status_code == 400


def test_default_period_is_the_last_full_quarter():
    assert returns.last_quarter(dt.date(2026, 2, 3)) == "2025-Q4"
    assert returns.last_quarter(dt.date(2026, 8, 3)) == "2026-Q2"
    assert returns.quarter_bounds("2026-Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_routes_by_role(world):
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    for url in (f"/staff/kent/returns/?{_query()}", f"/staff/kent/returns/return.csv?{_query()}"):
        for role in ROLES:
            session = signed_in(world["staff"][role].user)
            response = session.get(url)
            assert response.status_code == (200 if role in ALLOWED else 404), (url, role)
            if role not in ALLOWED:
                assert strip(response.content) == strip(session.get("/staff/nowhere/").content)
        for who in (world["other_lead"].user, world["other_admin"].user, world["diary_user"]):
            response = signed_in(who).get(url)
            assert response.status_code == 404 and strip(response.content) == missing, (url, who)
        # Another organisation's admin sees its own return, never Kent's.
        fife = signed_in(world["other_admin"].user).get(f"/staff/fife/returns/?{_query()}")
        assert fife.status_code == 200
        assert returns.SUPPRESSED in fife.content.decode() or ">1<" not in fife.content.decode()
        response = HttpClient().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_referrals_made_in_bulk_reach_the_return(world):
    """The daily file writes referrals with bulk_create (no save signal): the return catches up first."""
    from governance.models import GovernanceSettings

    _add_known(world)
    Fact.objects.filter(kind=FactKind.REFERRAL).delete()  # as if they had been written in bulk
    GovernanceSettings.objects.update_or_create(organisation=world["org"], defaults={"facts_through": timezone.now() - dt.timedelta(hours=1)})
    page = signed_in(world["staff"][Role.TEAM_LEAD].user).get(f"/staff/kent/returns/return.csv?{_query()}")
    rows = list(csv.reader(io.StringIO(page.content.decode())))
    assert ["Referrals by source", "A professional (GP, school, housing)", "7"] == rows[
        [r[3:5] for r in rows].index(["Referrals by source", "A professional (GP, school, housing)"])
    ][3:]
    assert Fact.objects.filter(kind=FactKind.REFERRAL).count() == 12
