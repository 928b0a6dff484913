"""Quick-capture load: 20 concurrent clients posting quick notes for 60 s to the real server, on SQLite.

Bar (design brief, section 5): zero errors, "database is locked" included; p95 reported.

* Set-up, in this process: a throwaway DAYBOOK_DATA_DIR, ``migrate``, ``createcachetable`` and the static
  manifest (what ``make run`` does first), then one account and one case per client (BENCH_SHARED_CASE=1:
  one account and one case shared by every client, so all of them append to the same hash chain).
* The server is started exactly as ``make run`` starts it: ``bash scripts/run.sh`` (gunicorn, gthread
  workers, its default workers and threads, plus the background task worker), bound to 127.0.0.1 on a
  free port, its output kept in a log file. It is stopped at the end (its process group, which this
  benchmark started).
* Each client signs in through the real sign-in form (GET /account/login/ for the CSRF token, POST
  ``login`` and ``password``; at most 4 at a time, see below, and not timed as part of the load), then,
  when all have signed in, loops until the time is up: GET /cases/<id>/quick/, read the form's
  CSRF token, POST description, date, time, behaviour (sometimes empty) and sometimes felt_in_danger,
  expecting a 302 to the saved note (``/cases/<id>/incidents/<n>/``: the person lands on what they wrote).
  Each request is a fresh connection (standard library only).
* An error is: a POST answered with anything but that 302, a GET answered with anything but 200, any
  5xx, any exception (including a 60 s timeout). The server log is searched for "database is locked"
  and tracebacks. Afterwards every case's chain is verified (chain.verification.verify) and the incidents in
  the database are counted against the 302s the clients received.

Keys: requests (quick-capture POSTs), errors, p50_ms and p95_ms (POST latency as the client saw it),
rps (POSTs per second), plus the GET figures, "database is locked" lines and whether every chain is intact.

Environment: BENCH_DURATION (60 s), BENCH_CLIENTS (20), BENCH_SHARED_CASE (0), BENCH_KEEP=1 to keep the data and log.
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from benchmarks import common

NAME = "quickcapture_load"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WORDS = [
    "texts again",
    "calls from a withheld number",
    "car outside the house",
    "followed me from the station",
    "at the end of my road",
    "messages on Instagram",
    "waiting outside work",
    "voice notes",
    "flowers on the doorstep",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Browser:
    """A minimal browser: cookies, a fresh connection per request, no redirects followed."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
        headers = {"User-Agent": "daybook-bench/1.0", "Accept": "text/html"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(header)
                for name, morsel in jar.items():
                    if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()


@dataclass
class Stats:
    posts: list[float] = field(default_factory=list)
    gets: list[float] = field(default_factory=list)
    logins: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    created: int = 0


def sign_in(browser: Browser, email: str, password: str) -> None:
    status, _, html = browser.request("GET", "/account/login/")
    match = TOKEN.search(html)
    if status != 200 or not match:
        raise RuntimeError(f"sign-in page: HTTP {status}")
    status, headers, _ = browser.request("POST", "/account/login/", {"login": email, "password": password, "csrfmiddlewaretoken": match.group(1)})
    if status != 302 or "sessionid" not in browser.cookies:
        raise RuntimeError(f"sign-in: HTTP {status} to {headers.get('location')}")


def client(
    index: int,
    port: int,
    email: str,
    password: str,
    case_id: int,
    tz: ZoneInfo,
    start: threading.Barrier,
    deadline: list[float],
    stats: Stats,
    lock: threading.Lock,
    sign_in_lock: Any,
) -> None:
    r = random.Random(index)
    browser = Browser(port)
    posts, gets, errors, created = [], [], [], 0
    try:
        t0 = time.perf_counter()
        with sign_in_lock:
            sign_in(browser, email, password)
        login_ms = (time.perf_counter() - t0) * 1000
    except Exception as exc:  # noqa: BLE001
        errors.append(f"client {index}: {exc!r}")
        login_ms = None
    start.wait()
    quick = f"/cases/{case_id}/quick/"
    saved_note = re.compile(rf"^/cases/{case_id}/incidents/\d+/$")
    while login_ms is not None and time.monotonic() < deadline[0]:
        try:
            t0 = time.perf_counter()
            status, _, html = browser.request("GET", quick)
            gets.append((time.perf_counter() - t0) * 1000)
            match = TOKEN.search(html)
            if status != 200 or not match:
                errors.append(f"GET quick: HTTP {status}")
                time.sleep(0.2)
                continue
            when = dt.datetime.now(tz) - dt.timedelta(minutes=r.randint(0, 180))
            form = {
                "csrfmiddlewaretoken": match.group(1),
                "description": f"{r.choice(WORDS).capitalize()} ({index}-{len(posts) + 1})",
                "date": when.strftime("%Y-%m-%d"),
                "time": when.strftime("%H:%M"),
                "behaviour": r.choice(["", "", "CONT.MSG", "CONT.CALL", "CONT.VISIT", "SURV.FOLLOW", "SURV.LOITER", "THRT.VIOLENCE"]),
            }
            if r.random() < 0.2:
                form["felt_in_danger"] = "on"
            t0 = time.perf_counter()
            status, headers, _ = browser.request("POST", quick, form)
            posts.append((time.perf_counter() - t0) * 1000)
            if status == 302 and saved_note.match(urllib.parse.urlsplit(headers.get("location", "")).path):
                created += 1
            else:
                errors.append(f"POST quick: HTTP {status} to {headers.get('location')}")
                time.sleep(0.2)
        except Exception as exc:  # noqa: BLE001
            errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.2)
    with lock:
        stats.posts += posts
        stats.gets += gets
        stats.errors += errors
        stats.created += created
        if login_ms is not None:
            stats.logins.append(login_ms)


