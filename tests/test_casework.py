"""Casework routes for every role (this organisation's seven, another organisation's staff, a diary user, someone
signed out), the triage queue, decisions, contact attempts, allocation, restriction and break-glass, the access log."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from accounts.testing import audit as page_audit
from audit.models import AuditEvent
from casework import feed, merge, selectors, services
from casework.models import Alert, AlertKind, BreakGlass, Client, ContactOutcome, Referral, ReferralStatus, Risk
from casework.testing import make_referral, staff_of
from organisations.models import Role
from organisations.services import api_credential_issue
from organisations.testing import make_org, make_staff, signed_in
from tests.test_api import agreement_for

pytestmark = pytest.mark.django_db
ROLES = list(Role.values)


@pytest.fixture
def world(owner):
    org = make_org("Kent Victim Hub", "ENG", "kent")
    other = make_org("Fife Support", "SCT", "fife")
    staff = {role: make_staff(org, role, f"Kent {role.replace('_', ' ')}") for role in ROLES}
    lead = staff[Role.TEAM_LEAD]
    new = make_referral(lead, full_name="Nina Newref", phones=["07700 900111"])
    held = make_referral(lead, full_name="Harriet Held", suspect_name="Sam Suspect")
    services.referral_accept(staff=staff_of(lead), referral=held)
    services.client_allocate(staff=staff_of(lead), client=held.client, member=staff[Role.CASEWORKER])
    services.contact_attempt_record(staff=staff_of(lead), referral=held, at=timezone.now(), channel="phone", outcome=ContactOutcome.SOMEONE_ELSE)
    alert = Alert.objects.filter(organisation=org).first()
    other_lead = make_staff(other, Role.TEAM_LEAD, "Fife Lead")
    theirs = make_referral(other_lead, full_name="Fiona Fife")
    return {
        "org": org,
        "staff": staff,
        "new": new,
        "held": held,
        "alert": alert,
        "other_lead": other_lead,
        "other_admin": make_staff(other, Role.ORG_ADMIN, "Fife Admin"),
        "theirs": theirs,
        "diary_user": owner,
    }


@pytest.fixture
def routes_world(world):
    """The world with the intake side too: a daily file with a rejected row, and two duplicates merged by a person."""
    org, staff, lead, new = world["org"], world["staff"], world["staff"][Role.TEAM_LEAD], world["new"]
    # The intake side: a daily file with a rejected row, and two duplicates merged by a person.
    cred, _ = api_credential_issue(organisation=org, agreement=agreement_for(org), sender="Kent Police VCU", force="Kent Police")
    rows = b'{"crime_reference": "KP/1/1", "consent": "explicit", "full_name": "Fay Filed"}\n{"full_name": "<b>"}\n'
    upload = feed.feed_take(staff=staff_of(staff[Role.INTAKE]), credential=cred, upload=io.BytesIO(rows), file_format="jsonl")
    twin = make_referral(lead, full_name="Nina Newref", phones=["07700 900111"])
    merged = merge.client_merge(staff=staff_of(lead), kept=new.client, merged=twin.client, reason="Same person")
    return {**world, "upload": upload, "merge": merged}


T, IN, C, D, P = Role.TEAM_LEAD, Role.INTAKE, Role.CASEWORKER, Role.DUTY_WORKER, Role.PARTNER


def get_routes(w) -> list[tuple[str, set[str]]]:
    n, h = w["new"], w["held"]
    return [
        ("/staff/kent/queue/", {D, T, IN}),
        ("/staff/kent/referrals/new/", {C, D, T, IN}),
        (f"/staff/kent/referrals/{n.pk}/", {D, T, IN}),
        (f"/staff/kent/referrals/{h.pk}/", {C, D, T}),
        ("/staff/kent/clients/", {C, D, T, IN}),
        ("/staff/kent/clients/?name=harriet+held", {C, D, T, IN}),
        (f"/staff/kent/clients/{h.client.pk}/", {C, D, T}),
        (f"/staff/kent/clients/{n.client.pk}/", {D, T, IN}),
        (f"/staff/kent/clients/{h.client.pk}/allocate/", {T}),
        ("/staff/kent/alerts/", {T, Role.AUDITOR}),
        ("/staff/kent/access-log/", {Role.AUDITOR}),
        ("/staff/kent/access-log/?member=&date_from=2026-01-01", {Role.AUDITOR}),
    ] + intake_get_routes(w)


def intake_get_routes(w) -> list[tuple[str, set[str]]]:
    if "upload" not in w:
        return []
    n, h = w["new"], w["held"]
    return [
        ("/staff/kent/feeds/", {IN}),
        (f"/staff/kent/feeds/{w['upload'].pk}/", {IN}),
        (f"/staff/kent/feeds/{w['upload'].pk}/rejects/", {IN}),
        ("/staff/kent/refer/", {P}),
        (f"/staff/kent/clients/{h.client.pk}/safe-contact/", {C, D, T}),
        (f"/staff/kent/clients/{n.client.pk}/safe-contact/", {D, T, IN}),
        ("/staff/kent/queue/?page=2", {D, T, IN}),
    ]


def post_routes(w) -> list[tuple[str, set[str]]]:
    n, h = w["new"], w["held"]
    return [
        (f"/staff/kent/referrals/{n.pk}/screen/", {T, IN}),
        (f"/staff/kent/referrals/{n.pk}/decide/", {T, IN}),
        (f"/staff/kent/referrals/{n.pk}/attempts/", {D, T, IN}),
        (f"/staff/kent/clients/{h.client.pk}/break-glass/", {C, D, T}),
        (f"/staff/kent/clients/{h.client.pk}/allocate/", {T}),
        (f"/staff/kent/clients/{h.client.pk}/restriction/", {T}),
        (f"/staff/kent/alerts/{w['alert'].pk}/close/", {T}),
        ("/staff/kent/referrals/new/", {C, D, T, IN}),
    ] + intake_post_routes(w)


def intake_post_routes(w) -> list[tuple[str, set[str]]]:
    if "merge" not in w:
        return []
    n, h = w["new"], w["held"]
    return [
        ("/staff/kent/feeds/", {IN}),
        ("/staff/kent/refer/", {P}),
        (f"/staff/kent/clients/{n.client.pk}/merge/", {T, IN}),
        (f"/staff/kent/merges/{w['merge'].pk}/undo/", {T, IN}),
        (f"/staff/kent/clients/{h.client.pk}/safe-contact/", {C, D, T}),
    ]


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def outsiders(w) -> list:
    return [w["other_lead"].user, w["other_admin"].user, w["diary_user"]]


def test_get_routes_by_role(routes_world):
    world = routes_world
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    clients = {role: signed_in(world["staff"][role].user) for role in ROLES}
    for url, allowed in get_routes(world):
        for role in ROLES:
            response = clients[role].get(url)
            assert response.status_code == (200 if role in allowed else 404), (url, role, response.status_code)
            if role not in allowed:
                assert strip(response.content) == strip(clients[role].get("/staff/nowhere/").content), (url, role)  # the same session's missing page
                assert b"Harriet" not in response.content and b"Nina" not in response.content
        for who in outsiders(world):
            response = signed_in(who).get(url)
            assert response.status_code == 404 and strip(response.content) == missing, url
        response = HttpClient().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url


def test_post_routes_by_role_refusals_change_nothing(routes_world):
    world = routes_world
    clients = {role: signed_in(world["staff"][role].user) for role in ROLES}
    before = (Referral.objects.count(), AuditEvent.objects.exclude(action__endswith="viewed").count(), BreakGlass.objects.count())
    for url, allowed in post_routes(world):
        for role in set(ROLES) - allowed:
            assert clients[role].post(url, {"reason": "a reason long enough", "risk": "high", "decision": "accept"}).status_code == 404, (url, role)
        for who in outsiders(world):
            assert signed_in(who).post(url, {"reason": "a reason long enough", "risk": "high"}).status_code == 404, url
    assert (Referral.objects.count(), AuditEvent.objects.exclude(action__endswith="viewed").count(), BreakGlass.objects.count()) == before
    new = Referral.objects.get(pk=world["new"].pk)
    assert new.status == ReferralStatus.NEW and new.screened_risk == ""
    for url, allowed in post_routes(world):
        for role in allowed:
            response = clients[role].post(url, {})
            assert response.status_code in (200, 302, 400), (url, role, response.status_code)


def test_another_organisations_ids_through_my_own_address_are_missing(world):
    fife = signed_in(world["other_lead"].user)
    theirs, mine = world["theirs"], world["held"]
    assert fife.get(f"/staff/fife/referrals/{theirs.pk}/").status_code == 200
    assert fife.get(f"/staff/fife/referrals/{mine.pk}/").status_code == 404
    assert fife.get(f"/staff/fife/clients/{mine.client.pk}/").status_code == 404
    assert fife.post(f"/staff/fife/clients/{mine.client.pk}/allocate/", {"member": world["other_lead"].pk}).status_code == 404
    assert fife.get("/staff/fife/alerts/").content.count(b"R-") == 0
    # A member of the other organisation cannot be chosen for my client.
    lead = signed_in(world["staff"][T].user)
    response = lead.post(f"/staff/kent/clients/{mine.client.pk}/allocate/", {"member": world["other_lead"].pk})
    assert response.status_code == 400
    assert Client.objects.get(pk=mine.client.pk).allocated_to == world["staff"][C]


def test_every_page_is_accessible_and_csp_clean(world):
    for url, allowed in get_routes(world):
        role = sorted(allowed)[0]
        html = signed_in(world["staff"][role].user).get(url).content.decode()
        assert page_audit(html) == [], (url, page_audit(html))
        assert "My cases" not in html and "Staff area" in html


def test_queue_order_risk_then_deadline_and_overdue_stands_out(world):
    lead = world["staff"][T]
    org = world["org"]
    Referral.objects.all().delete()
    now = timezone.now()
    standard = make_referral(lead, full_name="Standard Screened", received_at=now - dt.timedelta(days=20))
    services.referral_screen(staff=staff_of(lead), referral=standard, risk=Risk.STANDARD)
    unscreened_low = make_referral(lead, full_name="Police Said Standard", police_risk=Risk.STANDARD)
    police_high = make_referral(lead, full_name="Police Said High", police_risk=Risk.HIGH)
    medium = make_referral(lead, full_name="Screened Medium")
    services.referral_screen(staff=staff_of(lead), referral=medium, risk=Risk.MEDIUM)
    older_unknown = make_referral(lead, full_name="Older Unknown", received_at=now - dt.timedelta(days=9))
    order = [r.pk for r in selectors.queue(org)]
    assert order == [police_high.pk, medium.pk, older_unknown.pk, unscreened_low.pk, standard.pk]
    html = signed_in(lead.user).get("/staff/kent/queue/").content.decode()
    names = [n for n in ("Police Said High", "Screened Medium", "Older Unknown", "Police Said Standard", "Standard Screened") if n in html]
    assert sorted(names, key=html.index) == names
    assert html.count(">Overdue<") == 2  # the two received long ago
    client_page = signed_in(lead.user).get(f"/staff/kent/clients/{older_unknown.client.pk}/").content.decode()
    assert ">Overdue<" in client_page
    assert "Not screened (police: standard)" in html


def test_deadline_follows_the_organisation_setting_and_screening(world):
    lead = world["staff"][T]
    world["org"].settings.first_contact_days_high = 1
    world["org"].settings.first_contact_days_unknown = 3
    world["org"].settings.save()
    monday = timezone.make_aware(dt.datetime(2026, 11, 9, 10, 0))
    r = make_referral(lead, received_at=monday)
    assert timezone.localtime(r.due_at).date() == dt.date(2026, 11, 12)
    services.referral_screen(staff=staff_of(lead), referral=r, risk=Risk.HIGH)
    assert timezone.localtime(Referral.objects.get(pk=r.pk).due_at).date() == dt.date(2026, 11, 10)


def test_first_attempt_and_first_contact_are_kept_apart(world):
    intake = signed_in(world["staff"][IN].user)
    r = make_referral(world["staff"][IN], received_at=timezone.now() - dt.timedelta(hours=3))
    base = timezone.localtime(r.received_at) + dt.timedelta(minutes=5)
    url = f"/staff/kent/referrals/{r.pk}/attempts/"
    assert intake.post(url, {"at": base.strftime("%Y-%m-%dT%H:%M"), "channel": "phone", "outcome": "no_answer"}).status_code == 302
    later = base + dt.timedelta(minutes=30)
    assert (
        intake.post(
            url,
            {
                "at": later.strftime("%Y-%m-%dT%H:%M"),
                "channel": "phone",
                "outcome": "spoke",
                "identity": "code_word",
                "code_word_given": "Bluebird",
                "privacy_notice": "on",
            },
        ).status_code
        == 302
    )
    r.refresh_from_db()
    assert r.first_attempt_at < r.first_contact_at
    # A time in the future or before the referral arrived is refused, nothing saved.
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = intake.post(url, {"at": future, "channel": "phone", "outcome": "spoke"})
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    assert r.attempts.count() == 2


def test_suspect_answering_marks_the_number_and_tells_a_lead(world):
    alert = world["alert"]
    assert alert.kind == AlertKind.UNSAFE_NUMBER and world["held"].reference in alert.message
    held = Client.objects.get(pk=world["held"].client.pk)
    assert held.safe_contact["phone_unsafe"].startswith("Someone else answered on")
    worker = signed_in(world["staff"][C].user)
    assert "The number on record is unsafe" in worker.get(f"/staff/kent/clients/{held.pk}/").content.decode()
    # The next call needs an override.
    when = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    response = worker.post(f"/staff/kent/referrals/{world['held'].pk}/attempts/", {"at": when, "channel": "phone", "outcome": "no_answer"})
    assert response.status_code == 400 and "say why the rule was overridden" in response.content.decode()
    html = signed_in(world["staff"][T].user).get("/staff/kent/alerts/").content.decode()
    assert "Treat the number as unsafe" in html and "Harriet" not in html


def test_accept_decline_and_pass_on(world):
    intake = signed_in(world["staff"][IN].user)
    lead = world["staff"][T]
    r1, r2 = world["new"], make_referral(lead, full_name="Second Person")
    response = intake.post(f"/staff/kent/referrals/{r1.pk}/decide/", {"decision": "decline", "reason": ""})
    assert response.status_code == 400 and "Give the reason" in response.content.decode()
    assert Referral.objects.get(pk=r1.pk).status == ReferralStatus.NEW
    assert intake.post(f"/staff/kent/referrals/{r1.pk}/decide/", {"decision": "decline", "reason": "Lives outside our area"}).status_code == 302
    assert Referral.objects.get(pk=r1.pk).status == ReferralStatus.DECLINED
    assert Referral.objects.get(pk=r1.pk).decision_note == "Lives outside our area"
    response = intake.post(f"/staff/kent/referrals/{r2.pk}/decide/", {"decision": "pass_on", "reason": "Specialist needed", "passed_on_to": ""})
    assert response.status_code == 400
    passing = {"decision": "pass_on", "reason": "Specialist", "passed_on_to": "Fife ISAC"}
    assert intake.post(f"/staff/kent/referrals/{r2.pk}/decide/", passing).status_code == 302
    assert Referral.objects.get(pk=r2.pk).status == ReferralStatus.PASSED_ON
    # Once decided, a second decision is refused (the intake can no longer see it in the queue either).
    assert intake.post(f"/staff/kent/referrals/{r2.pk}/decide/", {"decision": "accept"}).status_code == 404
    lead_client = signed_in(lead.user)
    response = lead_client.post(f"/staff/kent/referrals/{r2.pk}/decide/", {"decision": "accept"})
    assert response.status_code == 400 and "already been decided" in response.content.decode()


def test_allocation_against_the_weighted_ceiling(world):
    lead = world["staff"][T]
    worker = world["staff"][C]
    world["org"].settings.caseload_ceiling = 4
    world["org"].settings.save()
    client = signed_in(lead.user)
    high = make_referral(lead, full_name="High Risk Person")
    services.referral_screen(staff=staff_of(lead), referral=high, risk=Risk.HIGH)
    services.referral_accept(staff=staff_of(lead), referral=high)
    # The worker already holds one client of unknown risk (weight 2): 2 + 3 = 5 > 4.
    url = f"/staff/kent/clients/{high.client.pk}/allocate/"
    response = client.post(url, {"member": worker.pk})
    assert response.status_code == 400 and "over the ceiling of 4" in response.content.decode()
    assert Client.objects.get(pk=high.client.pk).allocated_to is None
    assert client.post(url, {"member": worker.pk, "over_ceiling_reason": "Only worker with BSL, agreed in supervision"}).status_code == 302
    assert Client.objects.get(pk=high.client.pk).allocated_to == worker
    assert AuditEvent.objects.filter(action="client.allocated", target__contains="over ceiling (5/4)").exists()
    page = client.get(url).content.decode()
    assert "5 of 4" in page and "At or over the ceiling" in page


def test_conflict_check_at_allocation(world):
    lead = world["staff"][T]
    worker = world["staff"][C]
    duty = world["staff"][D]
    client = signed_in(lead.user)
    # The suspect is someone the caseworker declared a connection to.
    signed_in(worker.user).post("/staff/kent/me/connections/", {"name": "Robert Brother"})
    r = make_referral(lead, full_name="Person A", suspect_name="BROTHER, Robert")
    services.referral_accept(staff=staff_of(lead), referral=r)
    url = f"/staff/kent/clients/{r.client.pk}/allocate/"
    page = client.get(url).content.decode()
    assert "declared a connection to" in page and "Robert" not in page
    response = client.post(url, {"member": worker.pk, "conflict_reason": "I know, but allocate anyway"})
    assert response.status_code == 400 and "cannot be given this case" in response.content.decode()
    # To someone else it is allowed with a reason, and only with one.
    assert client.post(url, {"member": duty.pk}).status_code == 400
    assert client.post(url, {"member": duty.pk, "conflict_reason": "Different team, no contact with the worker"}).status_code == 302
    # The person has a staff member's name; the suspect is a police officer.
    r2 = make_referral(lead, full_name="Kent duty worker", suspect_is_police=True, person_is_police=True)
    page = client.get(f"/staff/kent/clients/{r2.client.pk}/allocate/").content.decode()
    assert "same name as staff member Kent duty worker" in page
    assert f"The suspect in {r2.reference} is recorded as a police officer" in page and f"The person in {r2.reference} is recorded as a police officer" in page
    response = client.post(f"/staff/kent/clients/{r2.client.pk}/allocate/", {"member": duty.pk, "conflict_reason": "allocating anyway"})
    assert response.status_code == 400 and "cannot be given this case" in response.content.decode()


def test_restricted_record_break_glass_alerts_a_manager(world):
    lead = world["staff"][T]
    worker = world["staff"][C]
    duty = world["staff"][D]
    held = world["held"]
    services.client_restrict(staff=staff_of(lead), client=held.client, restricted=True, members=[])
    # Named staff (the allocated caseworker is added) see it; the team lead, who restricted it but is not named, does not.
    assert signed_in(worker.user).get(f"/staff/kent/clients/{held.client.pk}/").status_code == 200
    duty_client = signed_in(duty.user)
    response = duty_client.get(f"/staff/kent/clients/{held.client.pk}/")
    assert response.status_code == 403 and b"Harriet" not in response.content and b"Restricted record" in response.content
    assert duty_client.get(f"/staff/kent/referrals/{held.pk}/").status_code == 403
    # In lists the name is hidden.
    listing = duty_client.get("/staff/kent/clients/").content.decode()
    assert held.client.reference in listing and "Harriet" not in listing
    # A reason is needed; then a manager is alerted and the record opens for an hour.
    response = duty_client.post(f"/staff/kent/clients/{held.client.pk}/break-glass/", {"reason": "urgent"})
    assert response.status_code == 400 and not BreakGlass.objects.exists()
    assert duty_client.post(f"/staff/kent/clients/{held.client.pk}/break-glass/", {"reason": "Called the duty line in crisis at 2am"}).status_code == 302
    assert duty_client.get(f"/staff/kent/clients/{held.client.pk}/").status_code == 200
    alert = Alert.objects.get(kind=AlertKind.BREAK_GLASS)
    assert "Kent duty worker" in alert.message and "Harriet" not in alert.message
    assert "crisis" not in BreakGlass.objects.get().reason_enc  # the reason is sealed
    assert AuditEvent.objects.filter(action="client.break_glass", client=held.client, actor=duty.user).exists()
    # The grant expires.
    BreakGlass.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert duty_client.get(f"/staff/kent/clients/{held.client.pk}/").status_code == 403
    # Restriction beats role, but not organisation: an intake worker (cannot see allocated clients) still gets a missing page.
    assert signed_in(world["staff"][IN].user).post(f"/staff/kent/clients/{held.client.pk}/break-glass/", {"reason": "x" * 20}).status_code == 404


def test_restricted_at_recording_hides_the_referral_in_the_queue(world):
    intake = world["staff"][IN]
    r = make_referral(intake, full_name="Secret Person", restricted=True)
    assert signed_in(intake.user).get(f"/staff/kent/referrals/{r.pk}/").status_code == 200
    lead = signed_in(world["staff"][T].user)
    html = lead.get("/staff/kent/queue/").content.decode()
    assert r.reference in html and "Secret Person" not in html and "Restricted record" in html
    assert lead.get(f"/staff/kent/referrals/{r.pk}/").status_code == 403


def test_client_page_shows_who_looked_and_the_auditor_searches_by_member_and_date(world):
    held = world["held"]
    signed_in(world["staff"][D].user).get(f"/staff/kent/clients/{held.client.pk}/")
    page = signed_in(world["staff"][C].user).get(f"/staff/kent/clients/{held.client.pk}/").content.decode()
    section = page[page.index("Who looked at this record") :]
    assert "Kent duty worker" in section and "Client record looked at" in section and "Client allocated" in section
    auditor = signed_in(world["staff"][Role.AUDITOR].user)
    today = timezone.localdate().isoformat()
    html = auditor.get(f"/staff/kent/access-log/?member={world['staff'][D].pk}&date_from={today}&date_to={today}").content.decode()
    assert "Kent duty worker" in html and "Client record looked at" in html and held.client.reference in html
    assert "Kent caseworker" not in html.split("<table", 1)[-1]
    html = auditor.get(f"/staff/kent/access-log/?member={world['staff'][D].pk}&date_from=2020-01-01&date_to=2020-01-02").content.decode()
    assert "0 entries" in html
    html = auditor.get("/staff/kent/access-log/?date_from=2026-05-02&date_to=2026-05-01").content.decode()
    assert "must be on or after" in html
    # Another organisation's member cannot be chosen.
    html = auditor.get(f"/staff/kent/access-log/?member={world['other_lead'].pk}").content.decode()
    assert "There is a problem" in html
    assert AuditEvent.objects.filter(action="access_log.searched", actor=world["staff"][Role.AUDITOR].user).exists()


def test_every_read_is_audited_in_the_same_organisation(world):
    lead = world["staff"][T]
    before = AuditEvent.objects.filter(actor=lead.user, organisation=world["org"]).count()
    c = signed_in(lead.user)
    c.get("/staff/kent/queue/")
    c.get(f"/staff/kent/referrals/{world['new'].pk}/")
    c.get(f"/staff/kent/clients/{world['new'].client.pk}/")
    c.get("/staff/kent/clients/?phone=07700900111")
    actions = list(AuditEvent.objects.filter(actor=lead.user, organisation=world["org"]).order_by("id").values_list("action", flat=True))[before:]
    assert actions == ["queue.viewed", "referral.viewed", "client.viewed", "client.searched"]


def test_search_through_the_blind_index(world):
    c = signed_in(world["staff"][T].user)
    for query in ("?name=NEWREF,+nina", "?phone=%2B447700900111", "?phone=07700+900+111"):
        html = c.get("/staff/kent/clients/" + query).content.decode()
        assert "Nina Newref" in html and "Harriet" not in html, query
    assert "Nina Newref" not in c.get("/staff/kent/clients/?name=Nina").content.decode()  # whole names only


def test_home_page_counts_what_needs_attention(world):
    lead = world["staff"][T]
    make_referral(lead, full_name="Late One", received_at=timezone.now() - dt.timedelta(days=14))
    html = signed_in(lead.user).get("/staff/kent/").content.decode()
    assert "2 referral(s) waiting for triage, 1 overdue for first contact" in html
    assert "1 open alert(s)" in html and "Needs attention" in html
    html = signed_in(world["staff"][C].user).get("/staff/kent/").content.decode()
    assert "1 client(s) allocated to you" in html and "waiting for triage" not in html
    html = signed_in(world["staff"][Role.ORG_ADMIN].user).get("/staff/kent/").content.decode()
    assert "referral" not in html and "client(s)" not in html and "alert" not in html


def test_staff_index_lists_only_my_organisations(world):
    html = signed_in(world["staff"][T].user).get("/staff/").content.decode()
    assert "Kent Victim Hub" in html and "Fife Support" not in html
    html = signed_in(world["diary_user"]).get("/staff/").content.decode()
    assert "not a member of any organisation" in html and "Kent" not in html
    response = HttpClient().get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    response = HttpClient().get("/staff/join/anything/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert signed_in(world["diary_user"]).get("/staff/join/anything/").status_code == 404


def test_call_form_records_the_police_details(world):
    intake = signed_in(world["staff"][IN].user)
    data = {
        "source": "staff_call",
        "consent": "self",
        "lawful_basis": "consent",
        "full_name": "Carla Caller",
        "phones": "07700 900222, +44 7700 900333",
        "crime_reference": "KT/99/26",
        "force": "Kent Police",
        "home_office_code": "8Q",
        "enhanced_rights": "on",
        "date_reported": "2026-11-01",
        "offences": ["stalking", "criminal_damage"],
        "police_risk": "medium",
        "suspect_name": "Dan Doe",
        "suspect_relationship": "neighbour",
        "voicemail_ok": "on",
        "code_word": "kestrel",
        "interpreter": "Polish, female interpreter",
        "account": "Waits outside the house",
    }
    response = intake.post("/staff/kent/referrals/new/", data)
    assert response.status_code == 302
    r = Referral.objects.get(force="Kent Police")
    assert (r.home_office_code, r.enhanced_rights, r.police_risk, r.offences) == ("8Q", True, "medium", ["criminal_damage", "stalking"])
    assert r.crime_reference == "KT/99/26" and r.client.phones == ["07700 900222", "+44 7700 900333"]
    assert r.client.safe_contact["voicemail_ok"] is True and r.client.safe_contact["code_word"] == "kestrel"
    page = intake.get(response["Location"]).content.decode()
    assert "Polish, female interpreter" in page and "May be left" in page and "kestrel" not in page


def test_many_records_in_a_short_time_raise_one_alert(world, monkeypatch):
    monkeypatch.setattr(services, "UNUSUAL_READS", 3)
    lead = world["staff"][T]
    extra = [make_referral(lead, full_name=f"Person {n}") for n in range(4)]
    duty = signed_in(world["staff"][D].user)
    for r in [world["new"], *extra[:2]]:
        duty.get(f"/staff/kent/clients/{r.client.pk}/")
    duty.get(f"/staff/kent/referrals/{world['new'].pk}/")  # the same client again: not a new one
    assert not Alert.objects.filter(kind=AlertKind.UNUSUAL_ACCESS).exists()
    duty.get(f"/staff/kent/referrals/{extra[2].pk}/")
    duty.get(f"/staff/kent/clients/{extra[3].client.pk}/")
    alert = Alert.objects.get(kind=AlertKind.UNUSUAL_ACCESS)
    assert "Kent duty worker" in alert.message and "Person" not in alert.message
    assert "Unusual access" in signed_in(lead.user).get("/staff/kent/alerts/").content.decode()


def test_the_contact_log_enforces_safe_contact_rules_with_an_override(world):
    from casework.services import SafeContact

    intake = world["staff"][IN]
    r = make_referral(intake, received_at=timezone.now() - dt.timedelta(hours=2), safe_contact=SafeContact(text_ok=False, voicemail_ok=False))
    client = signed_in(intake.user)
    url = f"/staff/kent/referrals/{r.pk}/attempts/"
    when = (timezone.localtime() - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M")
    page = client.get(f"/staff/kent/referrals/{r.pk}/").content.decode()
    assert "Do not send" in page and "Do not leave one" in page  # the rules beside the contact log
    response = client.post(url, {"at": when, "channel": "text", "outcome": "no_answer"})
    assert response.status_code == 400 and "Text messages are not safe" in response.content.decode()
    response = client.post(url, {"at": when, "channel": "phone", "outcome": "voicemail", "override_reason": "short"})
    assert response.status_code == 400 and "voicemail must not be left" in response.content.decode()
    assert not r.attempts.exists() and Referral.objects.get(pk=r.pk).first_attempt_at is None
    reason = "Police asked us to warn her tonight; neutral message only"
    assert client.post(url, {"at": when, "channel": "phone", "outcome": "voicemail", "override_reason": reason}).status_code == 302
    attempt = r.attempts.get()
    assert attempt.override_reason == reason and "tonight" not in attempt.override_reason_enc
    assert AuditEvent.objects.filter(action="contact.attempted", target__contains="1 safe-contact rule(s) overridden").exists()
    assert "A safe-contact rule was overridden" in client.get(f"/staff/kent/referrals/{r.pk}/").content.decode()
    # Where the suspect has access to the phone, a call needs a reason too.
    r2 = make_referral(intake, received_at=timezone.now() - dt.timedelta(hours=2), safe_contact=SafeContact(suspect_has_access=True, email_safe=True))
    response = client.post(f"/staff/kent/referrals/{r2.pk}/attempts/", {"at": when, "channel": "phone", "outcome": "no_answer"})
    assert response.status_code == 400 and "access to their phone" in response.content.decode()
    assert client.post(f"/staff/kent/referrals/{r2.pk}/attempts/", {"at": when, "channel": "email", "outcome": "no_answer"}).status_code == 302
