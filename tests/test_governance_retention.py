"""Retention (governance/): on a frozen clock the key and rows go, a legal hold stops it, a failed deletion leaves
the record whole, safeguarding records are kept far longer, the fact table still gives the same past return; the
routes for every role."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client as HttpClient
from django.utils import timezone

from care.models import SafeguardingConcern, Snapshot
from care.testing import ROLES, make_world
from casework import services
from casework.models import Client, ClientStatus
from casework.testing import make_referral, staff_of
from governance import records, retention, returns
from governance.models import Closure, ClosureState, Deletion, RecordsRequest
from organisations.models import Role
from organisations.testing import signed_in

pytestmark = pytest.mark.django_db
T, A = Role.TEAM_LEAD, Role.ORG_ADMIN


@pytest.fixture
def world(owner):
    w = make_world()
    w["diary_user"] = owner
    lead = w["staff"][T]
    r = make_referral(lead, full_name="Olive Oldcase", account="Old account text")
    services.referral_accept(staff=staff_of(lead), referral=r)
    w["old"] = _closed(r.client, lead, years_ago=7)
    return w


def _closed(client: Client, lead, *, years_ago: int) -> Client:
    at = timezone.now() - dt.timedelta(days=365 * years_ago + 2)
    Closure.objects.create(
        organisation=client.organisation,
        client=client,
        state=ClosureState.CLOSED,
        requested_at=at,
        decided_at=at,
        decided_by=lead,
        needs_met=True,
        told_can_return=True,
    )
    Client.objects.filter(pk=client.pk).update(status=ClientStatus.CLOSED)
    client.refresh_from_db()
    return client


def _return(world) -> str:
    start, end = timezone.localdate() - dt.timedelta(days=700), timezone.localdate()
    return returns.as_csv(returns.build(world["org"].pk, start, end), "Kent")


def test_deletion_destroys_key_and_rows_and_leaves_a_content_free_record(world):
    lead = staff_of(world["staff"][T])
    old = world["old"]
    records.request_log(staff=lead, client=old, kind="erasure", received_on=timezone.localdate(), requester="The person asks for erasure")
    before = _return(world)
    items = retention.review_list(world["org"], timezone.localdate())
    assert [i.client.pk for i in items] == [old.pk] and items[0].due
    done = retention.delete_client(staff=lead, client=old, today=timezone.localdate())
    assert not Client.objects.filter(pk=old.pk).exists()
    assert done.reference == old.reference and done.rows_removed > 1 and done.record_type == "client"
    assert "Olive" not in repr(Deletion.objects.values()) and "Old account" not in repr(Deletion.objects.values())
    req = RecordsRequest.objects.get()
    assert req.client_id is None and req.requester_enc == "" and req.client_reference == old.reference
    assert _return(world) == before


def test_not_due_yet_on_a_frozen_clock(world):
    lead = staff_of(world["staff"][T])
    old = world["old"]
    with pytest.raises(ValidationError, match="kept until"):
        retention.delete_client(staff=lead, client=old, today=timezone.localdate() - dt.timedelta(days=400))
    assert Client.objects.filter(pk=old.pk).exists()


def test_legal_hold_stops_deletion_and_the_record_stays_readable(world):
    lead = staff_of(world["staff"][T])
    old = world["old"]
    records.hold_place(staff=lead, client=old, reason="Civil claim: solicitor's letter received")
    with pytest.raises(ValidationError, match="legal hold"):
        retention.delete_client(staff=lead, client=old, today=timezone.localdate())
    again = Client.objects.get(pk=old.pk)
    assert again.full_name == "Olive Oldcase" and bytes(again.wrapped_key)
    assert not Deletion.objects.exists()
    records.hold_lift(staff=lead, client=old)
    retention.delete_client(staff=lead, client=old, today=timezone.localdate())
    assert not Client.objects.filter(pk=old.pk).exists()


def test_a_failed_deletion_leaves_the_record_whole(world, monkeypatch):
    lead = staff_of(world["staff"][T])
    old = world["old"]
    records.request_log(staff=lead, client=old, kind="sar", received_on=timezone.localdate(), requester="The person asks for a copy")

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Deletion.objects, "create", boom)
    with pytest.raises(RuntimeError):
        retention.delete_client(staff=lead, client=old, today=timezone.localdate())
    again = Client.objects.get(pk=old.pk)
    assert again.full_name == "Olive Oldcase" and again.referrals.get().account == "Old account text"
    req = RecordsRequest.objects.get()
    req.client = again
    assert req.requester == "The person asks for a copy"


def test_safeguarding_records_are_kept_far_longer(world):
    lead = world["staff"][T]
    client = _closed(world["client"], lead, years_ago=7)  # has a safeguarding concern
    assert SafeguardingConcern.objects.filter(client=client).exists()
    item = retention.item_for(client, retention.settings_for(world["org"]), timezone.localdate())
    assert item.record_type == "safeguarding" and not item.due
    assert item.delete_on.year - item.closed_on.year == 25
    with pytest.raises(ValidationError):
        retention.delete_client(staff=staff_of(lead), client=client, today=timezone.localdate())
    assert Snapshot.objects.filter(client=client).exists()


def test_open_record_is_never_deleted(world):
    with pytest.raises(ValidationError, match="closed"):
        retention.delete_client(staff=staff_of(world["staff"][T]), client=world["new"].client, today=dt.date(2100, 1, 1))


def strip(body: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", body)


def test_routes_by_role(world):
    missing = strip(signed_in(world["diary_user"]).get("/staff/nowhere/").content)
    for url, allowed in (("/staff/kent/retention/", {T}), ("/staff/kent/retention/settings/", {A})):
        for role in ROLES:
            session = signed_in(world["staff"][role].user)
            response = session.get(url)
            assert response.status_code == (200 if role in allowed else 404), (url, role)
            if role not in allowed:
                assert strip(response.content) == strip(session.get("/staff/nowhere/").content)
        for who in (world["other_lead"].user, world["other_admin"].user, world["diary_user"]):
            assert strip(signed_in(who).get(url).content) == missing
        assert HttpClient().get(url).status_code == 302
    old = world["old"]
    delete = f"/staff/kent/retention/{old.pk}/delete/"
    for role in set(ROLES) - {T}:
        assert signed_in(world["staff"][role].user).post(delete, {"confirm": old.reference}).status_code == 404
    assert signed_in(world["other_lead"].user).post(f"/staff/fife/retention/{old.pk}/delete/", {"confirm": old.reference}).status_code == 404
    lead = signed_in(world["staff"][T].user)
    assert old.reference.encode() in lead.get("/staff/kent/retention/").content
    lead.post(delete, {"confirm": "wrong"})
    assert Client.objects.filter(pk=old.pk).exists()
    lead.post(delete, {"confirm": old.reference})
    assert not Client.objects.filter(pk=old.pk).exists()
    assert lead.post(f"/staff/kent/retention/{10**30}/delete/", {"confirm": "x"}).status_code == 404


def test_settings_refuse_safeguarding_shorter_than_others(world):
    admin = signed_in(world["staff"][A].user)
    bad = admin.post("/staff/kent/retention/settings/", {"keep_client_years": 10, "keep_justice_years": 7, "keep_safeguarding_years": 5})
    assert bad.status_code == 400 and "at least as long" in bad.content.decode()
    assert admin.post("/staff/kent/retention/settings/", {"keep_client_years": 6, "keep_justice_years": 7, "keep_safeguarding_years": 30}).status_code == 302
    assert retention.settings_for(world["org"]).keep_safeguarding_years == 30
    assert admin.post("/staff/kent/retention/settings/", {"keep_client_years": 0, "keep_justice_years": -1, "keep_safeguarding_years": "x"}).status_code == 400
