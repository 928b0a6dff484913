"""Browser tests: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Every browser context proves that no page makes a request to any third party: every request is watched, any
request not addressed to the live server is refused and fails the test. The one exception is the redirect of
"Exit this page" to the neutral site, which is answered locally with a stub page and recorded.

Each context also records Content Security Policy violations reported on the console, JavaScript errors,
and any document response whose Content-Security-Policy header is missing or allows 'unsafe-inline'.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

# Playwright's sync API runs an asyncio event loop in this thread; Django refuses database access from a
# thread with a running loop unless told otherwise. The flag stays set for the worker once a browser is up.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect, sync_playwright  # noqa: E402

# expect() retries for 5 s by default; on a busy two-core machine (CI, helpers' test runs) the page a click opens can
# take longer than that to arrive. The actions' own timeout is set per context below.
expect.set_options(timeout=20_000)

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}

EXIT_STUB = (
    "<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'><title>Weather forecast</title></head>"
    "<body><main><h1>Weather forecast</h1><p>Sunny spells, light winds.</p></main></body></html>"
)

PASSPHRASE = "correct horse battery staple"
EXIT_PATH = "/exit/"


@dataclass
class Guard:
    """Watches one browser context: third-party requests, the exit, CSP, HTTP and script errors."""

    origin: str
    third_party: list[str] = field(default_factory=list)
    exits: list[str] = field(default_factory=list)
    exit_problems: list[str] = field(default_factory=list)
    csp_console: list[str] = field(default_factory=list)
    bad_csp_headers: list[str] = field(default_factory=list)
    js_errors: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    bad_status: list[str] = field(default_factory=list)

    def watch(self, ctx: BrowserContext) -> None:
        # Requests for another site: refused by the route (matched inside Playwright's driver, so the live
        # server's own pages, CSS and scripts do not wait on a round trip through Python, which shares its GIL
        # with the server), and every request, redirect hops included, is judged by on_request.
        ctx.route(re.compile("^(?!" + re.escape(self.origin) + "/)"), self.route_elsewhere)
        ctx.route(self.origin + EXIT_PATH, self.route_exit)
        ctx.on("request", self.on_request)
        ctx.on("console", self.on_console)
        ctx.on("response", self.on_response)
        ctx.on("weberror", self.on_web_error)

    def on_request(self, request) -> None:  # noqa: ANN001
        """Sees every request, including the hops after a redirect, which Playwright never routes."""
        parts = urlsplit(request.url)
        if parts.scheme in ("http", "https", "ws", "wss") and f"{parts.scheme}://{parts.netloc}" != self.origin:
            self.third_party.append(request.url)

    def route_elsewhere(self, route: Route) -> None:
        route.abort("blockedbyclient")

    def route_exit(self, route: Route) -> None:
        """The exit redirect, answered locally: the real /exit/ response is fetched without following its redirect
        (the context's cookies go with it, and its Set-Cookie is applied), checked, and the page gets the neutral
        stub in its place. No request ever leaves for the neutral site."""
        if route.request.resource_type != "document":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        location = response.headers.get("location", "")
        if 300 <= response.status < 400 and location.startswith(settings.DAYBOOK_EXIT_URL):
            self.exits.append(location)
            if "cookies" not in response.headers.get("clear-site-data", ""):
                self.exit_problems.append(f"no Clear-Site-Data for cookies: {response.headers}")
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=EXIT_STUB)
        else:
            self.exit_problems.append(f"/exit/ answered {response.status} to {location!r}, not the neutral site")
            route.fulfill(response=response)

    def on_console(self, message) -> None:  # noqa: ANN001
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_console.append(message.text)

    def on_response(self, response) -> None:  # noqa: ANN001
        request = response.request
        if request.resource_type != "document" or not response.url.startswith(self.origin):
            return
        if urlsplit(response.url).path == EXIT_PATH:
            return  # answered by route_exit() with the neutral stub
        self.documents.append(response.url)
        if response.status == 403 or response.status >= 500:
            self.bad_status.append(f"{response.url}: HTTP {response.status}")
        csp = response.headers.get("content-security-policy")
        if 300 <= response.status < 400:
            return
        if not csp:
            self.bad_csp_headers.append(f"{response.url}: no Content-Security-Policy header")
        elif "unsafe-inline" in csp:
            self.bad_csp_headers.append(f"{response.url}: CSP allows 'unsafe-inline': {csp}")

    def on_web_error(self, error) -> None:  # noqa: ANN001
        self.js_errors.append(str(error.error))

    def problems(self) -> list[str]:
        out = [f"request to a third party: {u}" for u in self.third_party]
        out += [f"CSP violation on the console: {m}" for m in self.csp_console]
        out += self.bad_csp_headers
        out += [f"JavaScript error: {e}" for e in self.js_errors]
        out += [f"document refused or failed: {e}" for e in self.bad_status]
        out += [f"exit: {p}" for p in self.exit_problems]
        return out


# One Playwright and one Chromium per test worker, whichever module asks first. Test modules elsewhere import
# these fixtures, which makes pytest treat them as separate session fixtures; without this the second would start a
# second Playwright in the same thread, and Playwright's sync API refuses that.
_SHARED: dict[str, object] = {}


def shared_browser() -> Browser:
    if "playwright" not in _SHARED:
        _SHARED["playwright"] = sync_playwright().start()
    browser = _SHARED.get("browser")
    if browser is None or not browser.is_connected():
        browser = _SHARED["playwright"].chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        _SHARED["browser"] = browser
    return browser


def stop_shared_browser() -> None:
    browser = _SHARED.pop("browser", None)
    if browser is not None:
        browser.close()
    playwright = _SHARED.pop("playwright", None)
    if playwright is not None:
        playwright.stop()


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    shared_browser()
    yield _SHARED["playwright"]
    stop_shared_browser()  # at the end of the worker's session; a no-op for the second definition


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Browser:
    """One headless Chromium per test worker, reused by every test on it."""
    return shared_browser()


@pytest.fixture
def server(live_server, transactional_db, django_db_serialized_rollback) -> str:  # noqa: ANN001
    """The live server's origin. Serialized rollback keeps migrated data (such as support contacts)."""
    return live_server.url


@dataclass
class Browsing:
    """Makes browser contexts for one test and checks every one of them when the test ends."""

    browser: Browser
    origin: str
    contexts: list[tuple[BrowserContext, Guard]] = field(default_factory=list)

    def context(self, kind: str = "phone", user=None, axe: bool = False, **options) -> tuple[BrowserContext, Guard]:  # noqa: ANN001, ANN003
        ctx = self.browser.new_context(
            **{**VIEWPORTS[kind], **options},
            base_url=self.origin,
            locale="en-GB",
            timezone_id=settings.TIME_ZONE,
            service_workers="block",
        )
        ctx.set_default_timeout(30_000)  # generous: the suite also runs on busy two-core machines
        guard = Guard(self.origin)
        guard.watch(ctx)
        if axe:
            # axe-core is put in each page by Playwright itself (not through the network, and not as a script
            # element, so neither the page's CSP nor the third-party rule is bent for it).
            ctx.add_init_script(path=str(AXE_JS))
        if user is not None:
            sign_in(ctx, self.origin, user)
        self.contexts.append((ctx, guard))
        return ctx, guard

    def page(self, kind: str = "phone", user=None, axe: bool = False, **options) -> Page:  # noqa: ANN001, ANN003
        ctx, _guard = self.context(kind, user, axe, **options)
        return ctx.new_page()

    def guard_of(self, page: Page) -> Guard:
        for ctx, guard in self.contexts:
            if page.context is ctx:
                return guard
        raise LookupError("page not made by this fixture")


@pytest.fixture
def browsing(browser: Browser, server: str) -> Iterator[Browsing]:
    b = Browsing(browser, server)
    yield b
    problems = []
    for ctx, guard in b.contexts:
        problems += guard.problems()
        ctx.close()
    assert not problems, "\n".join(problems)


def sign_in(ctx: BrowserContext, origin: str, user) -> None:  # noqa: ANN001
    """Signs the user in without the form (the sign-in form is tested once, on its own): copy a session cookie."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    ctx.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": origin, "httpOnly": True, "sameSite": "Lax"}])


@pytest.fixture
def person(transactional_db):  # noqa: ANN001, ANN201
    return get_user_model().objects.create_user(username="sam", email="sam@example.com", password=PASSPHRASE)


def inline_scripts(page: Page) -> list[str]:
    """Script elements with inline code (JSON data blocks are allowed)."""
    return page.eval_on_selector_all(
        "script:not([src])",
        "els => els.filter(e => (e.type || '').toLowerCase() !== 'application/json').map(e => e.outerHTML.slice(0, 200))",
    )


def run_axe(page: Page) -> list[dict]:
    """Runs axe-core (WCAG 2.0-2.2 A and AA, and best practice) on the page; returns its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Not made with axe=True: evaluate axe-core in the page through Playwright (not a script element, so the
        # page's CSP is not bent, and nothing is fetched). axe=True is cheaper on many pages: parsed once per page.
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;0")
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(' ')).slice(0, 8),
                summary: (v.nodes[0] && v.nodes[0].failureSummary || '').slice(0, 300),
            }));
        }"""
    )


def page_problems(page: Page, name: str, phone: bool) -> list[str]:
    """What is wrong with the open page: inline scripts, axe-core violations and, on a phone, sideways scrolling.
    A click that navigates returns once the new page has started to load: wait for all of it first."""
    page.wait_for_load_state("load")
    problems = [f"{name}: inline script {script}" for script in inline_scripts(page)]
    for v in run_axe(page):
        problems.append(f"{name} {page.url}: axe {v['id']} ({v['impact']}) {v['help']}; targets {v['targets']}; {v['summary']}")
    if phone:
        width, inner = no_horizontal_scroll(page)
        if width > inner:
            problems.append(f"{name}: scrolls sideways on a phone ({width}px > {inner}px)")
    return problems


def no_horizontal_scroll(page: Page) -> tuple[int, int]:
    return page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")


def screenshot(page: Page, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.monotonic()

    def seconds(self) -> float:
        return time.monotonic() - self.start
