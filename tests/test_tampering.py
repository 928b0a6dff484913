"""Tampering with the database directly: for every table that holds a fact shown in a report or to the person, change
each such column, delete rows and swap rows with raw SQL, and expect ``verify`` to fail and to name what changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from cases.models import CrimeReference, Order
from cases.services import save_crime_reference, save_order, update_case
from chain.models import ChainEntry
from chain.verification import verify
from diary.models import IncidentBehaviour
from tests.factories import make_case, make_incident


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def facts(case, owner):
    """A case with its facts, an order, a crime reference and an incident with two behaviours; intact."""
    update_case(case, owner, started_on=dt.date(2024, 6, 1), notes="Met at work")
    order = save_order(
        case, owner, None, order_type="restraining", starts_on=dt.date(2025, 1, 2), ends_on=dt.date(2026, 1, 2), conditions="No contact", court="Leeds"
    )
    ref = save_crime_reference(case, owner, None, force="Kent Police", given_on=dt.date(2025, 1, 3), reference="KP/123", officer="DC Khan", notes="")
    incident = make_incident(case, owner, behaviours=["CONT.CALL", "CONT.MSG"])
    result = verify(case)
    assert result.ok and not result.not_covered, (result.problem, result.not_covered)
    return order, ref, incident


def _other_value(column: str, value: object) -> object:
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=30)
    return {"relationship": "stranger", "order_type": "bail", "force": "Met Police"}.get(column, "changed")


# (table, column, how verify names it): every column of these tables that reaches a report or the person.
COLUMNS = [
    ("cases_case", "relationship", "case's details"),
    ("cases_case", "started_on", "case's details"),
    ("cases_order", "order_type", "order"),
    ("cases_order", "starts_on", "order"),
    ("cases_order", "ends_on", "order"),
    ("cases_crimereference", "force", "crime reference"),
    ("cases_crimereference", "given_on", "crime reference"),
]


@pytest.mark.parametrize(("table", "column", "named"), COLUMNS)
def test_changing_a_plain_column_is_found(case, facts, table, column, named):
    order, ref, _ = facts
    row = {"cases_case": case, "cases_order": order, "cases_crimereference": ref}[table]
    _sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [_other_value(column, getattr(row, column)), row.pk])  # noqa: S608 - table and column from the list above
    result = verify(case)
    assert not result.ok
    assert named in result.problem.lower() and "outside daybook" in result.problem.lower()


SEALED = [
    ("cases_case", "label_enc"),
    ("cases_case", "suspect_name_enc"),
    ("cases_case", "notes_enc"),
    ("cases_order", "conditions_enc"),
    ("cases_order", "court_enc"),
    ("cases_crimereference", "reference_enc"),
    ("cases_crimereference", "officer_enc"),
]


@pytest.mark.parametrize(("table", "column"), SEALED)
def test_clearing_a_sealed_column_is_found(case, facts, table, column):
    order, ref, _ = facts
    row = {"cases_case": case, "cases_order": order, "cases_crimereference": ref}[table]
    _sql(f"UPDATE {table} SET {column} = '' WHERE id = %s", [row.pk])  # noqa: S608 - table and column from the list above
    result = verify(case)
    assert not result.ok and "outside Daybook" in result.problem


@pytest.mark.parametrize("table", ["cases_order", "cases_crimereference"])
def test_deleting_an_order_or_crime_reference_is_found(case, facts, table):
    _sql(f"DELETE FROM {table} WHERE case_id = %s", [case.pk])  # noqa: S608 - table from the list above
    result = verify(case)
    assert not result.ok and "deleted outside Daybook" in result.problem


def test_an_order_added_outside_daybook_is_found(case, facts, owner):
    Order.objects.bulk_create([Order(case=case, order_type="bail")])  # a row written without the service: no chain entry
    result = verify(case)
    assert not result.ok and "not in the chain" in result.problem


def test_behaviour_rows_are_checked_against_the_incident_version(case, facts):
    _, _, incident = facts
    _sql("DELETE FROM diary_incidentbehaviour WHERE incident_id = %s AND code = %s", [incident.pk, "CONT.MSG"])
    result = verify(case)
    assert not result.ok and "behaviours" in result.problem
    IncidentBehaviour.objects.create(case=case, incident=incident, code="CONT.MSG")
    assert verify(case).ok
    IncidentBehaviour.objects.create(case=case, incident=incident, code="PROP.DAMAGE")
    assert "behaviours" in verify(case).problem


def test_changes_through_daybook_keep_the_case_intact(case, facts, owner):
    order, ref, _ = facts
    update_case(case, owner, relationship="neighbour", suspect_name="Someone else")
    save_order(case, owner, order, order_type="spo", starts_on=None, ends_on=None, conditions="", court="")
    save_crime_reference(case, owner, ref, force="Met", given_on=None, reference="MP/9", officer="", notes="")
    result = verify(case)
    assert result.ok, result.problem
    kinds = list(ChainEntry.objects.filter(case=case).values_list("kind", flat=True))
    assert (
        kinds.count("order.version") == 2 and kinds.count("crime_reference.version") == 2 and kinds.count("case.details") == 3
    )  # at opening, in the fixture, here


def test_a_case_opened_before_the_facts_were_chained_is_not_covered_until_its_next_change(owner, owner_client):
    case = make_case(owner)
    # As an older case: its first entry is from before the facts kinds, and it has no case.details entry.
    ChainEntry.objects.filter(case=case, kind="case.details").delete()
    _sql("UPDATE diary_chainentry SET at = %s WHERE case_id = %s AND seq = 1", ["2025-01-01T00:00:00.000000Z", case.pk])
    rebuild_chain(case)
    save_order_row = Order.objects.create(case=case, order_type="bail")
    assert save_order_row.pk
    result = verify(case)
    assert result.ok, result.problem
    assert result.not_covered and "orders" in result.not_covered[0]
    page = owner_client.get(f"/cases/{case.pk}/integrity/").content.decode()
    assert "Intact" in page and "Not covered by this check" in page
    update_case(case, owner, label="Now covered")
    result = verify(case)
    assert result.ok and not result.not_covered, result.problem
    assert CrimeReference.objects.filter(case=case).count() == 0
    _sql("UPDATE cases_order SET order_type = %s WHERE case_id = %s", ["spo", case.pk])
    assert "order" in verify(case).problem


def rebuild_chain(case) -> None:
    """Recompute the hashes of the case's chain after a test rewrote its entries (to stand for an older case)."""
    from chain.refs import GENESIS
    from chain.services import entry_hash

    prev, seq = GENESIS, 0
    for entry in ChainEntry.objects.filter(case=case).order_by("seq"):
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.entry_hash = entry_hash(str(case.uuid), seq, entry.kind, entry.ref, entry.at, entry.payload_sha256, prev)
        entry.save()
        prev = entry.entry_hash
    type(case).objects.filter(pk=case.pk).update(chain_seq=seq, chain_head=prev)
    case.chain_seq, case.chain_head = seq, prev


