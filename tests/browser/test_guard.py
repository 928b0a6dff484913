"""The checks that every browser test relies on actually catch what they claim to."""

from __future__ import annotations

import pytest
from playwright.sync_api import Error

from tests.browser.conftest import run_axe

pytestmark = pytest.mark.browser


def test_a_request_to_a_third_party_is_refused_and_recorded(browsing):  # noqa: ANN001
    ctx, guard = browsing.context("desktop")
    page = ctx.new_page()
    page.goto("/account/login/")
    with pytest.raises(Error):
        page.goto("https://cdn.example.net/font.woff2")
    assert guard.third_party == ["https://cdn.example.net/font.woff2"]
    guard.third_party.clear()  # expected here; any other test would fail on it


def test_an_inline_script_is_refused_by_the_csp_and_reported(browsing):  # noqa: ANN001
    ctx, guard = browsing.context("desktop")
    page = ctx.new_page()
    page.goto("/account/login/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); }")
    page.wait_for_timeout(100)
    assert page.evaluate("() => window.ran") is None
    assert guard.csp_console, "the CSP violation was not seen on the console"
    guard.csp_console.clear()


def test_every_document_carries_a_strict_csp(browsing):  # noqa: ANN001
    ctx, guard = browsing.context("desktop")
    page = ctx.new_page()
    page.goto("/")
    page.goto("/account/login/")
    assert len(guard.documents) == 2
    assert not guard.bad_csp_headers


def test_axe_finds_a_real_violation(browsing):  # noqa: ANN001
    page = browsing.page("phone", axe=True)
    page.goto("/account/login/")
    assert run_axe(page) == []
    page.evaluate("() => { const i = document.createElement('img'); i.src = 'data:,'; document.querySelector('main').append(i); }")
    assert "image-alt" in [v["id"] for v in run_axe(page)]
