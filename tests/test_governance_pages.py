"""Every governance page passes the HTML audit (one h1, no skipped heading levels, labelled controls, no inline
script or style), with data in it, and the staff menu names the new pages for the roles that may use them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.testing import audit as page_audit
from care.testing import make_world
from casework.testing import staff_of
from governance import records
from governance.models import Closure, ClosureState
from organisations.access import nav_for
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
T = Role.TEAM_LEAD


def test_every_page_passes_the_audit():
    w = make_world()
    lead = staff_of(w["staff"][T])
    client = w["client"]
    records.request_log(staff=lead, client=client, kind="sar", received_on=timezone.localdate(), requester="The person asks for a copy of all")
    records.feedback_log(staff=lead, client=client, kind="complaint", received_on=timezone.localdate(), summary="Nobody called me back")
    Closure.objects.create(organisation=w["org"], client=client, state=ClosureState.WAITING, requested_at=timezone.now(), requested_by=w["staff"][T])
    today = timezone.localdate()
    c = f"/staff/kent/clients/{client.pk}"
    pages = [
        (T, f"/staff/kent/returns/?start={today - dt.timedelta(days=30)}&end={today}"),
        (T, "/staff/kent/returns/?quarter=bad"),
        (T, f"{c}/closure/"),
        (T, "/staff/kent/closures/"),
        (T, f"{c}/records/"),
        (T, f"{c}/records/subject-access/"),
        (T, f"{c}/records/chronology/"),
        (T, "/staff/kent/records/"),
        (T, "/staff/kent/retention/"),
        (Role.ORG_ADMIN, "/staff/kent/retention/settings/"),
        # gov16b
        (T, f"{c}/rights/"),
        (T, f"{c}/equality/"),
    ]
    from governance import equality, rights

    rights.record(staff=lead, client=client, rights=[4, 7], delivered_on=today)
    equality.record(staff=lead, client=client, answers={"sex": "prefer_not", "ethnicity": "white"})
    for role, url in pages:
        response = signed_in(w["staff"][role].user).get(url)
        html = response.content.decode()
        assert response.status_code in (200, 400), url
        assert page_audit(html) == [], (url, page_audit(html))
        assert "style=" not in html and "<script>" not in html, url
    # gov16b: the forms with their errors shown.
    for url, data in ((f"{c}/rights/", {"rights": ["99"], "delivered_on": "x"}), (f"{c}/equality/", {"sex": "nonsense"})):
        response = signed_in(w["staff"][T].user).post(url, data)
        html = response.content.decode()
        assert response.status_code == 400 and page_audit(html) == [], (url, page_audit(html))


def test_menu_names_the_pages_for_the_roles():
    w = make_world()
    words = {role: [words for _, words in nav_for(staff_of(w["staff"][role]))] for role in (T, Role.ORG_ADMIN, Role.CASEWORKER, Role.AUDITOR)}
    assert {"Returns", "Closures", "Records requests", "Retention"} <= set(words[T])
    assert {"Returns", "Closure and retention"} <= set(words[Role.ORG_ADMIN]) and "Retention" not in words[Role.ORG_ADMIN]
    assert not {"Returns", "Closures", "Records requests", "Retention"} & set(words[Role.CASEWORKER] + words[Role.AUDITOR])