def test_a_sealed_value_moved_to_another_row_no_longer_opens_and_verify_names_it(case, facts, owner):
    order, _, _ = facts
    other = save_order(case, owner, None, order_type="bail", conditions="Report daily", court="")
    assert order.conditions_enc.startswith("v2.")
    _sql("UPDATE cases_order SET conditions_enc = %s WHERE id = %s", [order.conditions_enc, other.pk])
    result = verify(case)
    assert not result.ok and "cannot be read" in result.problem and "moved from another record" in result.problem


def test_a_sealed_case_value_moved_from_another_case_is_found(case, facts, owner):
    twin = make_case(owner, label="Twin")
    _sql("UPDATE cases_case SET label_enc = %s WHERE id = %s", [twin.label_enc, case.pk])
    result = verify(case)
    assert not result.ok and "case's details cannot be read" in result.problem


def test_values_in_the_old_format_keep_opening_and_verifying(case, facts, owner):
    """A value written before format v2 (bound to its field only) still opens, and the case still verifies."""
    order, _, _ = facts
    old = case.get_cipher().seal("No contact", "order.conditions")
    assert old.startswith("v1.")
    _sql("UPDATE cases_order SET conditions_enc = %s WHERE id = %s", [old, order.pk])
    assert Order.objects.get(pk=order.pk).conditions == "No contact"
    assert verify(case).ok


