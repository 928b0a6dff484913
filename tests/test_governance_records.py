"""Records law (governance/): the subject access pack redacts other people, including for a requester who is the
suspect on another record; chronology in HTML and formula-safe CSV; requests, legal holds, complaints; routes."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from care.testing import ROLES, make_world
from casework.testing import make_referral
from governance import records
from governance.models import Fact, FactKind, Feedback, LegalHold, RecordsRequest
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
T = Role.TEAM_LEAD


@pytest.fixture
def world(owner):
    w = make_world()
    w["diary_user"] = owner
    lead = w["staff"][T]
    make_referral(lead, full_name="Bella Other")
    rachel = make_referral(
        lead,
        full_name="Rachel Requester",
        suspect_name="Sam Suspect",
        household="Two children, Tom and Tim Requester",
        account="Sam Suspect followed me home. My neighbour Bella Other saw him. Sam waited outside =cmd|' /C calc'!A0",
    )
    make_referral(lead, full_name="Vera Victim", suspect_name="Rachel Requester", account="Rachel Requester sends letters to my work")
    w["rachel"] = rachel.client
    return w


def base(world, tail: str = "") -> str:
    return f"/staff/kent/clients/{world['rachel'].pk}/records/{tail}"


def test_subject_access_pack_redacts_third_parties_and_other_records(world):
    lead = signed_in(world["staff"][T].user)
    page = lead.get(base(world, "subject-access/"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Rachel Requester" in html and "followed me home" in html
    for other in ("Sam", "Suspect", "Bella", "Vera", "letters to my work", "Tom", "Tim", "Harriet"):
        assert other not in html, other
    assert "[redacted: another person]" in html
    assert "suspect on" not in html.lower()  # the pack never says she is accused elsewhere
    # Staff are told, on the records page only.
    assert "named as the suspect on 1 other record" in lead.get(base(world)).content.decode()


def test_chronology_html_and_formula_safe_csv(world):
    lead = signed_in(world["staff"][T].user)
    html = lead.get(base(world, "chronology/")).content.decode()
    assert "Referral received" in html and "followed me home" in html
    body = lead.get(base(world, "chronology.csv"))
    rows = list(csv.reader(io.StringIO(body.content.decode())))
    assert rows[0] == ["when", "what", "detail"]
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@")
    assert records.safe_cell("=cmd") == "'=cmd"


def test_requests_log_decisions_and_the_person_told(world):
    lead = signed_in(world["staff"][T].user)
    today = timezone.localdate().isoformat()
    assert (
        lead.post(base(world, "request/"), {"kind": "disclosure", "received_on": today, "requester": "DC Smith, Kent Police: all notes for CPS"}).status_code
        == 302
    )
    req = RecordsRequest.objects.get()
    assert req.due_on > req.received_on
    refused = lead.post(base(world, f"decide/{req.pk}/"), {"decision": "partly", "answer": "Notes redacted of third parties and sent"})
    assert refused.status_code == 400 and "say in the answer why they were not told" in refused.content.decode()
    assert (
        lead.post(
            base(world, f"decide/{req.pk}/"), {"decision": "partly", "answer": "Notes redacted of third parties and sent", "person_told_on": today}
        ).status_code
        == 302
    )
    req.refresh_from_db()
    assert req.decision == "partly" and req.person_told_on is not None
    assert lead.post(base(world, f"decide/{req.pk}/"), {"decision": "refused", "answer": "changed my mind now", "person_told_on": today}).status_code == 400
    log = lead.get("/staff/kent/records/").content.decode()
    assert world["rachel"].reference in log and "DC Smith" not in log and "Rachel" not in log


def test_erasure_request_and_answer(world):
    lead = signed_in(world["staff"][T].user)
    today = timezone.localdate().isoformat()
    lead.post(base(world, "request/"), {"kind": "erasure", "received_on": today, "requester": "The person asks us to delete everything"})
    req = RecordsRequest.objects.get()
    lead.post(
        base(world, f"decide/{req.pk}/"), {"decision": "refused", "answer": "Kept: safeguarding records must be retained by law", "person_told_on": today}
    )
    req.refresh_from_db()
    req.client = world["rachel"]
    assert req.decision == "refused" and "safeguarding" in req.answer


def test_legal_hold_and_complaints(world):
    lead = signed_in(world["staff"][T].user)
    assert lead.post(base(world, "hold/"), {"reason": "short"}).status_code == 400
    assert lead.post(base(world, "hold/"), {"reason": "Inquest: coroner asked to keep everything"}).status_code == 302
    assert lead.post(base(world, "hold/"), {"reason": "Inquest: coroner asked to keep everything"}).status_code == 400
    assert LegalHold.objects.filter(lifted_at__isnull=True).count() == 1
    assert lead.post(base(world, "lift/"), {}).status_code == 302
    assert LegalHold.objects.filter(lifted_at__isnull=True).count() == 0
    today = timezone.localdate().isoformat()
    assert lead.post(base(world, "feedback/"), {"kind": "complaint", "received_on": today, "summary": "Nobody called me back for a week"}).status_code == 302
    fb = Feedback.objects.get()
    assert lead.post(base(world, f"answer/{fb.pk}/"), {"outcome": "upheld", "response": "Apologised; new call-back rule"}).status_code == 302
    assert Fact.objects.get(kind=FactKind.FEEDBACK).sub == "complaint:upheld"


def test_hostile_input(world):
    lead = signed_in(world["staff"][T].user)
    today = timezone.localdate().isoformat()
    lead.post(base(world, "request/"), {"kind": "sar", "received_on": today, "requester": "<script>alert(1)</script> asks for all"})
    assert "<script>alert(1)" not in lead.get(base(world)).content.decode()
    assert lead.post(base(world, "request/"), {"kind": "sar", "received_on": "2999-01-01", "requester": "A real request text"}).status_code == 400
    assert lead.post(base(world, "request/"), {"kind": "nonsense", "received_on": today, "requester": "A real request text"}).status_code == 400
    assert lead.post(base(world, "explode/"), {}).status_code == 404
    req = RecordsRequest.objects.get()
    other = world["client"].pk
    assert lead.post(f"/staff/kent/clients/{other}/records/decide/{req.pk}/", {"decision": "granted", "answer": "x" * 20}).status_code == 404
    assert lead.post(base(world, f"decide/{10**30}/"), {}).status_code == 404
    assert lead.get(f"/staff/kent/clients/{10**30}/records/").status_code == 404


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_routes_by_role(world):
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    urls = [base(world), base(world, "subject-access/"), base(world, "chronology/"), base(world, "chronology.csv"), "/staff/kent/records/"]
    for url in urls:
        for role in ROLES:
            session = signed_in(world["staff"][role].user)
            response = session.get(url)
            assert response.status_code == (200 if role == T else 404), (url, role)
            if role != T:
                assert strip(response.content) == strip(session.get("/staff/nowhere/").content)
        for who in (world["other_lead"].user, world["other_admin"].user, world["diary_user"]):
            assert strip(signed_in(who).get(url).content) == missing
        assert HttpClient().get(url).status_code == 302
    today = timezone.localdate().isoformat()
    for role in set(ROLES) - {T}:
        assert signed_in(world["staff"][role].user).post(base(world, "hold/"), {"reason": "x" * 20}).status_code == 404
        assert (
            signed_in(world["staff"][role].user).post(base(world, "request/"), {"kind": "sar", "received_on": today, "requester": "x" * 20}).status_code == 404
        )
    assert signed_in(world["other_lead"].user).post(f"/staff/fife/clients/{world['rachel'].pk}/records/hold/", {"reason": "x" * 20}).status_code == 404
    assert not LegalHold.objects.exists() and not RecordsRequest.objects.exists()


def test_chronology_and_pack_hold_orders_statement_and_status(world):
    """The chronology (for reviews, inquests and family court) holds the suspect's status, every order step and the
    Victim Personal Statement; the person's pack holds the order steps and the statement, never the suspect's status
    (about another person)."""
    import datetime as dt  # noqa: PLC0415

    from casework.testing import staff_of  # noqa: PLC0415
    from justice import orders  # noqa: PLC0415
    from justice.models import OrderStep, SuspectState, VpsStep  # noqa: PLC0415

    worker = staff_of(world["staff"][T])
    rachel = world["rachel"]
    day = timezone.localdate() - dt.timedelta(days=3)
    orders.status_record(staff=worker, client=rachel, state=SuspectState.BAILED, on=day, until=day + dt.timedelta(days=20), conditions="Not to enter Elm Road")
    order = orders.order_open(staff=worker, client=rachel, kind="spo")
    orders.order_event_record(staff=worker, order=order, step=OrderStep.REQUESTED, on=day, note="Asked DC Brown to apply")
    orders.vps_record(staff=worker, client=rachel, step=VpsStep.OFFERED, on=day)
    lead = signed_in(world["staff"][T].user)
    chronology = lead.get(base(world, "chronology/")).content.decode()
    expected = ("Suspect&#x27;s status", "On bail to a date", "Not to enter Elm Road", "Asked the police to apply", "Asked DC Brown to apply")
    for text in (*expected, "Victim Personal Statement"):
        assert text in chronology, text
    pack = lead.get(base(world, "subject-access/")).content.decode()
    assert "Asked the police to apply" in pack and "The police offered a Victim Personal Statement" in pack
    assert "On bail" not in pack and "Elm Road" not in pack


def test_the_pack_and_chronology_cost_the_same_queries_for_one_order_or_many(world):
    """A long record (many orders, each with its steps) is read with a fixed number of queries, not one per order."""
    import datetime as dt  # noqa: PLC0415

    from django.db import connection  # noqa: PLC0415
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    from casework.testing import staff_of  # noqa: PLC0415
    from justice import orders  # noqa: PLC0415
    from justice.models import OrderStep  # noqa: PLC0415

    worker = staff_of(world["staff"][T])
    rachel = world["rachel"]
    day = timezone.localdate() - dt.timedelta(days=3)

    def add_order() -> None:
        order = orders.order_open(staff=worker, client=rachel, kind="spo")
        orders.order_event_record(staff=worker, order=order, step=OrderStep.REQUESTED, on=day, note="Asked DC Brown to apply")

    def queries() -> int:
        with CaptureQueriesContext(connection) as seen:
            pack = records.subject_access_pack(rachel)
            records.chronology(rachel)
        assert any("Asked DC Brown to apply" in value for section in pack for _, value in section.rows)
        return len(seen)

    add_order()
    one = queries()
    for _ in range(5):
        add_order()
    assert queries() == one
