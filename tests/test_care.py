"""care's rules: safeguarding acts at once and tells the lead, outcomes are chased, consent paths, withdrawal never
erases, closing needs an outcome; needs and support plan dates in order; the safety plan's versions, conflicts,
marked sections and print; every step chained on the client's hash chain and verified."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from freezegun import freeze_time

from accounts.testing import audit as page_audit
from audit.models import AuditEvent
from care import ledger, plans, safeguarding, safety, selectors
from care.models import ClientChainEntry, ConcernStatus, SafeguardingConcern, SafeguardingReferral, SafetyPlan, Snapshot
from care.testing import make_world, sections
from casework.models import Alert, AlertKind
from casework.testing import staff_of
from chain import kinds
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
TODAY = dt.date.today


@pytest.fixture
def world():
    return make_world()


def worker(w):
    return staff_of(w["staff"][Role.CASEWORKER])


def errors_of(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


# --- safeguarding ---


def test_a_concern_out_of_hours_without_consent_tells_the_lead_who_reviews(world):
    client = world["client"]
    with freeze_time("2026-12-05 22:30:00"):  # a Saturday night
        concern = safeguarding.concern_raise(
            staff=staff_of(world["staff"][Role.DUTY_WORKER]), client=client, subject="adult", summary="Her mother is being followed too.", consent="not_yet"
        )
    assert concern.out_of_hours and concern.number == 2 and concern.consent == "not_yet"
    alert = Alert.objects.get(kind=AlertKind.SAFEGUARDING, message__startswith=f"Safeguarding concern {concern.reference} ")
    assert "out of hours" in alert.message and "Her mother" not in alert.message
    lead = signed_in(world["staff"][Role.SAFEGUARDING_LEAD].user)
    listing = lead.get("/staff/kent/safeguarding/").content.decode()
    assert concern.reference in listing and "Waiting for review" in listing
    assert "waiting for your review" in lead.get("/staff/kent/").content.decode()
    response = lead.post(f"/staff/kent/clients/{client.pk}/safeguarding/{concern.number}/review/", {"review-note": "Adult safeguarding referral agreed."})
    assert response.status_code == 302
    concern.refresh_from_db()
    assert concern.reviewed_by == world["staff"][Role.SAFEGUARDING_LEAD] and concern.review_note == "Adult safeguarding referral agreed."
    alert.refresh_from_db()
    assert alert.closed_at is not None
    # A caseworker cannot do the lead's review.
    assert (
        signed_in(world["staff"][Role.CASEWORKER].user)
        .post(f"/staff/kent/clients/{client.pk}/safeguarding/{concern.number}/review/", {"review-note": "x"})
        .status_code
        == 404
    )


def test_in_office_hours_is_not_out_of_hours(world):
    with freeze_time("2026-12-07 10:00:00"):  # a Monday morning (London is UTC in December)
        concern = safeguarding.concern_raise(staff=worker(world), client=world["client"], subject="child", summary="s", consent="given")
    assert not concern.out_of_hours


def test_referral_outcome_is_chased_and_overdue_is_marked(world):
    client = world["client"]
    with freeze_time("2026-12-07 10:00:00"):
        concern = safeguarding.concern_raise(staff=worker(world), client=client, subject="child", summary="s", consent="not_yet")
        referral = safeguarding.referral_make(staff=worker(world), concern=concern, agency="mash")
    assert referral.outcome_due == dt.date(2026, 12, 8)  # one working day
    with freeze_time("2026-12-09 10:00:00"):
        assert safeguarding.overdue(referral)
        page = signed_in(world["staff"][Role.CASEWORKER].user).get(f"/staff/kent/clients/{client.pk}/safeguarding/{concern.number}/").content.decode()
        assert "Outcome overdue" in page
        assert any(i.overdue and "Safeguarding outcome" in i.what for i in selectors.due(worker(world)).items)
        with pytest.raises(ValidationError) as exc:
            safeguarding.referral_chase(staff=worker(world), referral=referral, next_due=dt.date(2026, 12, 1))
        assert "next_due" in errors_of(exc)
        safeguarding.referral_chase(staff=worker(world), referral=referral, next_due=dt.date(2026, 12, 10))
        referral.refresh_from_db()
        assert referral.last_chased_on == dt.date(2026, 12, 9) and not safeguarding.overdue(referral)
        with pytest.raises(ValidationError) as exc:
            safeguarding.referral_outcome(staff=worker(world), referral=referral, outcome="Strategy meeting", outcome_on=dt.date(2026, 12, 6))
        assert "outcome_on" in errors_of(exc)  # before the referral was made
        safeguarding.referral_outcome(staff=worker(world), referral=referral, outcome="Strategy meeting held", outcome_on=dt.date(2026, 12, 9))
        with pytest.raises(ValidationError):
            safeguarding.referral_outcome(staff=worker(world), referral=referral, outcome="again", outcome_on=None)


def test_out_of_order_referral_dates_are_refused(world):
    concern = world["concern"]
    with pytest.raises(ValidationError) as exc:
        safeguarding.referral_make(staff=worker(world), concern=concern, agency="lado", made_at=concern.raised_at - dt.timedelta(days=3))
    assert "made_at" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        safeguarding.referral_make(staff=worker(world), concern=concern, agency="lado", outcome_due=TODAY() - dt.timedelta(days=1))
    assert "outcome_due" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        safeguarding.referral_make(staff=worker(world), concern=concern, agency="police?")
    assert "agency" in errors_of(exc)
    assert SafeguardingReferral.objects.filter(concern=concern).count() == 1


def test_closing_without_an_outcome_is_refused(world):
    concern, referral = world["concern"], world["referral"]
    url = f"/staff/kent/clients/{world['client'].pk}/safeguarding/{concern.number}/close/"
    http = signed_in(world["staff"][Role.CASEWORKER].user)
    before = Snapshot.objects.count()
    response = http.post(url, {"close-outcome": ""})
    assert response.status_code == 400 and "cannot be closed without its outcome" in response.content.decode()
    response = http.post(url, {"close-outcome": "Children's social care took it on."})
    assert response.status_code == 400 and "while a referral has no outcome" in response.content.decode()
    assert SafeguardingConcern.objects.get(pk=concern.pk).status == ConcernStatus.OPEN and Snapshot.objects.count() == before
    safeguarding.referral_outcome(staff=worker(world), referral=referral, outcome="Assessment opened", outcome_on=None)
    assert http.post(url, {"close-outcome": "Children's social care took it on."}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.CLOSED and concern.outcome == "Children's social care took it on."
    with pytest.raises(ValidationError):
        safeguarding.concern_close(staff=worker(world), concern=concern, outcome="again")
    with pytest.raises(ValidationError):
        safeguarding.referral_make(staff=worker(world), concern=concern, agency="mash")


def test_withdrawing_consent_never_erases_or_freezes_the_record(world):
    concern, client = world["concern"], world["client"]
    safeguarding.child_add(
        staff=worker(world), concern=concern, data={"name": "Ava", "date_of_birth": dt.date(2019, 4, 1), "school": "Elm Primary", "suspect_is_parent": "yes"}
    )
    before = (Snapshot.objects.filter(client=client).count(), SafeguardingReferral.objects.count(), ClientChainEntry.objects.filter(client=client).count())
    with pytest.raises(ValidationError) as exc:
        safeguarding.consent_record(staff=worker(world), concern=concern, consent="withdrawn", note="")
    assert "consent_note" in errors_of(exc)
    safeguarding.consent_record(staff=worker(world), concern=concern, consent="withdrawn", note="She withdrew consent on the phone today.")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.OPEN and concern.summary and concern.children[0]["name"] == "Ava"
    after = (Snapshot.objects.filter(client=client).count(), SafeguardingReferral.objects.count(), ClientChainEntry.objects.filter(client=client).count())
    assert after == (before[0] + 1, before[1], before[2] + 1)  # one more step; nothing removed
    with pytest.raises(ValidationError) as exc:
        safeguarding.consent_record(staff=worker(world), concern=concern, consent="withdrawn", note="again")
    assert "already recorded as withdrawn" in str(exc.value)
    # Still acted on: a further referral, and the history keeps every earlier step.
    safeguarding.referral_make(staff=worker(world), concern=concern, agency="lado")
    steps = [s.payload["action"] for s in ledger.history(client, safeguarding.subject_of(concern))]
    assert steps == ["raised", "referred", "child_added", "consent_withdrawn", "referred"]
    assert ledger.verify(client).ok


def test_a_late_opt_out_purging_the_referral_keeps_the_safeguarding_record(world):
    from casework.police import purge  # noqa: PLC0415

    client, concern = world["client"], world["concern"]
    purge(world["held"])
    assert not client.referrals.exists()
    concern = SafeguardingConcern.objects.get(pk=concern.pk)
    assert concern.summary and concern.client_id == client.pk and ledger.verify(client).ok
    # A client with no safeguarding record goes with its last referral, as before.
    other = world["new"]
    purge(other)
    assert not type(client).objects.filter(pk=other.client_id).exists()


def test_consent_paths_for_under_16s_and_adults_who_may_lack_capacity(world):
    client = world["client"]
    for path in ("parent", "competent_child", "best_interests", "without_consent"):
        with pytest.raises(ValidationError) as exc:
            safeguarding.concern_raise(staff=worker(world), client=client, subject="child", summary="s", consent=path)
        assert "consent_note" in errors_of(exc), path
    concern = safeguarding.concern_raise(
        staff=worker(world),
        client=client,
        subject="adult",
        summary="s",
        consent="best_interests",
        consent_note="Capacity assessed by the GP on 3 Dec; best-interests meeting decided to refer.",
    )
    assert concern.get_consent_display().startswith("An adult who may lack capacity")
    with pytest.raises(ValidationError):
        safeguarding.concern_raise(staff=worker(world), client=client, subject="child", summary="s", consent="withdrawn", consent_note="x")


def test_childrens_details_are_checked_and_sealed(world):
    concern = world["concern"]
    with pytest.raises(ValidationError) as exc:
        safeguarding.child_add(staff=worker(world), concern=concern, data={"name": "Future", "date_of_birth": TODAY() + dt.timedelta(days=2)})
    assert "child_date_of_birth" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        safeguarding.concern_raise(staff=worker(world), client=world["client"], subject="unborn", summary="Pregnant", consent="given", children=[{"name": ""}])
    assert "child_expected_on" in errors_of(exc)
    unborn = safeguarding.concern_raise(
        staff=worker(world),
        client=world["client"],
        subject="unborn",
        summary="Pregnant",
        consent="given",
        children=[{"expected_on": TODAY() + dt.timedelta(days=90), "suspect_is_parent": "yes"}],
    )
    assert unborn.children[0]["suspect_is_parent"] == "yes"
    safeguarding.child_add(
        staff=worker(world), concern=concern, data={"name": "Zeynep ‮Özdemir", "school": "<b>Elm</b> Primary", "contact_arrangements": "Alternate Saturdays"}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT children_enc FROM care_safeguardingconcern WHERE id = %s", [concern.pk])
        raw = cursor.fetchone()[0]
    assert "Zeynep" not in raw and "Elm" not in raw and raw.startswith("v2.")
    page = signed_in(world["staff"][Role.CASEWORKER].user).get(f"/staff/kent/clients/{world['client'].pk}/safeguarding/1/").content.decode()
    assert "&lt;b&gt;Elm&lt;/b&gt; Primary" in page and "<b>Elm</b>" not in page


def test_huge_or_markup_input_through_the_views_saves_nothing(world):
    http = signed_in(world["staff"][Role.CASEWORKER].user)
    base = f"/staff/kent/clients/{world['client'].pk}"
    before = Snapshot.objects.count()
    response = http.post(f"{base}/safeguarding/new/", {"subject": "child", "summary": "x" * 9000, "consent": "given"})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    response = http.post(f"{base}/safeguarding/new/", {"subject": "martian", "summary": "s", "consent": "given"})
    assert response.status_code == 400
    response = http.post(f"{base}/safeguarding/new/", {"subject": "child", "summary": "s", "consent": "given", "child_date_of_birth": "31/02/2020"})
    assert response.status_code == 400
    assert Snapshot.objects.count() == before


# --- needs and support plan ---


def outcomes(**v: int) -> dict[str, int]:
    return {k: v.get(k, 3) for k in plans.OUTCOMES}


def test_needs_start_then_reviews_in_order(world):
    client = world["new"].client
    w = worker(world)
    with pytest.raises(ValidationError) as exc:
        plans.needs_assess(staff=w, client=client, stage="review", assessed_on=TODAY(), areas={}, own_words="", outcomes=outcomes())
    assert "review cannot come before it" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        plans.needs_assess(staff=w, client=client, stage="start", assessed_on=TODAY(), areas={}, own_words="", outcomes=outcomes())
    assert "own_words" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        plans.needs_assess(staff=w, client=client, stage="start", assessed_on=TODAY(), areas={}, own_words="Feel safe at home", outcomes=outcomes(safe=9))
    assert "outcome_safe" in errors_of(exc)
    start = plans.needs_assess(
        staff=w,
        client=client,
        stage="start",
        assessed_on=TODAY() - dt.timedelta(days=10),
        areas={"housing": {"level": "high", "note": "He knows the address"}},
        own_words="I want to feel safe at home",
        outcomes=outcomes(safe=1),
    )
    assert start.outcomes["safe"] == 1 and start.areas["housing"]["level"] == "high" and start.areas["safety"]["level"] == "none"
    with pytest.raises(ValidationError):
        plans.needs_assess(staff=w, client=client, stage="start", assessed_on=TODAY(), areas={}, own_words="again", outcomes=outcomes())
    with pytest.raises(ValidationError) as exc:
        plans.needs_assess(staff=w, client=client, stage="review", assessed_on=TODAY() - dt.timedelta(days=20), areas={}, own_words="", outcomes=outcomes())
    assert "assessed_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        plans.needs_assess(staff=w, client=client, stage="review", assessed_on=TODAY() + dt.timedelta(days=1), areas={}, own_words="", outcomes=outcomes())
    assert "assessed_on" in errors_of(exc)
    plans.needs_assess(staff=w, client=client, stage="exit", assessed_on=TODAY(), areas={}, own_words="", outcomes=outcomes(safe=4))
    assert ledger.verify(client).ok


def test_needs_form_through_the_view(world):
    http = signed_in(world["staff"][Role.TEAM_LEAD].user)
    url = f"/staff/kent/clients/{world['client'].pk}/needs/"
    data = {
        "stage": "start",
        "assessed_on": TODAY().isoformat(),
        "own_words": "مرحبا, I want him to stop",
        **{f"{a}_level": "some" for a in plans.NeedArea.values},
    }
    data.update({f"outcome_{k}": "2" for k in plans.OUTCOMES})
    assert http.post(url, data).status_code == 302
    page = http.get(url).content.decode()
    assert "مرحبا" in page and "At the start" in page


def test_support_plan_rules_and_dashboard(world):
    client, goal, w = world["client"], world["goal"], worker(world)
    other_org_member = world["other_lead"]
    with pytest.raises(ValidationError) as exc:
        plans.action_add(staff=w, goal=goal, text="x", owner=other_org_member, due_on=TODAY() + dt.timedelta(days=1))
    assert "owner" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        plans.action_add(staff=w, goal=goal, text="x", owner=world["staff"][Role.CASEWORKER], due_on=TODAY() - dt.timedelta(days=1))
    assert "due_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        plans.plan_review(staff=w, client=client, reviewed_on=TODAY() - dt.timedelta(days=5), next_review_on=TODAY() + dt.timedelta(days=20), note="n")
    assert "before the plan began" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        plans.plan_review(staff=w, client=client, reviewed_on=TODAY(), next_review_on=TODAY(), note="n")
    assert "next_review_on" in errors_of(exc)
    with pytest.raises(ValidationError) as exc:
        plans.plan_review(staff=w, client=world["new"].client, reviewed_on=TODAY(), next_review_on=TODAY() + dt.timedelta(days=9), note="n")
    assert "no plan to review" in str(exc.value)
    plans.plan_review(staff=w, client=client, reviewed_on=TODAY(), next_review_on=TODAY() + dt.timedelta(days=28), note="Going well")
    # Due within a week: the action (3 days). Eight days on, it is overdue; the safety plan review (30 days) not yet due.
    d = selectors.due(w)
    assert sorted(i.what for i in d.items) == ["Safeguarding outcome from Children's social care", "Support plan action"]
    assert d.rows[0].soon == 2 and d.team.soon == 2 and not d.team.overdue
    with freeze_time(TODAY() + dt.timedelta(days=8)):
        d = selectors.due(staff_of(world["staff"][Role.TEAM_LEAD]))
        mine = next(r for r in d.rows if r.member == world["staff"][Role.CASEWORKER])
        assert mine.overdue == 2 and d.team.overdue == 2  # the action and the safeguarding outcome, on his row and the team's
        page = signed_in(world["staff"][Role.TEAM_LEAD].user).get("/staff/kent/plans-due/").content.decode()
        assert "Overdue" in page and "The team (every client)" in page and "Harriet" not in page
        assert "plan item(s) overdue" in signed_in(world["staff"][Role.CASEWORKER].user).get("/staff/kent/").content.decode()
    plans.action_done(staff=w, action=world["action"], done_on=None)
    with pytest.raises(ValidationError):
        plans.action_done(staff=w, action=world["action"], done_on=None)
    states = [s.payload["action"] for s in ledger.history(client, plans.PLAN_SUBJECT)]
    assert states == ["goal_added", "action_added", "reviewed", "action_done"]
    assert ledger.verify(client).ok


# --- safety plan ---


def test_two_people_editing_one_plan_are_never_silently_overwritten(world):
    client = world["client"]
    url = f"/staff/kent/clients/{client.pk}/safety-plan/edit/"
    first = signed_in(world["staff"][Role.CASEWORKER].user)
    second = signed_in(world["staff"][Role.DUTY_WORKER].user)
    assert b'name="base_version" value="1"' in first.get(url).content and b'name="base_version" value="1"' in second.get(url).content
    review = (TODAY() + dt.timedelta(days=14)).isoformat()
    mine = {
        "base_version": "1",
        "made_with_person": "on",
        "review_on": review,
        "emergency_text": "Call 999, then the code word",
        "leaving_text": "New flat",
        "leaving_marked": "on",
    }
    assert first.post(url, mine).status_code == 302
    theirs = {**mine, "emergency_text": "Duty worker's change"}
    response = second.post(url, theirs)
    assert response.status_code == 409
    body = response.content.decode()
    assert "saved version 2" in body and "Duty worker&#x27;s change" in body and "Call 999, then the code word" in body
    assert page_audit(body) == []
    plan = SafetyPlan.objects.get(client=client)
    assert plan.version == 2 and plan.sections["emergency"]["text"] == "Call 999, then the code word"
    assert AuditEvent.objects.filter(client=client, action="safety_plan.conflict").count() == 1
    assert [v["version"] for v in safety.versions(client)] == [2, 1]
    assert second.post(url, {**theirs, "base_version": "2"}).status_code == 302
    assert SafetyPlan.objects.get(client=client).version == 3
    assert ledger.verify(client).ok


def test_review_date_must_come_after_the_plan(world):
    for bad in (TODAY(), TODAY() - dt.timedelta(days=3), TODAY() + dt.timedelta(days=400), None):
        with pytest.raises(ValidationError) as exc:
            safety.save(staff=worker(world), client=world["new"].client, base_version=0, made_with_person=True, review_on=bad, sections=sections(home="Locks"))
        assert "review_on" in errors_of(exc)
    with pytest.raises(ValidationError):
        safety.save(
            staff=worker(world), client=world["new"].client, base_version=0, made_with_person=True, review_on=TODAY() + dt.timedelta(days=5), sections={}
        )
    assert not SafetyPlan.objects.filter(client=world["new"].client).exists()


def test_marked_sections_leave_the_service_only_when_chosen(world):
    client = world["client"]
    http = signed_in(world["staff"][Role.CASEWORKER].user)
    printed = http.get(f"/staff/kent/clients/{client.pk}/safety-plan/print/").content.decode()
    assert "Call 999" in printed and "4 Elm Road" not in printed and "care/print.css" in printed and "style=" not in printed
    chosen = http.get(f"/staff/kent/clients/{client.pk}/safety-plan/print/?marked=include").content.decode()
    assert "4 Elm Road" in chosen
    targets = list(AuditEvent.objects.filter(client=client, action="safety_plan.printed").order_by("id").values_list("target", flat=True))
    assert targets == ["safety plan v1 without marked sections", "safety plan v1 with marked sections (chosen)"]
    on_screen = http.get(f"/staff/kent/clients/{client.pk}/safety-plan/").content.decode()
    assert "4 Elm Road" in on_screen and "The suspect must never see this" in on_screen


# --- the client's chain ---


def test_the_client_chain_verifies_and_finds_tampering(world):
    client = world["client"]
    result = ledger.verify(client)
    assert result.ok and result.entries == Snapshot.objects.filter(client=client).count() >= 5
    page = signed_in(world["staff"][Role.CASEWORKER].user).get(f"/staff/kent/clients/{client.pk}/care/verify/").content.decode()
    assert "Intact" in page
    # A change made straight to the current row (not through Daybook) is found.
    SafeguardingConcern.objects.filter(pk=world["concern"].pk).update(consent="given")
    assert not ledger.verify(client).ok and "changed outside Daybook" in ledger.verify(client).problem
    SafeguardingConcern.objects.filter(pk=world["concern"].pk).update(consent="not_yet")
    assert ledger.verify(client).ok
    # An altered entry, a removed entry.
    entry = ClientChainEntry.objects.filter(client=client).order_by("seq")[1]
    ClientChainEntry.objects.filter(pk=entry.pk).update(ref="safety-plan/s9")
    assert "altered" in ledger.verify(client).problem
    ClientChainEntry.objects.filter(pk=entry.pk).update(ref=entry.ref)
    last = ClientChainEntry.objects.filter(client=client).order_by("-seq").first()
    ClientChainEntry.objects.filter(pk=last.pk).delete()
    assert not ledger.verify(client).ok


def test_care_kinds_are_registered_and_refused_in_a_diary_chain(case):
    family = kinds.family_of("safety_plan.version")
    assert family is not None and family.name == "care"
    assert set(family.kinds) == {"safeguarding.step", "needs.assessment", "support_plan.version", "safety_plan.version"}
    checker = family.checker(case)
    assert "does not belong in a diary" in checker.check(ClientChainEntry(seq=3, kind="safeguarding.step"))


def test_a_plan_is_shared_back_only_when_chosen_and_never_its_marked_sections(world, owner, case):
    from circle.models import Share  # noqa: PLC0415

    client = world["client"]
    person = signed_in(owner)
    Share.objects.create(case=case, organisation=world["org"], client=client, origin="code")
    assert "No service has shared a safety plan with you" in person.get("/circle/").content.decode()
    http = signed_in(world["staff"][Role.CASEWORKER].user)
    assert http.post(f"/staff/kent/clients/{client.pk}/safety-plan/share/", {"share": "yes"}).status_code == 302
    page = person.get("/circle/").content.decode()
    assert "Kent Victim Hub, version 1" in page and "Call 999" in page and "4 Elm Road" not in page
    # A newer version is not shared until chosen; stopping removes it; an ended diary share shows nothing.
    safety.save(
        staff=worker(world),
        client=client,
        base_version=1,
        made_with_person=True,
        review_on=TODAY() + dt.timedelta(days=9),
        sections=sections(emergency="Call 999 now"),
    )
    assert "Call 999 now" not in person.get("/circle/").content.decode()
    assert http.post(f"/staff/kent/clients/{client.pk}/safety-plan/share/", {"share": "no"}).status_code == 302
    assert "No service has shared a safety plan with you" in person.get("/circle/").content.decode()
    http.post(f"/staff/kent/clients/{client.pk}/safety-plan/share/", {"share": "yes"})
    assert "Call 999 now" in person.get("/circle/").content.decode()
    Share.objects.update(ended_at=dt.datetime.now(dt.UTC))
    assert "Call 999 now" not in person.get("/circle/").content.decode()
    assert AuditEvent.objects.filter(client=client, action="safety_plan.shared").count() == 3