def main() -> int:
    duration = float(os.environ.get("BENCH_DURATION", "60"))
    clients = int(os.environ.get("BENCH_CLIENTS", "20"))
    shared = os.environ.get("BENCH_SHARED_CASE", "") not in ("", "0")
    path = common.data_dir(NAME)
    status = 1
    try:
        status = _run(path, duration, clients, shared)
        return status
    finally:
        common.cleanup(path, failed=status != 0)


def _start_server(path: Path, port: int, log: Any) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DAYBOOK_DEBUG"}}
    env.update(HOST="127.0.0.1", PORT=str(port), DAYBOOK_DATA_DIR=str(path), DJANGO_SETTINGS_MODULE="daybook.settings")
    server = subprocess.Popen(["bash", "scripts/run.sh"], cwd=common.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ready_by = time.monotonic() + 90
    while time.monotonic() < ready_by:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped at start-up (exit {server.returncode}); see {log.name}")
        try:
            status, _, _ = Browser(port).request("GET", "/account/login/")
        except OSError:
            time.sleep(0.25)
            continue
        if status == 200:
            return server
        _stop_server(server)
        raise RuntimeError(f"the sign-in page answered HTTP {status}; see {log.name}")
        time.sleep(0.25)
    _stop_server(server)
    raise RuntimeError("the server did not answer within 90 s")


def _stop_server(server: subprocess.Popen) -> None:
    """Stop the process group this benchmark started (scripts/run.sh, gunicorn and its workers, the task worker)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _run(path: Path, duration: float, n_clients: int, shared: bool) -> int:
    common.setup_django(path)
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.db import connections  # noqa: PLC0415

    from cases.models import Case  # noqa: PLC0415
    from cases.services import create_case  # noqa: PLC0415
    from chain import verification  # noqa: PLC0415
    from diary.models import Incident  # noqa: PLC0415
    from kernel import localtime  # noqa: PLC0415

    User = get_user_model()  # noqa: N806
    accounts = []
    for i in range(1 if shared else n_clients):
        email = f"bench{i:02d}@example.com"
        password = f"a long benchmark passphrase number {i:02d}"
        user = User.objects.create_user(username=f"bench{i:02d}", email=email, password=password)
        case = create_case(user, label=f"Load {i:02d}", relationship="unknown")
        accounts.append((email, password, case.pk))
    connections.close_all()  # hold no connection to the database while the server runs

    port = free_port()
    log_path = path / "server.log"
    print(f"Quick-capture load: {n_clients} clients for {duration:.0f} s, {'one shared case' if shared else 'one account and case each'}; data in {path}")
    print(f"Machine: {common.machine()}; load average {common.load()}; revision {common.revision()}")
    print(
        f"Server: bash scripts/run.sh on 127.0.0.1:{port} (gunicorn gthread, workers={os.environ.get('DAYBOOK_WEB_WORKERS', '3')}, "
        f"threads={os.environ.get('DAYBOOK_WEB_THREADS', '4')}); log {log_path}"
    )
    stats = Stats()
    with open(log_path, "w") as log:
        server = _start_server(path, port, log)
        try:
            barrier = threading.Barrier(n_clients + 1)
            deadline = [float("inf")]
            lock = threading.Lock()
            # At most 4 sign-ins in flight: allauth counts each attempt against "login_failed" (10/m per IP,
            # 5/15m per account) until the passphrase is checked, so 20 at once from 127.0.0.1 can be refused.
            sign_in_lock = threading.BoundedSemaphore(4)
            tz = localtime.local_tz()
            threads = [
                threading.Thread(target=client, args=(i, port, *accounts[i % len(accounts)], tz, barrier, deadline, stats, lock, sign_in_lock))
                for i in range(n_clients)
            ]
            for t in threads:
                t.start()
            started = time.monotonic()
            barrier.wait()  # every client has signed in
            print(f"  {n_clients} clients signed in through the form in {time.monotonic() - started:.1f} s")
            began = time.monotonic()
            deadline[0] = began + duration
            for t in threads:
                t.join()
            elapsed = time.monotonic() - began
        finally:
            _stop_server(server)
    text = log_path.read_text(errors="replace")
    locked = text.count("database is locked")
    tracebacks = text.count("Traceback (most recent call last)")
    statuses: dict[str, int] = {}
    for status in re.findall(r'" (\d{3}) ', text):
        statuses[status] = statuses.get(status, 0) + 1

    # Integrity after the run.
    intact = 0
    cases = list(Case.objects.filter(pk__in=[a[2] for a in accounts]))
    for case in cases:
        result = verification.verify(case)
        intact += result.ok
        if not result.ok:
            print(f"  case {case.pk}: chain BROKEN: {result.problem}")
    stored = Incident.objects.filter(case__in=cases).count()
    chain_ok = intact == len(cases)
    errors = len(stats.errors) + locked + (0 if stored == stats.created else abs(stored - stats.created))

    print()
    print(
        f"  quick-capture POSTs {len(stats.posts)} in {elapsed:.1f} s ({len(stats.posts) / elapsed:.1f}/s); "
        f"302 to the saved note: {stats.created}; incidents in the database: {stored}"
    )
    print(
        f"  POST latency ms: p50 {common.percentile(stats.posts, 50):.0f}, p95 {common.percentile(stats.posts, 95):.0f}, "
        f"p99 {common.percentile(stats.posts, 99):.0f}, max {max(stats.posts, default=0):.0f}"
    )
    print(
        f"  GET /quick/ latency ms: p50 {common.percentile(stats.gets, 50):.0f}, p95 {common.percentile(stats.gets, 95):.0f}, "
        f"max {max(stats.gets, default=0):.0f}"
    )
    print(f"  sign-in ms (through the form, 4 at a time): median {common.median(stats.logins or [0]):.0f}, max {max(stats.logins, default=0):.0f}")
    print(f"  client errors {len(stats.errors)}; server log: 'database is locked' x{locked}, tracebacks x{tracebacks}, statuses {statuses}")
    for line in sorted(set(stats.errors))[:10]:
        print(f"    {line} (x{stats.errors.count(line)})")
    print(f"  chains intact: {intact}/{len(cases)}; load average now {common.load()}")
    print()
    print(
        common.result_line(
            NAME,
            requests=len(stats.posts),
            errors=errors,
            p50_ms=round(common.percentile(stats.posts, 50), 1),
            p95_ms=round(common.percentile(stats.posts, 95), 1),
            rps=round(len(stats.posts) / elapsed, 1),
            get_p95_ms=round(common.percentile(stats.gets, 95), 1),
            db_locked=locked,
            chains_intact=f"{intact}/{len(cases)}",
            clients=n_clients,
            duration_s=round(elapsed, 1),
        )
    )
    return 0 if errors == 0 and chain_ok else 1
