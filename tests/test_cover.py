"""cover/ (issue 15 item 7): cover grants through the one access policy and their expiry, the duty worker of the
day, lone-working escalation on a frozen clock, reallocation all or nothing, supervision, risk to staff, handover
notes, interpreters on contact attempts, the bounded contact log, and hostile input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from audit.models import AuditEvent
from casework import services as casework_services
from casework.models import Alert, AlertKind, Client, ContactAttempt
from casework.policy import Sight, sight, visible_clients
from casework.testing import make_referral, staff_of
from cover import services, visits
from cover.models import CoverGrant, HandoverNote, Reallocation, StaffRisk, Supervision, Visit
from organisations.models import Role
from organisations.testing import make_org, make_staff, signed_in

pytestmark = pytest.mark.django_db
UTC = dt.UTC
BANNER = 'aria-label="Risk to staff"'


@pytest.fixture
def team():
    org = make_org("Kent Victim Hub", "ENG", "kent")
    lead = make_staff(org, Role.TEAM_LEAD, "Kent Lead")
    ann = make_staff(org, Role.CASEWORKER, "Ann Away")
    bob = make_staff(org, Role.CASEWORKER, "Bob Cover")
    cat = make_staff(org, Role.CASEWORKER, "Cat Other")
    duty = make_staff(org, Role.DUTY_WORKER, "Dee Duty")
    referral = make_referral(lead, full_name="Harriet Held", phones=["07700 900123"])
    casework_services.referral_accept(staff=staff_of(lead), referral=referral)
    casework_services.client_allocate(staff=staff_of(lead), client=referral.client, member=ann)
    other = make_org("Fife Support", "SCT", "fife")
    other_lead = make_staff(other, Role.TEAM_LEAD, "Fife Lead")
    return {
        "org": org,
        "lead": lead,
        "ann": ann,
        "bob": bob,
        "cat": cat,
        "duty": duty,
        "client": referral.client,
        "referral": referral,
        "other_lead": other_lead,
    }


def _grant(team, hours: float = 8, start: dt.datetime | None = None) -> CoverGrant:
    start = start or timezone.now() - dt.timedelta(minutes=1)
    return services.cover_grant(
        staff=staff_of(team["lead"]),
        covering=team["bob"],
        absent=team["ann"],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=hours),
        reason="Annual leave",
    )


def _pages(client: Client) -> list[str]:
    c = f"/staff/kent/clients/{client.pk}"
    return [f"{c}/", f"{c}/care/", f"{c}/justice/", f"{c}/cover/"]


def test_cover_grant_opens_the_absent_colleagues_clients_until_it_expires(team):
    client, bob = team["client"], team["bob"]
    assert sight(staff_of(bob), client) is Sight.NONE
    for url in _pages(client):
        assert signed_in(bob.user).get(url).status_code == 404, url
    with freeze_time("2026-12-07 09:00:00"):
        grant = _grant(team, hours=8)
        assert sight(staff_of(bob), client) is Sight.FULL
        assert client in visible_clients(staff_of(bob))
        assert sight(staff_of(team["cat"]), client) is Sight.NONE  # only the one covering
        http = signed_in(bob.user)
        for url in _pages(client):
            assert http.get(url).status_code == 200, url
        event = AuditEvent.objects.filter(action="cover.granted").get()
        assert event.actor == team["lead"].user and f"cover {grant.pk}" in event.target
    with freeze_time("2026-12-07 17:00:01"):  # just after the end
        assert sight(staff_of(bob), client) is Sight.NONE
        assert client not in visible_clients(staff_of(bob))
        http = signed_in(bob.user)
        for url in _pages(client):
            assert http.get(url).status_code == 404, url


def test_ending_cover_early_stops_it_at_once_and_twice_is_refused(team):
    grant = _grant(team)
    assert sight(staff_of(team["bob"]), team["client"]) is Sight.FULL
    services.cover_end(staff=staff_of(team["lead"]), grant=grant)
    assert sight(staff_of(team["bob"]), team["client"]) is Sight.NONE
    with pytest.raises(ValidationError, match="already ended"):
        services.cover_end(staff=staff_of(team["lead"]), grant=grant)


def test_cover_of_a_restricted_client_still_needs_break_glass(team):
    lead, ann = team["lead"], team["ann"]
    rita = make_referral(lead, full_name="Rita Restricted", restricted=True)
    casework_services.referral_accept(staff=staff_of(lead), referral=rita)
    casework_services.client_allocate(staff=staff_of(lead), client=rita.client, member=ann)
    _grant(team)
    response = signed_in(team["bob"].user).get(f"/staff/kent/clients/{rita.client.pk}/cover/")
    assert response.status_code == 403 and b"Rita" not in response.content


@pytest.mark.parametrize(
    "change, words",
    [
        ({"ends_at": timezone.now() - dt.timedelta(hours=2), "starts_at": timezone.now() - dt.timedelta(hours=3)}, "already passed"),
        ({"ends_at": timezone.now(), "starts_at": timezone.now() + dt.timedelta(hours=1)}, "after the start"),
        ({"ends_at": timezone.now() + dt.timedelta(days=200)}, "time-limited"),
        ({"reason": "  "}, "reason"),
        ({"covering": "ann"}, "own clients"),
        ({"covering": "other_lead"}, "of your organisation"),
        ({"absent": "other_lead"}, "colleague of your organisation"),
    ],
)
def test_bad_cover_grants_are_refused_and_nothing_saved(team, change, words):
    data = {"covering": team["bob"], "absent": team["ann"], "starts_at": timezone.now(), "ends_at": timezone.now() + dt.timedelta(hours=4), "reason": "Leave"}
    for k, v in change.items():
        data[k] = team[v] if isinstance(v, str) and v in team else v
    with pytest.raises(ValidationError, match=words):
        services.cover_grant(staff=staff_of(team["lead"]), **data)
    assert not CoverGrant.objects.exists()


def test_only_a_team_lead_grants_cover(team):
    for who in ("bob", "duty", "ann"):
        with pytest.raises(ValidationError, match="team lead"):
            services.cover_grant(
                staff=staff_of(team[who]),
                covering=team["bob"],
                absent=team["ann"],
                starts_at=timezone.now(),
                ends_at=timezone.now() + dt.timedelta(hours=1),
                reason="x" * 5,
            )


def test_duty_worker_of_the_day_sees_every_client_that_day_only(team):
    cat, client = team["cat"], team["client"]
    with freeze_time("2026-12-07 09:00:00"):
        services.duty_set(staff=staff_of(team["lead"]), on=dt.date(2026, 12, 7), member=cat)
        assert sight(staff_of(cat), client) is Sight.FULL
        assert signed_in(cat.user).get("/staff/kent/duty/").status_code == 200
        home = signed_in(cat.user).get("/staff/kent/").content.decode()
        assert "You are the duty worker today" in home
        assert signed_in(team["bob"].user).get("/staff/kent/duty/").status_code == 404
        with pytest.raises(ValidationError, match="today or a later day"):
            services.duty_set(staff=staff_of(team["lead"]), on=dt.date(2026, 12, 6), member=cat)
    with freeze_time("2026-12-08 09:00:00"):
        assert sight(staff_of(cat), client) is Sight.NONE
        assert signed_in(cat.user).get("/staff/kent/duty/").status_code == 404


def _visit(team, start: dt.datetime, minutes: int = 60) -> Visit:
    return services.visit_plan(
        staff=staff_of(team["ann"]),
        client=team["client"],
        member=team["ann"],
        kind="home",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=minutes),
        place="12 Acacia Avenue",
    )


def test_missed_check_in_escalates_once_on_a_frozen_clock(team):
    start = dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with freeze_time("2026-12-07 09:30:00"):
        visit = _visit(team, start)
    with freeze_time("2026-12-07 10:14:59"):
        assert visits.check_visits() == []
    with freeze_time("2026-12-07 10:15:01"):
        raised = visits.check_visits()
        assert len(raised) == 1 and raised[0].kind == AlertKind.MISSED_CHECK_IN
        assert visits.check_visits() == []  # once only
        message = raised[0].message
        assert visit.reference in message and "Ann Away" in message and team["client"].reference in message
        assert "Harriet" not in message and "Acacia" not in message  # references, never content
        visit.refresh_from_db()
        assert visit.escalated_at is not None and visit.escalation == "check_in"
        page = signed_in(team["duty"].user).get("/staff/kent/duty/").content.decode()
        assert visit.reference in page and "did not check in" in page
        home = signed_in(team["lead"].user).get("/staff/kent/").content.decode()
        assert "missed a check-in" in home
        assert AuditEvent.objects.filter(action="visit.escalated").count() == 1


def test_missed_check_out_escalates_and_a_kept_visit_does_not(team):
    start = dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with freeze_time("2026-12-07 09:30:00"):
        late = _visit(team, start)
        kept = _visit(team, start)
    with freeze_time("2026-12-07 10:05:00"):
        visits.check_in(staff=staff_of(team["ann"]), visit=late)
        visits.check_in(staff=staff_of(team["ann"]), visit=kept)
    with freeze_time("2026-12-07 11:10:00"):
        visits.check_out(staff=staff_of(team["ann"]), visit=kept)
    with freeze_time("2026-12-07 11:20:00"):
        raised = visits.check_visits()
        assert len(raised) == 1 and late.reference in raised[0].message and "check out" in raised[0].message


def test_the_duty_screen_and_the_command_run_the_check(team):
    start = dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with freeze_time("2026-12-07 09:30:00"):
        _visit(team, start)
        _visit(team, start + dt.timedelta(hours=3))
    with freeze_time("2026-12-07 10:30:00"):
        assert signed_in(team["lead"].user).get("/staff/kent/duty/").status_code == 200
        assert Alert.objects.filter(kind=AlertKind.MISSED_CHECK_IN).count() == 1
    with freeze_time("2026-12-07 13:30:00"):
        call_command("check_visits")
        assert Alert.objects.filter(kind=AlertKind.MISSED_CHECK_IN).count() == 2


def test_check_in_rules(team):
    with freeze_time("2026-12-07 09:30:00"):
        visit = _visit(team, dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC))
        with pytest.raises(ValidationError, match="Check in first"):
            visits.check_out(staff=staff_of(team["ann"]), visit=visit)
        with pytest.raises(ValidationError, match="Only the member"):
            visits.check_in(staff=staff_of(team["lead"]), visit=visit)
        visits.check_in(staff=staff_of(team["ann"]), visit=visit)
        with pytest.raises(ValidationError, match="already checked in"):
            visits.check_in(staff=staff_of(team["ann"]), visit=visit)
        with pytest.raises(ValidationError, match="not yet started"):
            visits.cancel(staff=staff_of(team["lead"]), visit=visit)


def test_visit_dates_and_visitor_are_checked(team):
    now = timezone.now()
    bad = [
        ({"starts_at": now + dt.timedelta(hours=2), "ends_at": now + dt.timedelta(hours=1)}, "after the start"),
        ({"starts_at": now - dt.timedelta(hours=3), "ends_at": now - dt.timedelta(hours=2)}, "before it starts"),
        ({"starts_at": now, "ends_at": now + dt.timedelta(hours=13)}, "at most"),
        ({"member": team["cat"]}, "cannot see this client"),
        ({"member": team["other_lead"]}, "of your organisation"),
    ]
    for change, words in bad:
        data = {"member": team["ann"], "kind": "home", "starts_at": now, "ends_at": now + dt.timedelta(hours=1), "place": "Café"} | change
        with pytest.raises(ValidationError, match=words):
            services.visit_plan(staff=staff_of(team["ann"]), client=team["client"], **data)
    with pytest.raises(ValidationError, match="cannot work on"):
        services.visit_plan(
            staff=staff_of(team["cat"]), client=team["client"], member=team["cat"], kind="home", starts_at=now, ends_at=now + dt.timedelta(hours=1), place="x"
        )
    assert not Visit.objects.exists()


def test_reallocation_is_all_or_nothing_and_audited(team):
    lead, ann, bob, cat = team["lead"], team["ann"], team["bob"], team["cat"]
    second = make_referral(lead, full_name="Second Client")
    casework_services.referral_accept(staff=staff_of(lead), referral=second)
    casework_services.client_allocate(staff=staff_of(lead), client=second.client, member=ann)
    someone_else = make_referral(lead, full_name="Not Anns")
    casework_services.client_allocate(staff=staff_of(lead), client=someone_else.client, member=cat)
    with pytest.raises(ValidationError, match="not one of"):
        services.reallocate(staff=staff_of(lead), leaving=ann, moves={team["client"].pk: bob, someone_else.client.pk: bob}, reason="Ann is leaving the service")
    assert Client.objects.filter(allocated_to=ann).count() == 2  # nothing moved
    with pytest.raises(ValidationError, match="team lead"):
        services.reallocate(staff=staff_of(bob), leaving=ann, moves={team["client"].pk: bob}, reason="Ann is leaving the service")
    done = services.reallocate(staff=staff_of(lead), leaving=ann, moves={team["client"].pk: bob, second.client.pk: cat}, reason="Ann is leaving the service")
    assert sorted(done.moved) == sorted([[team["client"].pk, bob.pk], [second.client.pk, cat.pk]])
    assert Client.objects.get(pk=team["client"].pk).allocated_to == bob
    assert AuditEvent.objects.filter(action="clients.reallocated").count() == 1


def test_reallocation_through_the_page(team):
    http = signed_in(team["lead"].user)
    page = http.get(f"/staff/kent/reallocate/?leaving={team['ann'].pk}").content.decode()
    assert team["client"].reference in page
    response = http.post("/staff/kent/reallocate/", {"leaving": team["ann"].pk, f"to_{team['client'].pk}": team["bob"].pk, "reason": "short"})
    assert response.status_code == 400 and Reallocation.objects.count() == 0
    response = http.post(
        "/staff/kent/reallocate/", {"leaving": team["ann"].pk, f"to_{team['client'].pk}": team["bob"].pk, "reason": "Ann has left the service"}
    )
    assert response.status_code == 302 and Client.objects.get(pk=team["client"].pk).allocated_to == team["bob"]
    assert http.get(f"/staff/kent/reallocate/?leaving={team['other_lead'].pk}").status_code == 404


def test_supervision_records_and_who_reads_them(team):
    lead, ann = team["lead"], team["ann"]
    record = services.supervision_record(
        staff=staff_of(lead),
        caseworker=ann,
        held_on=timezone.localdate(),
        cases=[team["client"]],
        notes="Caseload heavy; talked through the bail end date.",
        actions=[{"text": "Risk review before bail ends", "due_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()}],
    )
    assert Supervision.objects.get().notes_enc and "bail" not in Supervision.objects.get().notes_enc  # sealed
    url = f"/staff/kent/supervision/{record.pk}/"
    assert signed_in(ann.user).get(url).status_code == 200
    assert signed_in(lead.user).get(url).status_code == 200
    for who in ("bob", "duty", "other_lead"):
        assert signed_in(team[who].user).get(url).status_code == 404
    assert b"bail end date" not in signed_in(team["bob"].user).get("/staff/kent/supervision/").content
    with pytest.raises(ValidationError, match="caseworker's own caseload"):
        services.supervision_record(
            staff=staff_of(lead), caseworker=team["bob"], held_on=timezone.localdate(), cases=[team["client"]], notes="x" * 20, actions=[]
        )
    with pytest.raises(ValidationError, match="before it is held"):
        services.supervision_record(
            staff=staff_of(lead), caseworker=ann, held_on=timezone.localdate() + dt.timedelta(days=1), cases=[], notes="x" * 20, actions=[]
        )
    with pytest.raises(ValidationError, match="due before"):
        services.supervision_record(
            staff=staff_of(lead), caseworker=ann, held_on=timezone.localdate(), cases=[], notes="x" * 20, actions=[{"text": "Do it", "due_on": "2000-01-01"}]
        )
    assert Supervision.objects.count() == 1


def test_risk_to_staff_banner_and_hostile_markup(team):
    http = signed_in(team["ann"].user)
    c = f"/staff/kent/clients/{team['client'].pk}"
    assert BANNER not in http.get(f"{c}/").content.decode()
    response = http.post(f"{c}/cover/risk/", {"kind": "dogs", "note": "<script>alert(1)</script> two dogs"})
    assert response.status_code == 302
    for url in (f"{c}/", f"/staff/kent/referrals/{team['referral'].pk}/", f"{c}/cover/"):
        page = http.get(url).content.decode()
        assert BANNER in page and "Dangerous dogs" in page, url
        assert "<script>alert(1)" not in page and "&lt;script&gt;" in page, url
    assert http.post(f"{c}/cover/risk/", {"kind": "other", "note": ""}).status_code == 400  # another risk needs its note
    risk = StaffRisk.objects.get()
    assert http.post(f"{c}/cover/staff-risk/{risk.pk}/end/").status_code == 404  # a caseworker cannot end it
    assert signed_in(team["lead"].user).post(f"{c}/cover/staff-risk/{risk.pk}/end/").status_code == 302
    assert BANNER not in http.get(f"{c}/").content.decode()


def test_handover_notes_are_sealed_escaped_and_refused_to_others(team):
    c = f"/staff/kent/clients/{team['client'].pk}"
    http = signed_in(team["ann"].user)
    assert http.post(f"{c}/cover/handover/", {"text": "<b>Calls</b> only after 6pm; the code word is bluebird."}).status_code == 302
    note = HandoverNote.objects.get()
    assert "bluebird" not in note.text_enc
    page = http.get(f"{c}/cover/").content.decode()
    assert "&lt;b&gt;Calls&lt;/b&gt;" in page
    for who in ("cat", "bob"):
        assert signed_in(team[who].user).post(f"{c}/cover/handover/", {"text": "x" * 20}).status_code == 404
    assert signed_in(team["other_lead"].user).post(f"/staff/fife/clients/{team['client'].pk}/cover/handover/", {"text": "x" * 20}).status_code == 404
    assert http.post(f"{c}/cover/handover/", {"text": "short"}).status_code == 400
    assert HandoverNote.objects.count() == 1


def test_interpreter_recorded_on_a_contact_attempt(team):
    referral, ann = team["referral"], team["ann"]
    at = timezone.now().replace(second=0, microsecond=0)
    with pytest.raises(ValidationError):
        casework_services.contact_attempt_record(staff=staff_of(ann), referral=referral, at=at, channel="phone", outcome="no_answer", interpreter_used=True)
    with pytest.raises(ValidationError):
        casework_services.contact_attempt_record(staff=staff_of(ann), referral=referral, at=at, channel="phone", outcome="no_answer", interpreter="Agency 7")
    assert not ContactAttempt.objects.exists()
    http = signed_in(ann.user)
    data = {"at": timezone.localtime(at).strftime("%Y-%m-%dT%H:%M"), "channel": "phone", "outcome": "no_answer", "language": "Polish", "interpreter_used": "on",
            "interpreter": "LanguageLine 40211"}  # fmt: skip
    assert http.post(f"/staff/kent/referrals/{referral.pk}/attempts/", data).status_code == 302
    attempt = ContactAttempt.objects.get()
    assert attempt.interpreter_used and attempt.language == "Polish" and "Polish" not in attempt.language_enc
    assert "interpreter: LanguageLine 40211" in http.get(f"/staff/kent/referrals/{referral.pk}/").content.decode()


def test_referral_page_shows_the_latest_ten_and_the_log_is_paged(team):
    referral, ann = team["referral"], team["ann"]
    now = timezone.now()
    ContactAttempt.objects.bulk_create(
        [ContactAttempt(referral=referral, at=now - dt.timedelta(minutes=i), by=ann, channel="phone", outcome="no_answer") for i in range(120)]
    )
    http = signed_in(ann.user)
    page = http.get(f"/staff/kent/referrals/{referral.pk}/").content.decode()
    assert page.count("phone: No answer") == 10 and "The full contact log" in page
    log = http.get(f"/staff/kent/referrals/{referral.pk}/contact-log/").content.decode()
    assert log.count("phone: No answer") == 50 and "?page=2" in log
    last = http.get(f"/staff/kent/referrals/{referral.pk}/contact-log/?page=3").content.decode()
    assert last.count("phone: No answer") == 20 and "?page=4" not in last
    assert http.get(f"/staff/kent/referrals/{referral.pk}/contact-log/?page=nonsense").status_code == 200
    assert signed_in(team["cat"].user).get(f"/staff/kent/referrals/{referral.pk}/contact-log/").status_code == 404
    assert signed_in(team["other_lead"].user).get(f"/staff/fife/referrals/{referral.pk}/contact-log/").status_code == 404


def test_the_organisation_sets_its_own_check_in_grace(team):
    from organisations.models import OrganisationSettings  # noqa: PLC0415

    OrganisationSettings.objects.update_or_create(organisation=team["org"], defaults={"check_in_grace_minutes": 30})
    start = dt.datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    with freeze_time("2026-12-07 09:30:00"):
        visit = _visit(team, start)
    with freeze_time("2026-12-07 10:20:00"):
        assert visits.check_visits() == []  # 20 minutes late: within this organisation's 30
        assert visits.state(Visit.objects.select_related("organisation__settings").get(pk=visit.pk)) == "planned"
    with freeze_time("2026-12-07 10:30:01"):
        raised = visits.check_visits()
        assert len(raised) == 1 and "by 10:30" in raised[0].message
    page = signed_in(team["ann"].user).get("/staff/kent/visits/").content.decode()
    assert "by 30 minutes" in page


def test_the_organisation_sets_its_longest_cover(team):
    from organisations.models import Membership, OrganisationSettings  # noqa: PLC0415

    OrganisationSettings.objects.update_or_create(organisation=team["org"], defaults={"cover_max_days": 120})
    lead = staff_of(Membership.objects.get(pk=team["lead"].pk))  # as a new request reads it
    data = {"covering": team["bob"], "absent": team["ann"], "starts_at": timezone.now(), "reason": "Long leave"}
    services.cover_grant(staff=lead, ends_at=timezone.now() + dt.timedelta(days=100), **data)
    with pytest.raises(ValidationError, match="at most 120 days"):
        services.cover_grant(staff=lead, ends_at=timezone.now() + dt.timedelta(days=130), **data)
    assert CoverGrant.objects.count() == 1