@pytest.fixture
def downloads(case, facts):
    """Two downloads through a hand-over link (one finished), as the person's "who downloaded" list shows them."""
    from django.utils import timezone

    from reports import services as reports
    from reports.models import Handover, Report

    report = Report.objects.create(case=case, status="done", expires_at=timezone.now() + dt.timedelta(days=7))
    handover = Handover.objects.create(report=report, token_sha256="a" * 64, expires_at=timezone.now() + dt.timedelta(days=3))
    first = reports.record_download(handover, "pdf", {"ip": "192.0.2.1", "browser": "Firefox"})
    reports.mark_completed(first.pk)
    second = reports.record_download(handover, "bundle", {"ip": "192.0.2.2", "browser": "Safari"})
    result = verify(case)
    assert result.ok and not result.not_covered, (result.problem, result.not_covered)
    return first, second


@pytest.mark.parametrize(
    ("statement", "what"),
    [
        ("DELETE FROM reports_handoverdownload WHERE id = {first}", "deleted outside Daybook"),
        ("UPDATE reports_handoverdownload SET what = 'bundle' WHERE id = {first}", "changed outside Daybook"),
        ("UPDATE reports_handoverdownload SET completed = %s WHERE id = {second}", "changed outside Daybook"),
        ("UPDATE reports_handoverdownload SET at = '2025-01-01 00:00:00' WHERE id = {first}", "changed outside Daybook"),
        ("UPDATE reports_handoverdownload SET client_enc = '' WHERE id = {first}", "changed outside Daybook"),
    ],
)
def test_the_who_downloaded_list_cannot_be_changed_unseen(case, downloads, statement, what):
    first, second = downloads
    params = [True] if "%s" in statement else []
    _sql(statement.format(first=first.pk, second=second.pk), params)
    result = verify(case)
    assert not result.ok and "download of one of your reports" in result.problem and what in result.problem


def test_swapped_download_clients_are_found(case, downloads):
    first, second = downloads
    _sql("UPDATE reports_handoverdownload SET client_enc = %s WHERE id = %s", [first.client_enc, second.pk])
    result = verify(case)
    assert not result.ok and "download of one of your reports" in result.problem


@pytest.fixture
def imported(case, owner, facts):
    from imports import services as imports
    from tests.test_imports_flow import BASIC, chat, do_import

    job = do_import(case, owner, chat(BASIC))
    assert job.status == "done"
    assert verify(case).ok
    return job, imports


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM imports_importeditem WHERE id = (SELECT MIN(id) FROM imports_importeditem WHERE job_id = {job})",
        "UPDATE imports_importeditem SET text_enc = (SELECT text_enc FROM imports_importeditem WHERE id = (SELECT MAX(id) FROM imports_importeditem))"
        " WHERE id = (SELECT MIN(id) FROM imports_importeditem WHERE job_id = {job})",
        "UPDATE imports_importeditem SET seq = seq + 1000 WHERE id = (SELECT MIN(id) FROM imports_importeditem WHERE job_id = {job})",
        "UPDATE imports_importeditem SET suspect = NOT suspect WHERE job_id = {job}",
        "UPDATE imports_importeditem SET threats = '' WHERE job_id = {job}",
        "UPDATE imports_importeditem SET at = '2020-01-01 00:00:00' WHERE job_id = {job}",
        "UPDATE imports_import SET status = 'failed' WHERE id = {job}",
    ],
)
def test_imported_messages_cannot_be_deleted_swapped_or_changed_unseen(case, imported, statement):
    job, _ = imported
    _sql(statement.format(job=job.pk), [])
    result = verify(case)
    assert not result.ok and "import" in result.problem.lower(), result.problem


def test_an_undone_import_stays_verifiable(case, owner, imported):
    job, imports = imported
    imports.undo(job, owner)
    result = verify(case)
    assert result.ok, result.problem
    kinds = list(ChainEntry.objects.filter(case=case, kind="import.items").values_list("ref", flat=True))
    assert kinds == [f"import/{job.uuid}"] * 2
