"""Words people read (issue 13, item 8): every page of the sample case and its PDF report, scanned for what a person
should never be shown: "1 times", raw ISO date-times, developer file names and constant names, doubled sizes."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import subprocess
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from diary.demo import load_sample_case
from evidence.testing import jpeg_with_exif
from kernel.words import count_words, number_word, plural, times
from reports.options import ReportOptions
from reports.pdf import render_pdf
from tests.factories import make_exhibit, make_user, make_world

# What must never reach a person, with why.
BAD = [
    (re.compile(r"(?<![\d.,])1 (times|incidents|messages|weeks|days|calls|visits|entries|items|files|exhibits|bytes|hours|nights)\b"), "plural after 1"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"), "raw ISO date-time"),
    (re.compile(r"\b\d+\.0 times\b"), "a whole number shown with .0"),
    # (the PDF's verification note names the command "python manage.py verify_case": an instruction to examiners)
    (re.compile(r"\b(?!manage\.py)[\w/.-]+\.(py|md)\b"), "a developer file name"),
    (re.compile(r"\b[A-Z][A-Z0-9]*_[A-Z0-9_]{2,}\b"), "a constant name"),
    (re.compile(r"\b(\d[\d,.]*) bytes \(\1 bytes\)"), "a size said twice"),
    (re.compile(r"\b(imports|insights|diary|reports|evidence|kernel)\.[a-z_]+\b"), "a module name"),
    (re.compile(r"\bthere (were|was) 1 "), "'there were 1'"),
    (re.compile(r"…|\.\.\.(?=\s*$)", re.M), "a label cut off"),
]


def visible_text(page: str) -> str:
    page = re.sub(r"(?is)<(script|style|template)\b.*?</\1>", " ", page)
    page = re.sub(r"(?is)<!--.*?-->", " ", page)
    page = re.sub(r"(?s)<[^>]+>", " ", page)
    return re.sub(r"[ \t]+", " ", html.unescape(page))


def problems_in(where: str, text: str) -> list[str]:
    out = []
    for pattern, why in BAD:
        for m in pattern.finditer(text):
            start = max(0, m.start() - 50)
            out.append(f"{where}: {why}: ...{text[start : m.end() + 30]!r}")
    return out


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, URLPattern]]:
    out: list[tuple[str, URLPattern]] = []
    for p in patterns:
        if isinstance(p, URLResolver):
            out += _walk(p.url_patterns, prefix + str(p.pattern))
        else:
            out.append((prefix + str(p.pattern), p))
    return out


# Routes that are not pages a person reads (files, downloads, actions, the administrators' site).
NOT_PAGES = re.compile(r"^(admin/|static/)|download|file|/raw|\.pdf|/preview|/thumb|/chunk|/export|exit|logout|/bundle|healthz|/readyz|/metrics")


@pytest.fixture
def sample(db):  # noqa: ANN001, ANN201
    person = make_user("words")
    case = load_sample_case(person)
    world = make_world(person, case)
    world["photo"] = make_exhibit(case, person, jpeg_with_exif(), "photo.jpg")
    client = Client()
    client.force_login(person)
    return person, case, world, client


def _fill(route: str, world: dict[str, Any], number: int | None = None) -> str | None:
    fills = {
        "case_id": world["case"].pk,
        "number": world["exhibit"].number if "/evidence/" in route else (number or world["incident"].number),
        "ref_id": world["ref"].uuid,
        "order_id": world["order"].uuid,
        "upload_id": world["upload"].uuid,
        "instrument_id": "daybook-indicators",
        "screening_id": world["screening"].uuid,
        "report_id": world["report"].uuid,
        "what": "pdf",
        "handover_id": world["handover"].pk,
        "import_id": world["import"].pk,
    }
    url = route
    for token in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if token not in fills:
            return None
        url = re.sub(rf"<(?:\w+:)?{token}>", str(fills[token]), url)
    return "/" + url


def test_every_page_and_the_pdf_of_the_sample_case_use_plain_words(sample):
    person, case, world, client = sample
    urls: set[str] = set()
    for route, _pattern in _walk(get_resolver().url_patterns):
        if NOT_PAGES.search(route) or "^" in route:
            continue
        url = _fill(route, world)
        if url:
            urls.add(url)
    for incident in case.incidents.all():
        urls.add(f"/cases/{case.pk}/incidents/{incident.number}/")
    urls.add(f"/cases/{case.pk}/evidence/{world['photo'].number}/")
    problems: list[str] = []
    seen = 0
    for url in sorted(urls):
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        problems += problems_in(url, visible_text(response.content.decode()))
    assert seen > 40, f"only {seen} pages rendered"
    out = io.BytesIO()
    render_pdf(case, ReportOptions(), out, generated_at=dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=out.getvalue(), capture_output=True, check=True).stdout.decode()
    problems += problems_in("PDF", text)
    assert not problems, "\n".join(problems)


def test_the_scanner_catches_what_the_issue_found():
    samples = (
        "In person (1 times)",
        "EXIF time 2026-12-02T22:47:13",
        "26.0 times as many",
        "108 bytes (108 bytes)",
        "see ../shared/domain/stalking-uk.md section 2.3",
        "imports.services NIGHT_FROM_HOUR",
        "there were 1 night calls",
    )
    caught = [text for text in samples if problems_in("x", text)]
    assert caught == list(samples)
    assert not problems_in("x", "python manage.py verify_case 1 prints intact; 23 times; 1 time; 3.5 MB (3,670,016 bytes)")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: plural(1, "time"), "1 time"),
        (lambda: plural(2, "reply", "replies"), "2 replies"),
        (lambda: times(1), "once"),
        (lambda: times(2), "twice"),
        (lambda: times(23), "23 times"),
        (lambda: times(26.0), "26 times"),
        (lambda: times(2.5), "2.5 times"),
        (lambda: number_word(1), "one"),
        (lambda: number_word(9), "nine"),
        (lambda: number_word(10), "10"),
        (lambda: count_words(1, "incident"), "one incident"),
        (lambda: count_words(12, "incident"), "12 incidents"),
    ],
)
def test_words_helpers(call, expected):  # noqa: ANN001
    assert call() == expected
