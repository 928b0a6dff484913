"""Walks the URL resolver: every case-scoped route, for the owner, another signed-in person and someone not signed in.

No route is listed by hand, so a new route cannot forget the access policy: if it takes an argument this file does
not know, the first test fails and asks for it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AuditEvent
from tests.factories import make_case, make_world


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


CASE_ROUTES = sorted((route, p) for route, p in _walk(get_resolver().url_patterns) if "<int:case_id>" in route)

# How each argument is filled from the world (see tests/factories.make_world).
KWARGS = {
    "case_id": lambda w, route: w["case"].pk,
    "number": lambda w, route: w["exhibit"].number if "/evidence/" in route else w["sighting"].number if "/sightings/" in route else w["incident"].number,
    "ref_id": lambda w, route: w["ref"].uuid,
    "order_id": lambda w, route: w["order"].uuid,
    "upload_id": lambda w, route: w["upload"].uuid,
    "instrument_id": lambda w, route: "daybook-indicators",
    "screening_id": lambda w, route: w["screening"].uuid,
    "report_id": lambda w, route: w["report"].uuid,
    "what": lambda w, route: "pdf",
    "handover_id": lambda w, route: w["handover"].pk,
    "import_id": lambda w, route: w["import"].pk,
}


def _url(route: str, w: dict[str, Any], **override: Any) -> str:
    url = route
    for name, fill in KWARGS.items():
        for conv in ("int", "str", "slug", "uuid", "path"):
            token = f"<{conv}:{name}>"
            if token in url:
                url = url.replace(token, str(override.get(name, fill(w, route))))
    return "/" + url


def _plain(html: bytes) -> bytes:
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


def _snapshot(case: Any) -> tuple[int, ...]:
    from diary.models import Incident, IncidentVersion
    from evidence.models import Exhibit, UploadSession
    from reports.models import Handover, Report

    return (
        case.chain.count(),
        Incident.objects.filter(case=case).count(),
        IncidentVersion.objects.filter(incident__case=case).count(),
        Exhibit.objects.filter(case=case).count(),
        UploadSession.objects.filter(case=case, status="open").count(),
        Report.objects.filter(case=case).count(),
        Handover.objects.filter(report__case=case, revoked_at__isnull=True).count(),
        AuditEvent.objects.filter(case=case).exclude(action__startswith="case.").count(),
    )


@pytest.fixture
def world(owner, case):  # noqa: ANN001, ANN201
    return make_world(owner, case)


def test_the_walk_finds_the_routes_and_knows_every_argument() -> None:
    assert len(CASE_ROUTES) >= 40
    unknown = {arg for route, _ in CASE_ROUTES for arg in p_args(route) if arg not in KWARGS}
    assert unknown == set(), f"add these route arguments to KWARGS: {sorted(unknown)}"


def p_args(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def test_owner_reaches_every_case_route(owner_client, world) -> None:  # noqa: ANN001
    for route, _ in CASE_ROUTES:
        response = owner_client.get(_url(route, world))
        assert response.status_code in (200, 302, 405), (route, response.status_code)


def test_another_person_gets_a_plain_404_everywhere_and_changes_nothing(stranger_client, world) -> None:  # noqa: ANN001
    before = _snapshot(world["case"])
    for route, _ in CASE_ROUTES:
        url = _url(route, world)
        got = stranger_client.get(url)
        assert got.status_code in (404, 405), (route, "GET", got.status_code)
        missing = stranger_client.get(_url(route, world, case_id=999999))
        assert _plain(got.content) == _plain(missing.content), route  # a refusal looks exactly like a missing page
        posted = stranger_client.post(url, {"description": "x", "reason": "x", "label": "x", "confirm": "yes"})
        assert posted.status_code in (404, 405), (route, "POST", posted.status_code)  # 405: the method, whatever the id
    assert _snapshot(world["case"]) == before


def test_someone_elses_ids_inside_my_own_case_are_missing(stranger, stranger_client, world) -> None:  # noqa: ANN001
    """The other person's own case, with the owner's reports, uploads, screenings and the rest in the address."""
    mine = make_case(stranger, label="Mine")
    before = _snapshot(world["case"])
    for route, _ in CASE_ROUTES:
        args = set(p_args(route)) - {"case_id", "number", "instrument_id", "what"}
        if not args:
            continue
        url = _url(route, world, case_id=mine.pk)
        assert stranger_client.get(url).status_code in (404, 405), route
        assert stranger_client.post(url, {"reason": "x"}).status_code in (404, 405), route
    assert _snapshot(world["case"]) == before


def test_someone_not_signed_in_sees_nothing(world) -> None:  # noqa: ANN001
    anonymous = Client()
    before = _snapshot(world["case"])
    for route, _ in CASE_ROUTES:
        url = _url(route, world)
        for response in (anonymous.get(url), anonymous.post(url, {"description": "x"})):
            assert response.status_code in (302, 403, 404), (route, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("account_login")), route
            assert b"Secret text" not in response.content
    assert _snapshot(world["case"]) == before


def test_impossible_ids_are_missing_pages_not_errors(owner_client, world) -> None:  # noqa: ANN001
    huge = 10**30
    for route, _ in CASE_ROUTES:
        args = set(p_args(route)) - {"case_id", "instrument_id", "what"}
        for name in args:
            value = huge if f"<int:{name}>" in route else "not-an-id"
            response = owner_client.get(_url(route, world, **{name: value}))
            assert response.status_code in (404, 405), (route, name, response.status_code)
