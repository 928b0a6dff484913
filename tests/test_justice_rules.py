"""The justice side's rules, at the service layer and through the pages: lowering needs a team lead's review,
answers by question ID only, criteria as they are, dates in order, the basis rule of onward referral, withdrawing
(twice), the recipient's view, MARAC meetings, feedback and repeats, the client chain."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core.exceptions import ValidationError

from casework.models import Client, Relationship
from casework.testing import staff_of
from insights.models import InstrumentWording
from justice import ledger, marac, onward, orders, risk
from justice.models import Assessment, Basis, ClientEntry, Onward, OnwardKind, OnwardState, OrderKind, OrderStep, Review, StatusChange, Task, TaskKind
from justice.onward import BasisInput
from justice.rules import today
from justice.testing import allocated_client, justice_world
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return justice_world()


def worker(w):
    return staff_of(w["staff"][Role.CASEWORKER])


def lead(w):
    return staff_of(w["staff"][Role.TEAM_LEAD])


def url(w, rest: str = "") -> str:
    return f"/staff/kent/clients/{w['held'].pk}/justice/{rest}"


# ------------------------------------------------------------------ risk


def test_lowering_waits_for_another_team_leads_review(w):
    held = w["held"]
    a = w["lowered"]
    assert a.review == Review.AWAITING and a.level_before == "high"
    assert risk.current_level(held) == "high" and Client.objects.get(pk=held.pk).risk == "high"
    assert Task.objects.filter(kind=TaskKind.LOWERING_REVIEW, about=f"assessment/{a.uuid}", done_at__isnull=True).exists()
    with pytest.raises(ValidationError, match="Only a team lead"):
        risk.level_review(staff=worker(w), assessment=a, agreed=True, reason="Looks right to me.")
    own = risk.assessment_record(
        staff=lead(w), client=held, instrument="sdash-2009", answers={}, level="standard", judgement="My own lowering here.", domestic=True
    )
    with pytest.raises(ValidationError, match="Another team lead"):
        risk.level_review(staff=lead(w), assessment=own, agreed=True, reason="Agreeing with myself.")
    risk.level_review(staff=lead(w), assessment=a, agreed=True, reason="No contact for three months, suspect abroad.")
    assert risk.current_level(held) == "medium" and Client.objects.get(pk=held.pk).risk == "medium"
    with pytest.raises(ValidationError, match="not waiting"):
        risk.level_review(staff=staff_of(w["lead2"]), assessment=Assessment.objects.get(pk=a.pk), agreed=False, reason="Twice reviewed here.")
    refused = risk.level_review(staff=staff_of(w["lead2"]), assessment=own, agreed=False, reason="Bail ends next week: keep it.")
    assert not refused.agreed and risk.current_level(held) == "medium"


def test_raising_is_free_and_lowering_through_the_page_keeps_the_level(w):
    held = w["held"]
    risk.assessment_record(
        staff=worker(w), client=held, instrument="sdash-2009", answers={"SDASH-06": "yes"}, level="high", judgement="Threats again.", domestic=True
    )  # same level: no review
    client = signed_in(w["staff"][Role.CASEWORKER].user)
    response = client.post(url(w, "risk/sdash-2009/"), {"level": "standard", "judgement": "Seems calmer now.", "q_SDASH-01": "no"}, follow=True)
    assert response.status_code == 200 and b"team lead has reviewed" in response.content
    assert risk.current_level(held) == "high"
    assert Assessment.objects.filter(client=held).latest("at").review == Review.AWAITING


def test_answers_by_question_id_only_and_bad_input(w):
    held = w["held"]
    before = (Assessment.objects.count(), ClientEntry.objects.count())
    for kwargs, message in [
        ({"answers": {"SDASH-99": "yes"}}, "no question"),
        ({"answers": {"SDASH-01": "maybe"}}, "yes, no or not known"),
        ({"level": "extreme"}, "Choose a level"),
        ({"judgement": ""}, "professional judgement"),
        ({"judgement": "x" * 6000}, "too long"),
        ({"instrument": "daybook-indicators"}, "S-DASH or the DASH"),
    ]:
        args = {"instrument": "sdash-2009", "answers": {}, "level": "high", "judgement": "Reason given here.", "domestic": False, **kwargs}
        with pytest.raises(ValidationError, match=message):
            risk.assessment_record(staff=worker(w), client=held, **args)
    assert (Assessment.objects.count(), ClientEntry.objects.count()) == before
    with pytest.raises(ValidationError):
        risk.assessment_record(
            staff=worker(w), client=w["theirs"], instrument="sdash-2009", answers={}, level="high", judgement="Not my client at all.", domestic=False
        )


def test_the_form_shows_ids_and_topics_and_licensed_wording_only_where_loaded(w):
    client = signed_in(w["staff"][Role.CASEWORKER].user)
    page = client.get(url(w, "risk/sdash-2009/")).content.decode()
    assert "SDASH-04" in page and "No diary is linked" in page and "has no threshold" in page
    assert "score" not in page.lower()
    InstrumentWording.objects.create(instrument="sdash-2009", question_id="SDASH-04", text="Licensed test wording four", licence="Test licence 2026")
    page = client.get(url(w, "risk/sdash-2009/")).content.decode()
    assert "SDASH-04: Licensed test wording four" in page and "Test licence 2026" in page


def test_criteria_as_they_are(w):
    held = w["held"]
    ticks = {f"DASH-{i:02d}": "yes" for i in range(1, 15)}
    a = risk.assessment_record(
        staff=worker(w), client=held, instrument="dash-2009", answers=ticks, level="high", judgement="Fourteen ticks today.", domestic=True
    )
    c = risk.criteria(held, a)
    assert c.meets_visible_high_risk and "14 DASH question(s) ticked yes" in c.lines[0]
    thirteen = dict(list(ticks.items())[:13])
    b = risk.assessment_record(staff=worker(w), client=held, instrument="dash-2009", answers=thirteen, level="high", judgement="Thirteen ticks.", domestic=True)
    assert not risk.criteria(held, b).meets_visible_high_risk
    s = risk.assessment_record(
        staff=worker(w),
        client=held,
        instrument="sdash-2009",
        answers={f"SDASH-{i:02d}": "yes" for i in range(1, 12)},
        level="high",
        judgement="All eleven answered yes.",
        domestic=True,
    )
    lines = " ".join(risk.criteria(held, s).lines)
    assert "no threshold" in lines and "MARAC criterion" not in lines


# ------------------------------------------------------------------ status, orders, VPS


def test_status_change_prompts_a_review_and_bail_end_a_reminder(w):
    held = w["held"]
    row = orders.status_record(staff=worker(w), client=held, state="released", on=today())
    assert Task.objects.filter(client=held, kind=TaskKind.RISK_REVIEW, about=f"status/{row.uuid}", due_on=today()).exists()
    bail = StatusChange.objects.filter(client=held, state="bailed").get()
    assert Task.objects.filter(kind=TaskKind.BAIL_ENDS, about=f"status/{bail.uuid}", due_on=bail.until - dt.timedelta(days=3)).exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"state": "bailed", "on": "today"}, "date bail runs to"),
        ({"state": "bailed", "on": "today", "until": "yesterday", "conditions": "No contact"}, "before the date"),
        ({"state": "arrested", "on": "tomorrow"}, "future"),
        ({"state": "vanished", "on": "today"}, "from the list"),
    ],
)
def test_status_bad_input(w, kwargs, message):
    days = {"today": today(), "yesterday": today() - dt.timedelta(days=1), "tomorrow": today() + dt.timedelta(days=1)}
    kwargs = {k: days.get(v, v) for k, v in kwargs.items()}
    before = (StatusChange.objects.count(), Task.objects.count(), ClientEntry.objects.count())
    with pytest.raises(ValidationError, match=message):
        orders.status_record(staff=worker(w), client=w["held"], **kwargs)
    assert (StatusChange.objects.count(), Task.objects.count(), ClientEntry.objects.count()) == before


def test_spo_life_and_out_of_order_steps(w):
    s = worker(w)
    order = orders.order_open(staff=s, client=w["held"], kind=OrderKind.SPO)
    with pytest.raises(ValidationError, match="request to the police before"):
        orders.order_event_record(staff=s, order=order, step=OrderStep.POLICE_DECISION, on=today(), decision="apply", note="Grounds met.")
    orders.order_event_record(staff=s, order=order, step=OrderStep.REQUESTED, on=today() - dt.timedelta(days=10))
    with pytest.raises(ValidationError, match="reason"):
        orders.order_event_record(staff=s, order=order, step=OrderStep.POLICE_DECISION, on=today(), decision="refuse")
    with pytest.raises(ValidationError, match="before the order's first step"):
        orders.order_event_record(staff=s, order=order, step=OrderStep.APPLIED, on=today() - dt.timedelta(days=20))
    with pytest.raises(ValidationError, match="made .interim or full. first"):
        orders.order_event_record(staff=s, order=order, step=OrderStep.BREACH, on=today())
    orders.order_event_record(staff=s, order=order, step=OrderStep.POLICE_DECISION, on=today() - dt.timedelta(days=8), decision="apply", note="Grounds met.")
    hearing = orders.order_event_record(staff=s, order=order, step=OrderStep.INTERIM_HEARING, on=today() + dt.timedelta(days=10))
    assert Task.objects.filter(kind=TaskKind.HEARING, about=f"order-event/{hearing.uuid}", due_on=today() + dt.timedelta(days=7)).exists()
    with pytest.raises(ValidationError, match="expire before"):
        orders.order_event_record(staff=s, order=order, step=OrderStep.INTERIM_MADE, on=today(), expires_on=today() - dt.timedelta(days=1))
    made = orders.order_event_record(
        staff=s, order=order, step=OrderStep.MADE, on=today(), expires_on=today() + dt.timedelta(days=730), conditions="Not to enter Anytown"
    )
    assert Task.objects.filter(kind=TaskKind.ORDER_EXPIRES, about=f"order-event/{made.uuid}").exists()
    breach = orders.order_event_record(staff=s, order=order, step=OrderStep.BREACH, on=today(), note="Seen outside work.")
    assert Task.objects.filter(kind=TaskKind.RISK_REVIEW, about=f"order-event/{breach.uuid}").exists()


def test_order_step_through_the_page_shows_the_error_and_saves_nothing(w):
    client = signed_in(w["staff"][Role.CASEWORKER].user)
    before = ClientEntry.objects.count()
    response = client.post(url(w, f"orders/{w['order'].pk}/"), {"step": "police_decision", "on": today().isoformat(), "decision": "refuse"})
    assert response.status_code == 400 and b"reason the police gave" in response.content
    assert ClientEntry.objects.count() == before


def test_vps_steps(w):
    s = worker(w)
    with pytest.raises(ValidationError, match="before an update"):
        orders.vps_record(staff=s, client=w["held"], step="updated", on=today())
    orders.vps_record(staff=s, client=w["held"], step="offered", on=today() - dt.timedelta(days=5))
    with pytest.raises(ValidationError, match="before the statement was first offered"):
        orders.vps_record(staff=s, client=w["held"], step="made", on=today() - dt.timedelta(days=6))
    orders.vps_record(staff=s, client=w["held"], step="made", on=today() - dt.timedelta(days=4))
    orders.vps_record(staff=s, client=w["held"], step="told", on=today())
    summary = orders.vps_summary(w["held"])
    assert summary["made"] == today() - dt.timedelta(days=4) and summary["told"] == today() and summary["updated"] is None


# ------------------------------------------------------------------ onward referral


@pytest.mark.parametrize(
    ("basis", "message"),
    [
        (BasisInput(""), "Record the basis"),
        (BasisInput("whim"), "Record the basis"),
        (BasisInput(Basis.CONSENT), "date the person consented"),
        (BasisInput(Basis.SAFEGUARDING, decided_by="", person_told="yes", rationale="Child at risk of harm."), "who decided"),
        (BasisInput(Basis.PROTOCOL, decided_by="Team lead", person_told="", rationale="Under the protocol."), "person was told"),
        (BasisInput(Basis.PROTOCOL, decided_by="Team lead", person_told="no", rationale=""), "without consent"),
    ],
)
def test_no_onward_referral_without_a_basis_at_the_service(w, basis, message):
    before = (Onward.objects.count(), ClientEntry.objects.count())
    with pytest.raises(ValidationError, match=message):
        onward.onward_send(
            staff=worker(w), client=w["held"], kind=OnwardKind.ORGANISATION, purpose="Housing", to_organisation=w["other"], basis=basis, items=["name"]
        )
    assert (Onward.objects.count(), ClientEntry.objects.count()) == before


def test_no_onward_referral_without_a_basis_through_the_page(w):
    client = signed_in(w["staff"][Role.CASEWORKER].user)
    before = (Onward.objects.count(), ClientEntry.objects.count())
    data = {
        "kind": "organisation",
        "to_organisation": w["other"].pk,
        "purpose": "Housing",
        "items": ["name"],
        "basis": "protocol",
        "person_told": "yes",
        "rationale": "Because it seemed useful.",
    }
    response = client.post(url(w, "onward/new/"), data)
    assert response.status_code == 400 and b"who decided to share without consent" in response.content
    data["basis"] = ""
    assert client.post(url(w, "onward/new/"), data).status_code == 400
    assert (Onward.objects.count(), ClientEntry.objects.count()) == before
    data.update(basis="consent", consent_on=today().isoformat())
    response = client.post(url(w, "onward/new/"), data)
    assert response.status_code == 302 and Onward.objects.count() == before[0] + 1


def test_onward_other_rules(w):
    s, held = worker(w), w["held"]
    consent = BasisInput(Basis.CONSENT, consent_on=today())
    with pytest.raises(ValidationError, match="Choose what to share"):
        onward.onward_send(staff=s, client=held, kind=OnwardKind.ORGANISATION, purpose="Housing", to_organisation=w["other"], basis=consent, items=[])
    with pytest.raises(ValidationError, match="another organisation"):
        onward.onward_send(staff=s, client=held, kind=OnwardKind.ORGANISATION, purpose="Housing", to_organisation=w["org"], basis=consent, items=["name"])
    stranger = allocated_client(w["staff"][Role.TEAM_LEAD], w["staff"][Role.CASEWORKER], full_name="Sian Stranger", suspect_relationship=Relationship.STRANGER)
    with pytest.raises(ValidationError, match="MASIP"):
        onward.onward_send(staff=s, client=stranger, kind=OnwardKind.MARAC, purpose="High risk", basis=consent)
    masip = onward.onward_send(staff=s, client=stranger, kind=OnwardKind.MASIP, purpose="Fixated stranger", basis=consent)
    assert masip.state == OnwardState.SENT


def test_recipient_sees_only_what_was_chosen_and_nothing_after_withdrawal(w):
    to_fife = w["to_fife"]
    fife = signed_in(w["other_lead"].user)
    page = fife.get(f"/staff/fife/referrals-in/{to_fife.pk}/").content
    assert b"Harriet Held" in page and b"Area" not in page
    response = fife.post(f"/staff/fife/referrals-in/{to_fife.pk}/", {"state": "declined", "reason": ""})
    assert response.status_code == 400 and Onward.objects.get(pk=to_fife.pk).state == OnwardState.SENT
    fife.post(f"/staff/fife/referrals-in/{to_fife.pk}/", {"state": "accepted"})
    assert Onward.objects.get(pk=to_fife.pk).state == OnwardState.ACCEPTED
    client = signed_in(w["staff"][Role.CASEWORKER].user)
    response = client.post(url(w, f"onward/{to_fife.pk}/withdraw/"), {"reason": "The person withdrew consent."})
    assert response.status_code == 200 and b"has already read what was shared" in response.content
    fresh = Onward.objects.get(pk=to_fife.pk)
    assert fresh.state == OnwardState.WITHDRAWN and fresh.shared_enc == ""
    page = fife.get(f"/staff/fife/referrals-in/{to_fife.pk}/").content
    assert b"Harriet" not in page and b"withdrew this referral" in page
    assert fife.post(f"/staff/fife/referrals-in/{to_fife.pk}/", {"state": "completed"}).status_code == 400
    # Withdrawing twice is refused clearly, at the service and through the page.
    with pytest.raises(ValidationError, match="already withdrawn on"):
        onward.onward_withdraw(staff=worker(w), onward=fresh, reason="Again, by mistake.")
    response = client.post(url(w, f"onward/{to_fife.pk}/withdraw/"), {"reason": "Again, by mistake."})
    assert response.status_code == 400 and b"already withdrawn" in response.content


def test_marac_meeting_feedback_actions_repeat_and_pdf(w):
    s, m = worker(w), w["marac"]
    friday = today() - dt.timedelta(days=(today().weekday() - 4) % 7 or 7)
    if friday < m.at.date():
        Onward.objects.filter(pk=m.pk).update(at=m.at - dt.timedelta(days=30))
        m.refresh_from_db()
    onward.meeting_set(staff=s, onward=m, meeting_on=friday)
    assert onward.feedback_due(m) >= friday + dt.timedelta(days=4)  # Friday + two working days: Tuesday (or later over a bank holiday)
    assert Task.objects.filter(kind=TaskKind.MEETING_FEEDBACK, about=f"onward/{m.uuid}", done_at__isnull=True).count() == 1
    with pytest.raises(ValidationError, match="before the meeting"):
        onward.feedback_record(staff=s, onward=m, on=friday - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="due before the meeting"):
        onward.action_add(staff=s, onward=m, what="Too early", owner=w["staff"][Role.CASEWORKER], due_on=friday - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="your organisation"):
        onward.action_add(staff=s, onward=m, what="Theirs", owner=w["other_worker"], due_on=friday + dt.timedelta(days=3))
    onward.feedback_record(staff=s, onward=m, on=today())
    assert not Task.objects.filter(kind=TaskKind.MEETING_FEEDBACK, about=f"onward/{m.uuid}", done_at__isnull=True).exists()
    assert risk.repeat_within_year(w["held"])
    made = marac.render(Onward.objects.get(pk=m.pk), "Kent caseworker")
    assert made.data.startswith(b"%PDF") and made.pages >= 1
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=made.data, capture_output=True, check=True).stdout.decode()
    assert "HELD, Harriet" in text and "KT/1234/26" in text and "must not be told" in text and "repeat" in text


def test_the_client_chain_verifies_and_finds_tampering(w):
    held = w["held"]
    result = ledger.verify(held)
    assert result.ok and result.entries >= 10
    StatusChange.objects.filter(client=held).update(state="released")
    assert "changed outside Daybook" in ledger.verify(held).problem
    StatusChange.objects.filter(client=held).update(state="bailed")
    assert ledger.verify(held).ok
    ClientEntry.objects.filter(client=held, seq=2).update(payload_sha256="0" * 64)
    assert not ledger.verify(held).ok


def test_verify_client_chain_command(w):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("verify_client_chain", str(w["held"].pk), stdout=out)
    assert "intact" in out.getvalue()
    StatusChange.objects.filter(client=w["held"]).update(state="released")
    with pytest.raises(CommandError, match="failed the check"):
        call_command("verify_client_chain", str(w["held"].pk), stdout=StringIO())
