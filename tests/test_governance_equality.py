"""Optional equality monitoring (governance/): every question optional with "Prefer not to say", recorded by staff
on its own page, sealed with the client's key, never on the client's record pages, counted in the return (facts
hold only the categories) with counts under 5 suppressed, and refused to everyone who may not see the client."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from care.testing import ROLES, make_world
from casework import services
from casework.testing import make_referral, staff_of
from governance import equality, facts, returns
from governance.models import EqualityMonitoring, Fact, FactKind
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
C, D, T = Role.CASEWORKER, Role.DUTY_WORKER, Role.TEAM_LEAD
SEES = {C, D, T}
FULL = {
    "age": "25_34",
    "sex": "female",
    "gender_same": "no",
    "ethnicity": "black",
    "disability": "yes",
    "religion": "sikh",
    "orientation": "bisexual",
}


@pytest.fixture
def world(owner):
    w = make_world()
    w["diary_user"] = owner
    return w


def url(world, client=None) -> str:
    return f"/staff/kent/clients/{(client or world['client']).pk}/equality/"


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_every_question_offers_prefer_not_to_say():
    assert equality.KEYS == ["age", "sex", "gender_same", "ethnicity", "disability", "religion", "orientation"]
    for key in equality.KEYS:
        assert (equality.PREFER_NOT, "Prefer not to say") in equality.choices(key)
    assert [label for _, label in equality.choices("ethnicity")][:5] == [
        "Asian, Asian British or Asian Welsh",
        "Black, Black British, Black Welsh, Caribbean or African",
        "Mixed or Multiple ethnic groups",
        "White",
        "Other ethnic group",
    ]


def test_recorded_sealed_and_never_on_the_client_pages(world):
    worker = signed_in(world["staff"][C].user)
    assert worker.get(url(world)).status_code == 200
    response = worker.post(url(world), {**FULL, "religion": "prefer_not", "age": ""})
    assert response.status_code == 302
    row = EqualityMonitoring.objects.get(client=world["client"])
    # Sealed: nothing readable in the column; opened through the client's key.
    for word in ("bisexual", "black", "prefer_not", "female"):
        assert word not in row.answers_enc
    assert equality.answers_of(world["client"]) == {**{k: v for k, v in FULL.items() if k != "age"}, "religion": "prefer_not"}
    page = worker.get(url(world)).content.decode()
    assert 'value="bisexual" checked' in page
    # The client's record pages show none of it.
    lead = signed_in(world["staff"][T].user)
    for who in (worker, lead):
        for path in ("", "closure/", "rights/"):
            body = who.get(f"/staff/kent/clients/{world['client'].pk}/{path}").content.decode()
            for text in ("Bisexual", "Sikh", "Black, Black British", "Prefer not to say", "Straight or heterosexual"):
                assert text not in body, (path, text)
    # The fact: categories only, nothing personal, no link back.
    fact = Fact.objects.get(kind=FactKind.EQUALITY)
    assert fact.measures["orientation"] == "bisexual" and "age" not in fact.measures
    dump = repr(list(Fact.objects.filter(kind=FactKind.EQUALITY).values()))
    assert "Harriet" not in dump and str(world["client"].uuid) not in dump and str(row.uuid) not in dump
    # Changing an answer updates the one fact.
    worker.post(url(world), {**FULL, "orientation": "prefer_not"})
    assert Fact.objects.filter(kind=FactKind.EQUALITY).count() == 1
    assert Fact.objects.get(kind=FactKind.EQUALITY).measures["orientation"] == "prefer_not"


@pytest.mark.parametrize(
    "data",
    [
        {"sex": "other"},
        {"age": "=1+1"},
        {"ethnicity": "white_british"},
        {"orientation": "<script>"},
        {"disability": "maybe"},
    ],
)
def test_wrong_values_are_refused_with_a_message(world, data):
    response = signed_in(world["staff"][C].user).post(url(world), data)
    assert response.status_code == 400 and b"govuk-error-summary" in response.content and b"<script>" not in response.content
    assert not EqualityMonitoring.objects.exists()


def test_the_service_refuses_unknown_questions_and_other_organisations():
    with pytest.raises(ValidationError):
        equality.clean({"income": "high"})
    with pytest.raises(ValidationError):
        equality.clean({"sex": ["female"]})
    assert equality.clean({"sex": "", "age": "75_over"}) == {"age": "75_over"}


def test_the_service_refuses_another_organisations_client(world):
    with pytest.raises(ValidationError):
        equality.record(staff=staff_of(world["staff"][T]), client=world["theirs"].client, answers=FULL)
    assert not EqualityMonitoring.objects.exists()


def test_nothing_answered_is_allowed(world):
    assert signed_in(world["staff"][C].user).post(url(world), {}).status_code == 302
    assert equality.answers_of(world["client"]) == {}


def test_routes_by_role(world):
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    target = url(world)
    for role in ROLES:
        session = signed_in(world["staff"][role].user)
        response = session.get(target)
        assert response.status_code == (200 if role in SEES else 404), role
        if role not in SEES:
            assert strip(response.content) == strip(session.get("/staff/nowhere/").content)
            assert session.post(target, FULL).status_code == 404
    for who in (world["other_lead"].user, world["other_admin"].user, world["diary_user"]):
        assert strip(signed_in(who).get(target).content) == missing
        assert signed_in(who).post(target, FULL).status_code == 404
    assert HttpClient().get(target).status_code == 302
    assert signed_in(world["other_lead"].user).post(f"/staff/fife/clients/{world['client'].pk}/equality/", FULL).status_code == 404
    worker = signed_in(world["staff"][C].user)
    assert worker.get(f"/staff/kent/clients/{world['new'].client.pk}/equality/").status_code == 404  # not allocated to them
    assert worker.post(f"/staff/kent/clients/{world['theirs'].client.pk}/equality/", FULL).status_code == 404
    assert worker.get(f"/staff/kent/clients/{10**30}/equality/").status_code == 404
    assert not EqualityMonitoring.objects.exists()
    lead = signed_in(world["staff"][T].user)
    assert lead.post(target, FULL).status_code == 302
    assert target.encode() in lead.get(f"/staff/kent/clients/{world['client'].pk}/records/").content


def _known(world) -> None:
    """Seven people: 6 female and 1 prefer not to say; 5 say White, 1 Asian, 1 leaves ethnicity unanswered."""
    lead = world["staff"][T]
    worker = staff_of(lead)
    for i in range(7):
        r = make_referral(lead, full_name=f"Equal Person {i}")
        services.referral_accept(staff=worker, referral=r)
        answers = {"sex": "female" if i < 6 else "prefer_not"}
        if i < 6:
            answers["ethnicity"] = "white" if i < 5 else "asian"
        equality.record(staff=worker, client=r.client, answers=answers)


def _section(ret: returns.Return, key: str) -> returns.Section:
    return next(s for s in ret.sections if s.key == f"equality-{key}")


def test_return_counts_with_suppression(world):
    _known(world)
    today = timezone.localdate()
    ret = returns.build(world["org"].pk, today - dt.timedelta(days=40), today + dt.timedelta(days=1))
    sex = _section(ret, "sex")
    # 6 female and 1 prefer not to say: the 1 is hidden, and so is the 6, or the total (7) would give it away.
    assert dict(sex.cells) == {"Female": returns.SUPPRESSED, "Male": "0", "Prefer not to say": returns.SUPPRESSED, "Not answered": "0"}
    assert sex.total_text == "7"
    ethnicity = dict(_section(ret, "ethnicity").cells)
    # Two cells under 5: nothing more needs hiding.
    assert ethnicity["White"] == "5" and ethnicity["Not answered"] == returns.SUPPRESSED
    assert ethnicity["Asian, Asian British or Asian Welsh"] == returns.SUPPRESSED
    orientation = dict(_section(ret, "orientation").cells)
    assert orientation["Not answered"] == "7" and orientation["Bisexual"] == "0"
    # The same after the records are deleted; backfill changes nothing.
    before = returns.as_csv(ret, "Kent")
    facts.backfill()
    assert Fact.objects.filter(kind=FactKind.EQUALITY).count() == 7
    world["org"].clients.all().delete()
    assert returns.as_csv(returns.build(world["org"].pk, ret.start, ret.end), "Kent") == before


def test_return_page_and_csv(world):
    _known(world)
    world["org"].name = "@SUM(1+1)*cmd|' /C calc'!A0"
    world["org"].save()
    today = timezone.localdate()
    query = f"start={today - dt.timedelta(days=40)}&end={today + dt.timedelta(days=1)}"
    lead = signed_in(world["staff"][T].user)
    page = lead.get(f"/staff/kent/returns/?{query}").content.decode()
    assert "Equality monitoring: ethnic group" in page and "Equal Person" not in page
    rows = list(csv.reader(io.StringIO(lead.get(f"/staff/kent/returns/return.csv?{query}").content.decode())))
    mine = {r[4]: r[5] for r in rows if r[3] == "Equality monitoring: ethnic group"}
    assert mine["White"] == "5" and mine["Total"] == "7"
    for row in rows:
        for cell in row:
            assert cell[:1] not in ("=", "+", "-", "@"), cell


def test_subject_access_pack_holds_the_answers_and_the_rights(world):
    from governance import records, rights

    worker = staff_of(world["staff"][C])
    equality.record(staff=worker, client=world["client"], answers={"religion": "sikh", "sex": "prefer_not"})
    rights.record(staff=worker, client=world["client"], rights=[4], delivered_on=timezone.localdate())
    section = next(s for s in records.subject_access_pack(world["client"]) if s.title.startswith("Victims' Code rights"))
    shown = dict(section.rows)
    assert shown["Equality monitoring: Religion"] == "Sikh" and shown["Equality monitoring: Sex"] == "Prefer not to say"
    assert "Right 4" in shown["Victims' Code right"]
