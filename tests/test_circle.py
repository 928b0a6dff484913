"""The person's circle (issue 17): shares with a support service through one access policy, link codes, what the
person sees and decides, trusted contacts and their sightings. Route x role for every new route."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from casework.testing import make_referral
from chain.verification import verify
from circle import contacts, shares
from circle.models import EvidenceScope, KeptCopy, LinkCode, Share, Sighting
from circle.scope import Scope
from diary.models import Incident
from organisations.models import Role
from organisations.testing import make_org, make_staff, signed_in
from tests.factories import PASSPHRASE, make_case, make_contact, make_exhibit, make_incident, make_report, make_sighting, make_user

ALL = Scope(diary=True, evidence=EvidenceScope.FILES, reports=True, screening=True)


@pytest.fixture
def org(db):  # noqa: ANN001, ANN201
    return make_org("Kent Victim Hub", "ENG", "kent")


@pytest.fixture
def people(org):  # noqa: ANN001, ANN201
    other = make_org("Essex Advocacy", "ENG", "essex")
    lead = make_staff(org, Role.TEAM_LEAD, "Lee Lead")
    advocate = make_staff(org, Role.CASEWORKER, "Ava Advocate")
    colleague = make_staff(org, Role.CASEWORKER, "Col League")
    admin = make_staff(org, Role.ORG_ADMIN, "Ada Admin")
    outsider = make_staff(other, Role.TEAM_LEAD, "Oscar Outside")
    client = make_referral(lead, full_name="Alice Example").client
    client.allocated_to = advocate
    client.save(update_fields=["allocated_to"])
    other_client = make_referral(outsider, full_name="Olive Other").client
    return {
        "lead": lead,
        "advocate": advocate,
        "colleague": colleague,
        "admin": admin,
        "outsider": outsider,
        "client": client,
        "other_client": other_client,
        "other": other,
    }


def share_of(case, client, scope: Scope = ALL, owner=None) -> Share:  # noqa: ANN001
    return shares._new_share(owner or case.owner, case, client, "code", scope)


def staff_url(name: str, client, share=None, **kw) -> str:  # noqa: ANN001, ANN003
    args = [client.organisation.slug, client.pk] + ([share.uuid] if share is not None else []) + list(kw.values())
    return reverse(name, args=args)


# --- The link code flow, end to end ----------------------------------------------------------------------------


def test_code_links_the_diary_the_advocate_reads_the_person_sees_and_ends(owner, owner_client, case, people):  # noqa: ANN001
    make_incident(case, owner, description="He followed me to the station")
    advocate = signed_in(people["advocate"].user)
    client = people["client"]
    page = advocate.post(reverse("staff_client_diary_code", args=["kent", client.pk]), {"diary": "on", "evidence": "descriptions", "screening": "on"})
    code = re.search(r'id="link-code">([A-Z0-9-]+)<', page.content.decode()).group(1)
    assert LinkCode.objects.get().code_hash == shares.code_hash(code) and code not in LinkCode.objects.values_list("code_hash", flat=True)
    assert owner_client.post(reverse("circle_code"), {"code": code.lower()}).status_code == 302
    confirm = owner_client.get(reverse("circle_code_confirm"))
    assert b"Kent Victim Hub asks to see part of your diary" in confirm.content and b"The descriptions of your evidence" in confirm.content
    done = owner_client.post(reverse("circle_code_confirm"), {"case": case.pk, "diary": "on", "evidence": "none", "screening": "on", "agree": "1"})
    assert done.status_code == 302
    share = Share.objects.get()
    assert share.client == client and share.evidence == "none" and share.screening
    timeline = advocate.get(staff_url("staff_shared_timeline", client, share))
    assert timeline.status_code == 200 and b"He followed me to the station" in timeline.content
    number = Incident.objects.get(case=case).number
    assert advocate.get(staff_url("staff_shared_incident", client, share, number=number)).status_code == 200
    mine = owner_client.get(reverse("circle_home")).content.decode()
    assert "Your support service, Kent Victim Hub, looked at your diary on" in mine
    assert "Ava" not in mine and "ava.advocate" not in mine  # the service is named, never a staff member
    activity = owner_client.get(reverse("case_activity", args=[case.pk])).content.decode()
    assert "Kent Victim Hub" in activity and "ava.advocate" not in activity
    wrong = owner_client.post(reverse("circle_share", args=[share.uuid]), {"action": "end", "end-passphrase": "not my passphrase"})
    assert wrong.status_code == 400 and Share.objects.get().ended_at is None
    assert advocate.get(staff_url("staff_shared_timeline", client, share)).status_code == 200
    ended = owner_client.post(reverse("circle_share", args=[share.uuid]), {"action": "end", "end-passphrase": PASSPHRASE})
    assert ended.status_code == 302 and Share.objects.get().ended_at is not None
    assert advocate.get(staff_url("staff_shared_timeline", client, share)).status_code == 404
    assert advocate.get(staff_url("staff_shared_incident", client, share, number=number)).status_code == 404
    assert len(mail.outbox) == 0  # nothing about a share leaves Daybook


def test_the_person_may_give_less_than_asked_never_more(owner, owner_client, case, people):  # noqa: ANN001
    code = shares.code_issue(staff=_staff(people["advocate"]), client=people["client"], scope=Scope(diary=True, evidence="descriptions"))
    owner_client.post(reverse("circle_code"), {"code": code})
    more = owner_client.post(reverse("circle_code_confirm"), {"case": case.pk, "diary": "on", "evidence": "files", "reports": "on", "agree": "1"})
    assert more.status_code == 400 and not Share.objects.exists()
    declined = owner_client.post(reverse("circle_code_confirm"), {"decline": "1"})
    assert declined.status_code == 302 and not Share.objects.exists()
    assert owner_client.get(reverse("circle_code_confirm")).status_code == 302  # nothing kept in the session


def _staff(membership):  # noqa: ANN001, ANN202
    from casework.testing import staff_of

    return staff_of(membership)


# --- Codes guessed, reused, expired, used by someone else ---------------------------------------------------------


def test_codes_guessed_reused_expired_and_limited(owner, owner_client, stranger, stranger_client, case, people, settings):  # noqa: ANN001
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "circle-codes"}}
    staff = _staff(people["advocate"])
    code = shares.code_issue(staff=staff, client=people["client"], scope=Scope(diary=True))
    # used once by the person it was given to
    owner_client.post(reverse("circle_code"), {"code": code})
    owner_client.post(reverse("circle_code_confirm"), {"case": case.pk, "diary": "on", "evidence": "none", "agree": "1"})
    assert Share.objects.count() == 1
    # reused by someone signed in as another person: refused, their case shared with nobody
    make_case(stranger, label="Theirs")
    again = stranger_client.post(reverse("circle_code"), {"code": code})
    assert again.status_code == 400 and b"not valid" in again.content and Share.objects.count() == 1
    # expired
    late = shares.code_issue(staff=staff, client=people["client"], scope=Scope(diary=True))
    LinkCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert stranger_client.post(reverse("circle_code"), {"code": late}).status_code == 400
    # guessed: after a few wrong codes even a right one waits
    fresh = shares.code_issue(staff=staff, client=people["client"], scope=Scope(diary=True))
    for guess in ("AAAAA-AAAAA", "BBBBB-BBBBB", "CCCCC-CCCCC"):
        assert b"not valid" in stranger_client.post(reverse("circle_code"), {"code": guess}).content
    blocked = stranger_client.post(reverse("circle_code"), {"code": fresh})
    assert blocked.status_code == 400 and b"Too many codes tried" in blocked.content
    assert AuditEvent.objects.filter(action="link_code.refused").count() == 5


def test_a_code_in_one_persons_session_cannot_share_another_persons_case(owner, stranger, stranger_client, case, people):  # noqa: ANN001
    code = shares.code_issue(staff=_staff(people["advocate"]), client=people["client"], scope=Scope(diary=True))
    stranger_client.post(reverse("circle_code"), {"code": code})
    refused = stranger_client.post(reverse("circle_code_confirm"), {"case": case.pk, "diary": "on", "evidence": "none", "agree": "1"})
    assert refused.status_code == 400 and not Share.objects.exists()  # the owner's case is not among the choices
    with pytest.raises(shares.ValidationError):
        shares.code_accept(user=stranger, digest=shares.code_hash(code), case=case, scope=Scope(diary=True))
    assert not Share.objects.exists()


def test_get_support_refers_and_shares_and_refuses_someone_elses_case(owner, owner_client, stranger, case, people):  # noqa: ANN001
    theirs = make_case(stranger, label="Theirs")
    org = people["client"].organisation
    data = {"organisation": org.pk, "case": theirs.pk, "name": "Alice", "diary": "on", "evidence": "none"}
    assert owner_client.post(reverse("circle_support"), data).status_code == 400
    with pytest.raises(shares.ValidationError):
        shares.share_ask_support(user=owner, request=shares.SupportRequest(organisation=org, case=theirs, scope=Scope(), name="Alice"))
    assert not Share.objects.exists()
    data["case"] = case.pk
    assert owner_client.post(reverse("circle_support"), data).status_code == 302
    share = Share.objects.get()
    assert share.case == case and share.client.organisation == org and share.client.referrals.get().source == "self"
    assert len(mail.outbox) == 0


# --- The one policy: every shared route inside and outside the scope --------------------------------------------


def _shared_routes(client, share, incident, exhibit, report):  # noqa: ANN001, ANN202
    return {
        "diary": [staff_url("staff_shared_timeline", client, share), staff_url("staff_shared_incident", client, share, number=incident.number)],
        "evidence": [staff_url("staff_shared_evidence", client, share)],
        "files": [staff_url("staff_shared_file", client, share, number=exhibit.number)],
        "reports": [staff_url("staff_shared_reports", client, share), staff_url("staff_shared_report_pdf", client, share, report_id=report.uuid)],
        "screening": [staff_url("staff_shared_pattern", client, share)],
    }


@pytest.mark.parametrize(
    "scope,allowed",
    [
        (ALL, {"diary", "evidence", "files", "reports", "screening"}),
        (Scope(diary=True), {"diary"}),
        (Scope(diary=False, evidence="descriptions"), {"evidence"}),
        (Scope(diary=False, evidence="files"), {"evidence", "files"}),
        (Scope(diary=False, reports=True), {"reports"}),
        (Scope(diary=False, screening=True), {"screening"}),
    ],
)
def test_every_shared_route_inside_and_outside_the_scope(owner, case, people, scope, allowed):  # noqa: ANN001
    from reports.services import generate

    incident = make_incident(case, owner)
    exhibit = make_exhibit(case, owner)
    report = generate(make_report(case, owner))
    client = people["client"]
    share = share_of(case, client, scope)
    advocate = signed_in(people["advocate"].user)
    for part, urls in _shared_routes(client, share, incident, exhibit, report).items():
        for url in urls:
            got = advocate.get(url)
            assert got.status_code == (200 if part in allowed else 404), (part, url, got.status_code)
    looks = AuditEvent.objects.filter(case=case, action="share.viewed")
    assert looks.count() == sum(len(u) for p, u in _shared_routes(client, share, incident, exhibit, report).items() if p in allowed)
    assert set(looks.values_list("organisation", flat=True)) == {client.organisation.pk}


def test_a_diary_shared_from_a_date_hides_what_came_before(owner, case, people):  # noqa: ANN001
    old = make_incident(case, owner, days_ago=40, description="An older incident")
    new = make_incident(case, owner, days_ago=2, description="A newer incident")
    client = people["client"]
    share = share_of(case, client, Scope(diary=True, diary_from=(timezone.localdate() - dt.timedelta(days=10)), screening=True))
    advocate = signed_in(people["advocate"].user)
    page = advocate.get(staff_url("staff_shared_timeline", client, share)).content
    assert b"A newer incident" in page and b"An older incident" not in page
    assert advocate.get(staff_url("staff_shared_incident", client, share, number=new.number)).status_code == 200
    assert advocate.get(staff_url("staff_shared_incident", client, share, number=old.number)).status_code == 404
    kept = advocate.post(staff_url("staff_shared_keep", client, share), {"what": f"incident:{old.number}", "reason": "MARAC referral"})
    assert kept.status_code == 404 and not KeptCopy.objects.exists()


def test_route_by_role_for_the_staff_side(owner, case, people):  # noqa: ANN001
    incident = make_incident(case, owner)
    exhibit = make_exhibit(case, owner)
    from reports.services import generate

    report = generate(make_report(case, owner))
    client = people["client"]
    share = share_of(case, client)
    urls = [u for us in _shared_routes(client, share, incident, exhibit, report).values() for u in us] + [staff_url("staff_client_diary", client)]
    contact, token = make_contact(case, owner)
    contact_client = Client()
    contact_client.get(reverse("circle_seen") + "?k=" + token)
    expect = {
        "advocate": (signed_in(people["advocate"].user), 200),
        "team lead": (signed_in(people["lead"].user), 200),
        "colleague not allocated": (signed_in(people["colleague"].user), 404),
        "organisation admin": (signed_in(people["admin"].user), 404),
        "another organisation's staff": (signed_in(people["outsider"].user), 404),
        "the person": (signed_in(owner, mfa=False), 404),
    }
    for who, (browser, status) in expect.items():
        for url in urls:
            assert browser.get(url).status_code == status, (who, url)
    for browser in (Client(), contact_client):  # anonymous, and a trusted contact (no account)
        for url in urls:
            got = browser.get(url)
            assert got.status_code == 302 and got["Location"].startswith(reverse("account_login")), url
    # another organisation's staff with their own address and this client's ids
    outsider = signed_in(people["outsider"].user)
    for url in urls:
        assert outsider.get(url.replace("/staff/kent/", "/staff/essex/")).status_code == 404
    # an advocate without a share in force
    Share.objects.update(ended_at=timezone.now())
    advocate = signed_in(people["advocate"].user)
    for url in urls[:-1]:
        assert advocate.get(url).status_code == 404, url
    assert advocate.get(urls[-1]).status_code == 200  # the panel says nothing is shared


def test_staff_never_change_the_diary(owner, case, people):  # noqa: ANN001
    incident = make_incident(case, owner)
    client = people["client"]
    share = share_of(case, client)
    advocate = signed_in(people["advocate"].user)
    before = (case.chain.count(), Incident.objects.get(pk=incident.pk).version)
    for url in (
        staff_url("staff_shared_timeline", client, share),
        staff_url("staff_shared_incident", client, share, number=incident.number),
        staff_url("staff_shared_pattern", client, share),
    ):
        assert advocate.post(url, {"description": "changed"}).status_code == 405
    for url in (reverse("timeline", args=[case.pk]), reverse("incident_edit", args=[case.pk, incident.number])):
        assert advocate.get(url).status_code == 404  # the person's own pages stay the person's
        assert advocate.post(url, {"description": "changed"}).status_code == 404
    case.refresh_from_db()
    assert (case.chain.count(), Incident.objects.get(pk=incident.pk).version) == before


def test_the_service_keeps_its_own_copy_after_the_share_ends(owner, owner_client, case, people):  # noqa: ANN001
    incident = make_incident(case, owner, description="Threatened to burn the house")
    client = people["client"]
    share = share_of(case, client)
    advocate = signed_in(people["advocate"].user)
    assert advocate.post(staff_url("staff_shared_keep", client, share), {"what": f"incident:{incident.number}", "reason": ""}).status_code == 302
    assert not KeptCopy.objects.exists()
    assert advocate.post(staff_url("staff_shared_keep", client, share), {"what": f"incident:{incident.number}", "reason": "MARAC referral"}).status_code == 302
    assert advocate.post(staff_url("staff_shared_keep", client, share), {"what": "findings", "reason": "Risk level high"}).status_code == 302
    shares.share_end(user=owner, share=share, passphrase=PASSPHRASE)
    panel = advocate.get(staff_url("staff_client_diary", client)).content.decode()
    assert "Threatened to burn the house" in panel and "copied from the person's diary on" in panel and "MARAC referral" in panel
    assert "Threatened" not in KeptCopy.objects.first().text_enc  # sealed with the client's key
    assert "Your support service, Kent Victim Hub" in owner_client.get(reverse("case_activity", args=[case.pk])).content.decode()


def test_narrowing_applies_to_the_next_request_and_cannot_widen(owner, owner_client, case, people):  # noqa: ANN001
    client = people["client"]
    share = share_of(case, client)
    advocate = signed_in(people["advocate"].user)
    url = staff_url("staff_shared_evidence", client, share)
    assert advocate.get(url).status_code == 200
    narrowed = owner_client.post(
        reverse("circle_share", args=[share.uuid]), {"action": "narrow", "narrow-diary": "on", "narrow-evidence": "none", "narrow-passphrase": PASSPHRASE}
    )
    assert narrowed.status_code == 302
    assert advocate.get(url).status_code == 404
    with pytest.raises(shares.ValidationError):
        shares.share_narrow(user=owner, share=Share.objects.get(), scope=ALL, passphrase=PASSPHRASE)


def test_person_routes_by_role(owner, owner_client, stranger_client, case, people):  # noqa: ANN001
    share = share_of(case, people["client"])
    contact, _ = make_contact(case, owner)
    sighting = make_sighting(contact)
    mine = [
        reverse("circle_share", args=[share.uuid]),
        reverse("circle_sightings", args=[case.pk]),
        reverse("circle_sighting", args=[case.pk, sighting.number]),
    ]
    for url in [reverse("circle_home"), reverse("circle_support"), reverse("circle_code"), reverse("circle_contact_new"), *mine]:
        assert owner_client.get(url).status_code == 200, url
        assert Client().get(url).status_code == 302, url
    advocate = signed_in(people["advocate"].user)
    for browser in (stranger_client, advocate):
        for url in mine:
            assert browser.get(url).status_code == 404, url
        assert browser.post(reverse("circle_contact_stop", args=[contact.uuid])).status_code == 404
        assert browser.post(mine[0], {"action": "end", "end-passphrase": PASSPHRASE}).status_code == 404
        assert b"Kent Victim Hub" not in browser.get(reverse("circle_home")).content
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert owner_client.get(reverse("circle_share", args=[bad])).status_code == 404
        assert owner_client.post(reverse("circle_contact_stop", args=[bad])).status_code == 404
    assert Share.objects.get().ended_at is None


# --- Trusted contacts and sightings -------------------------------------------------------------------------------


def _sighting_post(token: str, **over):  # noqa: ANN003, ANN202
    now = timezone.localtime() - dt.timedelta(hours=1)
    data = {
        "k": token,
        "seen_on": now.date().isoformat(),
        "seen_time": now.strftime("%H:%M"),
        "where": "By the bus stop",
        "what": "Grey car, same man",
        "person_present": "no",
    }
    data.update(over)
    return data


def test_a_contact_sees_nothing_of_the_diary_and_adds_a_chained_sighting(owner, owner_client, case, settings):  # noqa: ANN001
    settings.DAYBOOK_DISPLAY_NAME = "Zebra Notes"
    make_incident(case, owner, description="Secret text about the incident")
    page = owner_client.post(reverse("circle_contact_new"), {"case": case.pk, "name": "Sam Neighbour", "days": 7}).content.decode()
    token = re.search(r"\?k=([A-Za-z0-9_-]+)", page).group(1)
    contact = Client()
    form = contact.get(reverse("circle_seen") + "?k=" + token)
    assert form.status_code == 200
    for secret in (b"Secret text", b"Zebra Notes", b"JB", b"John Bloggs", b"Sam Neighbour"):
        # As words: the link's token and the CSRF token are random letters that may hold "JB".
        assert not re.search(rb"(?<![A-Za-z0-9_-])" + secret + rb"(?![A-Za-z0-9_-])", form.content), secret
    added = contact.post(reverse("circle_seen"), _sighting_post(token))
    assert added.status_code == 302
    sighting = Sighting.objects.get()
    assert sighting.number == 1 and case.chain.filter(kind="sighting.recorded", ref="sighting/1").exists()
    assert verify(case, files=False).ok
    mine = contact.get(reverse("circle_seen") + "?k=" + token).content
    assert b"Grey car, same man" in mine and b"Secret text" not in mine
    assert len(mail.outbox) == 0


def test_a_contact_sees_only_what_they_added(owner, case):  # noqa: ANN001
    first, token = make_contact(case, owner, "First")
    second, _ = make_contact(case, owner, "Second")
    make_sighting(second, what="Something only the second contact saw")
    make_sighting(first, what="What the first contact saw")
    page = Client().get(reverse("circle_seen") + "?k=" + token).content
    assert b"What the first contact saw" in page and b"only the second contact" not in page


@pytest.mark.parametrize("token_state", ["guessed", "revoked", "expired", "empty", "huge"])
def test_a_stopped_or_wrong_link_leaves_nothing_to_see(owner, case, token_state):  # noqa: ANN001
    contact, token = make_contact(case, owner)
    make_sighting(contact)
    if token_state == "guessed":
        token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    elif token_state == "revoked":
        contacts.contact_revoke(user=owner, contact=contact)
    elif token_state == "expired":
        type(contact).objects.filter(pk=contact.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    elif token_state == "empty":
        token = ""
    else:
        token = "x" * 5000
    browser = Client()
    missing = Client().get("/no-such-page/")
    got = browser.get(reverse("circle_seen") + "?k=" + token)
    assert got.status_code == 404 and got.content == missing.content
    assert browser.post(reverse("circle_seen"), _sighting_post(token)).status_code == 404
    assert Sighting.objects.count() == 1


def test_bad_sightings_are_refused_with_nothing_half_saved(owner, case):  # noqa: ANN001
    contact, token = make_contact(case, owner)
    browser = Client()
    future = timezone.localtime() + dt.timedelta(days=2)
    cases = {
        "future": {"seen_on": future.date().isoformat()},
        "huge": {"what": "x" * 100_000},
        "empty": {"what": "", "where": ""},
        "markup and right-to-left": None,
        "bad choice": {"person_present": "maybe"},
        "old": {"seen_on": "1999-01-01"},
    }
    for name, over in cases.items():
        if over is None:
            continue
        got = browser.post(reverse("circle_seen"), _sighting_post(token, **over))
        assert got.status_code == 400, name
    assert not Sighting.objects.exists() and not case.chain.filter(kind="sighting.recorded").exists()
    odd = browser.post(reverse("circle_seen"), _sighting_post(token, what="<script>alert(1)</script> \u202eevil", where="\u05e8\u05d7\u05d5\u05d1"))
    assert odd.status_code == 302
    page = browser.get(reverse("circle_seen") + "?k=" + token).content
    assert b"<script>alert" not in page and b"&lt;script&gt;" in page


def test_a_leaked_link_is_limited(owner, case, settings):  # noqa: ANN001
    settings.DAYBOOK_SIGHTINGS_PER_HOUR = 3
    contact, token = make_contact(case, owner)
    browser = Client()
    for _ in range(3):
        assert browser.post(reverse("circle_seen"), _sighting_post(token)).status_code == 302
    limited = browser.post(reverse("circle_seen"), _sighting_post(token))
    assert limited.status_code == 400 and b"wait a while" in limited.content
    assert Sighting.objects.count() == 3
    settings.DAYBOOK_SIGHTINGS_PER_HOUR = 100
    settings.DAYBOOK_SIGHTINGS_PER_DAY = 3
    assert browser.post(reverse("circle_seen"), _sighting_post(token)).status_code == 400


def test_a_sighting_photo_goes_through_the_evidence_locker(owner, case):  # noqa: ANN001
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png

    contact, token = make_contact(case, owner)
    data = _sighting_post(token)
    data["photo"] = SimpleUploadedFile("car.png", png(), content_type="image/png")
    assert Client().post(reverse("circle_seen"), data).status_code == 302
    sighting = Sighting.objects.get()
    exhibit = sighting.exhibit
    assert exhibit is not None and exhibit.sha256 and exhibit.obtained_by == "Sam Neighbour (trusted contact)"
    assert verify(case, files=True).ok
    big = _sighting_post(token)
    big["photo"] = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (contacts.MAX_PHOTO_BYTES + 1), content_type="image/png")
    assert Client().post(reverse("circle_seen"), big).status_code == 400
    assert Sighting.objects.count() == 1


def test_a_sighting_becomes_an_incident_or_a_witness_account_in_the_report(owner, owner_client, case):  # noqa: ANN001
    from reports.pdf import _witness_lines

    contact, _ = make_contact(case, owner, "Sam Neighbour")
    first = make_sighting(contact, what="Grey car at the gates")
    second = make_sighting(contact, what="Same man at the shop")
    made = owner_client.post(reverse("circle_sighting", args=[case.pk, first.number]), {"action": "incident"})
    assert made.status_code == 302
    incident = Incident.objects.get(case=case)
    incident.case = case
    assert incident.description.startswith("Seen by Sam Neighbour") and "trusted contact" in incident.witnesses[0]["name"]
    assert "recorded in Daybook on" in incident.witnesses[0]["name"]
    assert owner_client.post(reverse("circle_sighting", args=[case.pk, first.number]), {"action": "incident"}).status_code == 400
    other = make_incident(case, owner, description="He was at the shop")
    attached = owner_client.post(reverse("circle_sighting", args=[case.pk, second.number]), {"action": "attach", "incident": other.number})
    assert attached.status_code == 302
    other.refresh_from_db()
    other.case = case
    lines = _witness_lines(other.witnesses, lambda s: s)
    assert any(
        line.startswith("Sam Neighbour, trusted contact (their own account, recorded in Daybook on") and "Same man at the shop" in line for line in lines
    )
    assert verify(case, files=False).ok
    assert owner_client.post(reverse("circle_sighting", args=[case.pk, second.number]), {"action": "attach", "incident": 999}).status_code == 404


def test_a_sighting_changed_in_the_database_is_found(owner, case):  # noqa: ANN001
    contact, _ = make_contact(case, owner)
    sighting = make_sighting(contact)
    Sighting.objects.filter(pk=sighting.pk).update(seen_at=sighting.seen_at - dt.timedelta(days=1))
    result = verify(case, files=False)
    assert not result.ok and "Sighting 1" in result.problem
    Sighting.objects.filter(pk=sighting.pk).update(seen_at=sighting.seen_at)
    assert verify(case, files=False).ok
    Sighting.objects.filter(pk=sighting.pk).delete()
    assert not verify(case, files=False).ok


def test_inviting_refuses_bad_input_and_someone_elses_case(owner, owner_client, stranger, case):  # noqa: ANN001
    theirs = make_case(stranger, label="Theirs")
    for data in (
        {"case": theirs.pk, "name": "Sam", "days": 7},
        {"case": case.pk, "name": "", "days": 7},
        {"case": case.pk, "name": "Sam", "days": 0},
        {"case": case.pk, "name": "Sam", "days": 91},
        {"case": case.pk, "name": "x" * 500, "days": 3},
    ):
        assert owner_client.post(reverse("circle_contact_new"), data).status_code == 400, data
    with pytest.raises(contacts.ValidationError):
        contacts.contact_invite(user=owner, case=theirs, name="Sam", days=3)
    assert not case.trusted_contacts.exists() and not theirs.trusted_contacts.exists()


def test_the_safety_plan_hook_is_empty_until_care_lands(owner, owner_client):  # noqa: ANN001
    from circle.safety_plans import shared_plans

    assert shared_plans(owner) == []
    assert b"No service has shared a safety plan with you." in owner_client.get(reverse("circle_home")).content


def test_nothing_is_sent_about_the_circle(owner, case):  # noqa: ANN001
    from circle import notices

    assert notices.neutral_notice(owner) is False
    contact, _ = make_contact(case, owner)
    make_sighting(contact)
    contacts.contact_revoke(user=owner, contact=contact)
    assert len(mail.outbox) == 0


def test_users_made_here_are_separate_people(db):  # noqa: ANN001
    assert make_user("a").pk != make_user("b").pk
