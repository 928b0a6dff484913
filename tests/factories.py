"""One place for the test data every module needs: people, cases and one of each thing a case holds.

Fixtures in ``tests/conftest.py`` are built from these; test modules import the functions from here. When a
service moves, only this file changes."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib.auth import get_user_model

from cases.models import Case
from cases.services import create_case, save_crime_reference, save_order
from diary.services import IncidentData, create_incident
from kernel import localtime
from vault import store

PASSPHRASE = "correct horse battery staple"


def make_user(name: str = "owner", password: str = PASSPHRASE) -> Any:
    return get_user_model().objects.create_user(username=name, email=f"{name}@example.com", password=password)


def make_case(owner: Any, **kwargs: Any) -> Case:
    fields = {"label": "JB", "relationship": "ex_partner", "suspect_name": "John Bloggs", **kwargs}
    return create_case(owner, **fields)


def make_incident(case: Case, user: Any, days_ago: float = 1, **kwargs: Any) -> Any:
    when = localtime.now_local() - dt.timedelta(days=days_ago)
    data = IncidentData(occurred_at=when, description=kwargs.pop("description", "He was outside my house"), **kwargs)
    return create_incident(case, user, data)


def make_exhibit(case: Case, user: Any, data: bytes = b"a message he sent\n", name: str = "message.txt") -> Any:
    from evidence import services as evidence

    return evidence.ingest(case, user, [data], name=name).exhibit


def png() -> bytes:
    from evidence.testing import png as picture

    return picture()


def make_physical(case: Case, user: Any) -> Any:
    from evidence import services as evidence

    return evidence.create_physical(case, user, description="Flowers", received_on=None, arrived_how="Doorstep", kept_where="Freezer")


def make_upload(case: Case, user: Any) -> Any:
    from evidence import uploads

    return uploads.start_upload(case, user, name="video.mp4", size=10)


def make_screening(case: Case, user: Any) -> Any:
    from insights import instruments, selectors
    from insights.services import record_screening

    inst = instruments.get("daybook-indicators")
    return record_screening(case, user, inst, {qid: "no" for qid in inst.ids}, selectors.case_analysis(case))


def make_report(case: Case, user: Any) -> Any:
    """A report made at once, as the worker would make it."""
    from reports import services as reports
    from reports.options import ReportOptions

    report = reports.request_report(case, user, ReportOptions(), with_bundle=False, with_timestamp=False)
    return reports.generate(report)


def make_handover(report: Any, user: Any) -> Any:
    from reports import services as reports

    return reports.create_handover(report, user, recipient="DC Khan", days=3, single_use=False)


def make_import(case: Case, user: Any) -> Any:
    """An import scanned and waiting for the person's choices."""
    from imports import services as imports

    chat = b"05/01/2024, 03:10 - Alex Smith: I know where you live\n05/01/2024, 09:00 - Me: Stop\n"
    job = imports.start(case, user, make_exhibit(case, user, chat, "WhatsApp Chat with Alex Smith.txt"))
    imports.scan(job)
    return job


def make_contact(case: Case, user: Any, name: str = "Sam Neighbour", days: int = 7) -> Any:
    """A trusted contact of ``case``: (contact, the link's secret)."""
    from circle.contacts import contact_invite

    new = contact_invite(user=user, case=case, name=name, days=days)
    return new.contact, new.token


def make_sighting(contact: Any, hours_ago: float = 2, **kwargs: Any) -> Any:
    from circle.contacts import SightingInput, sighting_add

    values = {"where": "Outside the school gates", "what": "A man in a grey car watching the entrance", "person_present": "no"}
    values.update(kwargs)
    return sighting_add(contact=contact, data=SightingInput(seen_at=localtime.now_local() - dt.timedelta(hours=hours_ago), **values))


def make_world(owner: Any, case: Case | None = None) -> dict[str, Any]:
    """A case holding one of everything a route can name, keyed by what the route calls it."""
    case = case or make_case(owner)
    incident = make_incident(case, owner, description="Secret text about the incident")
    report = make_report(case, owner)
    return {
        "case": case,
        "incident": incident,
        "ref": save_crime_reference(case, owner, None, reference="AB/123/26", force="Kent Police"),
        "order": save_order(case, owner, None, order_type="restraining", conditions="No contact"),
        "exhibit": make_exhibit(case, owner, png(), "screenshot.png"),
        "physical": make_physical(case, owner),
        "upload": make_upload(case, owner),
        "screening": make_screening(case, owner),
        "report": report,
        "handover": make_handover(report, owner).handover,
        "import": make_import(case, owner),
        "sighting": make_sighting(make_contact(case, owner)[0]),
    }


class Stored:
    """A stored object through the storage API (a local folder or S3: DAYBOOK_TEST_STORAGE=s3 runs these tests on S3)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def read_bytes(self) -> bytes:
        with store.storage().open(self.name, "rb") as handle:
            return handle.read()

    def write_bytes(self, data: bytes) -> None:
        store.storage().delete(self.name)
        assert store.storage().save(self.name, io.BytesIO(data)) == self.name

    def unlink(self) -> None:
        store.storage().delete(self.name)

    def exists(self) -> bool:
        return store.storage().exists(self.name)
