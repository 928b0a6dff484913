"""The police API against its own OpenAPI document, with Schemathesis driving the Django WSGI application (the
document is loaded from /api/v1/openapi.json as served): no call may answer 5xx, and every answer (status code,
content type, headers, body) must conform to the document.

Schemathesis's "positive data acceptance" check is left out on purpose: a request can be schema-valid and still
be refused by a rule the schema cannot express (an opted-out or non-consented referral, a future date, a phone
number that is not one, an Idempotency-Key used for another body), and those answers are the documented 422.
Its authentication probes are left out too, because the test sets the credential on every call itself; missing,
wrong, rotated, revoked and other organisations' credentials are tested by hand in tests/test_api.py."""

from __future__ import annotations

import datetime as dt

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth, missing_required_header, positive_data_acceptance

from organisations.models import DataSharingAgreement, LawfulBasis
from organisations.services import api_credential_issue
from organisations.testing import make_org

DJANGO = get_wsgi_application()


def APP(environ, start_response):  # noqa: ANN001, ANN201, N802
    """The Django application, called as from this machine: Schemathesis's WSGI client sends no REMOTE_ADDR, and
    a local-only deployment (daybook/local.py) refuses a request it cannot place on loopback."""
    environ["REMOTE_ADDR"] = environ.get("REMOTE_ADDR") or "127.0.0.1"
    return DJANGO(environ, start_response)


schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


@pytest.fixture
def sender(db):
    org = make_org("Kent Victim Hub", "ENG", "kent")
    agreement = DataSharingAgreement.objects.create(
        organisation=org, name="Kent protocol", partner="Kent Police", lawful_basis=LawfulBasis.PUBLIC_TASK, starts_on=dt.date(2024, 1, 1)
    )
    _, token = api_credential_issue(organisation=org, agreement=agreement, sender="Kent Police VCU", force="Kent Police")
    cache.clear()
    # As Django's own test client does: the WSGI handler must not close the test's database connection (and its
    # transaction) at the start and end of each request.
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield token
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.django_db
@override_settings(DAYBOOK_API_RATE_PER_MINUTE=100000)
@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case, sender):
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {sender}"}
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code)
    assert response.status_code != 401, "the generated calls carry this test's valid credential"
    case.validate_response(response, excluded_checks=[positive_data_acceptance, ignored_auth, missing_required_header])
