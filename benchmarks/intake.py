"""Intake benchmark (issue 14): the police API through the real server, a 100 000-row daily file, the triage queue.

* ``api_rps``, ``api_p95_ms``, ``api_errors``: 8 concurrent senders (each its own credential, as forces are) send
  referrals and, for every third one, an update of it, for 60 s to the server started exactly as ``make run``
  starts it (``bash scripts/run.sh``: gunicorn). An error is any answer but 201, 200 (repeat or update) and 429.
* ``s_feed_100k``: a 100 000-row CSV from the synthetic feed generator (casework/feedgen.py, one bad row in a
  hundred) checked and stored sealed, then validated and stored row by row by the background task's code
  (casework/feedjobs.py), as the intake role's upload is.
* ``ms_queue_1k``, ``ms_queue_100k``, ``ratio_queue_100k_1k``: the first page of the triage queue (median of 15,
  through Django's test client, signed in with two-step verification) for an organisation with 1 000 referrals
  waiting and one with 100 000.

Environment: BENCH_DURATION (60), BENCH_SENDERS (8), BENCH_FEED_ROWS (100000), BENCH_SKIP_API (skip the server),
BENCH_FEED_ONLY (only the daily files: no queue pages, no server; the RESULT line has ``s_feed_100k`` only).
"""

from __future__ import annotations

import http.client
import json
import os
import threading
import time
from pathlib import Path

from benchmarks import common
from benchmarks.quickcapture_load import _start_server, _stop_server, free_port

NAME = "intake"


def main() -> int:
    path = common.data_dir(NAME)
    status = 1
    try:
        status = _run(path)
        return status
    finally:
        common.cleanup(path, failed=status != 0)


def _setup() -> dict:
    import datetime as dt  # noqa: PLC0415

    from organisations.models import DataSharingAgreement, LawfulBasis, Role  # noqa: PLC0415
    from organisations.services import api_credential_issue  # noqa: PLC0415
    from organisations.testing import make_org, make_staff  # noqa: PLC0415

    def org_with(name: str, slug: str, senders: int) -> dict:
        org = make_org(name, "ENG", slug)
        agreement = DataSharingAgreement.objects.create(
            organisation=org, name=f"{name} police protocol", partner="Kent Police", lawful_basis=LawfulBasis.PUBLIC_TASK, starts_on=dt.date(2024, 1, 1)
        )
        creds = [api_credential_issue(organisation=org, agreement=agreement, sender=f"Sender {i}", force="Kent Police") for i in range(senders)]
        return {"org": org, "creds": creds, "intake": make_staff(org, Role.INTAKE, f"{name} intake"), "lead": make_staff(org, Role.TEAM_LEAD, f"{name} lead")}

    return {"small": org_with("Small Hub", "small", 1), "big": org_with("Big Hub", "big", 1), "api": org_with("Api Hub", "api", 8)}


def _feed(world: dict, rows: int, seed: int) -> tuple[float, object]:
    """The whole path of the intake role's upload: the file checked and stored sealed (casework/feedjobs.py
    ``feed_receive``), then read by the worker (``feed_process``, called here as the worker would)."""
    from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: PLC0415

    from casework import feedgen, feedjobs  # noqa: PLC0415
    from casework.models import FeedUpload  # noqa: PLC0415
    from casework.testing import staff_of  # noqa: PLC0415

    data = feedgen.as_csv(feedgen.generate(rows, seed=seed, bad_every=100))
    file = SimpleUploadedFile("feed.csv", data, content_type="text/csv")
    queued: list = []
    enqueue, feedjobs.enqueue = feedjobs.enqueue, queued.append  # the benchmark is the worker
    try:
        started = time.perf_counter()
        upload = feedjobs.feed_receive(staff=staff_of(world["intake"]), credential=world["creds"][0][0], upload=file, file_format="csv")
        stored = time.perf_counter() - started
        status = feedjobs.feed_process(upload.pk)
        elapsed = time.perf_counter() - started
    finally:
        feedjobs.enqueue = enqueue
    if status != "done":
        raise RuntimeError(f"the daily file ended {status}")
    print(f"    stored sealed in {stored:.2f} s, then read by the worker")
    return elapsed, FeedUpload.objects.get(pk=upload.pk)


def _queue_ms(world: dict, repeats: int = 15) -> float:
    from organisations.testing import signed_in  # noqa: PLC0415

    web = signed_in(world["lead"].user)
    slug = world["org"].slug
    times = []
    for _ in range(repeats + 2):
        started = time.perf_counter()
        response = web.get(f"/staff/{slug}/queue/", REMOTE_ADDR="127.0.0.1", HTTP_HOST="localhost")
        times.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"the queue page answered {response.status_code}")
    return common.median(times[2:])


def _sender(i: int, port: int, token: str, deadline: list[float], barrier: threading.Barrier, out: dict, lock: threading.Lock) -> None:
    latencies: list[float] = []
    errors = 0
    n = 0
    barrier.wait()
    while time.monotonic() < deadline[0]:
        n += 1
        ref = f"KP/{i}/{n:07d}"
        body = {"crime_reference": ref, "consent": "opt_out_notice", "full_name": f"Load Person {i} {n}", "phones": ["07700 900123"], "offences": ["stalking"]}
        calls = [("/api/v1/referrals", body)]
        if n % 3 == 0:
            sent = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
            calls.append(
                ("/api/v1/updates", {"crime_reference": ref, "full_name": body["full_name"], "kind": "new_officer", "sent_at": sent, "officer": "PC 1"})
            )
        for url, payload in calls:
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("POST", url, json.dumps(payload), {"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                status = conn.getresponse().status
                conn.close()
            except OSError:
                status = 0
            latencies.append((time.perf_counter() - started) * 1000)
            if status not in (200, 201, 429):
                errors += 1
    with lock:
        out["latencies"].extend(latencies)
        out["errors"] += errors


def _api(path: Path, world: dict, duration: float, senders: int) -> dict:
    from django.db import connections  # noqa: PLC0415

    tokens = [token for _, token in world["creds"]][:senders]
    connections.close_all()
    port = free_port()
    out: dict = {"latencies": [], "errors": 0}
    os.environ["DAYBOOK_API_RATE_PER_MINUTE"] = "100000"
    with open(path / "server.log", "w") as log:
        server = _start_server(path, port, log)
        try:
            barrier = threading.Barrier(senders + 1)
            deadline = [float("inf")]
            lock = threading.Lock()
            threads = [threading.Thread(target=_sender, args=(i, port, tokens[i % len(tokens)], deadline, barrier, out, lock)) for i in range(senders)]
            for t in threads:
                t.start()
            barrier.wait()
            began = time.monotonic()
            deadline[0] = began + duration
            for t in threads:
                t.join()
            elapsed = time.monotonic() - began
        finally:
            _stop_server(server)
    lat = out["latencies"]
    return {"api_rps": len(lat) / elapsed, "api_p95_ms": common.percentile(lat, 95) if lat else 0.0, "api_errors": out["errors"], "api_calls": len(lat)}


def _run(path: Path) -> int:
    duration = float(os.environ.get("BENCH_DURATION", "60"))
    senders = int(os.environ.get("BENCH_SENDERS", "8"))
    rows = int(os.environ.get("BENCH_FEED_ROWS", "100000"))
    common.setup_django(path)
    print(f"Intake: {senders} API senders for {duration:.0f} s; a {rows}-row daily file; the queue at 1k and {rows // 1000}k; data in {path}")
    print(f"Machine: {common.machine()}; load average {common.load()}; revision {common.revision()}")
    world = _setup()
    small_s, small = _feed(world["small"], 1000, seed=1)
    print(f"  1 000-row file: {small_s:.1f} s ({small.created} new, {small.rejected} rejected)")  # type: ignore[attr-defined]
    feed_s, big = _feed(world["big"], rows, seed=2)
    print(f"  {rows}-row file: {feed_s:.1f} s ({big.created} new, {big.rejected} rejected)")  # type: ignore[attr-defined]
    if os.environ.get("BENCH_FEED_ONLY"):
        print(common.result_line(NAME, s_feed_100k=feed_s))
        return 0 if feed_s < 60 else 1
    q1 = _queue_ms(world["small"])
    q100 = _queue_ms(world["big"])
    print(f"  queue page: {q1:.1f} ms at 1k, {q100:.1f} ms at {rows // 1000}k")
    figures = {"s_feed_100k": feed_s, "ms_queue_1k": q1, "ms_queue_100k": q100, "ratio_queue_100k_1k": q100 / q1}
    if not os.environ.get("BENCH_SKIP_API"):
        api = _api(path, world["api"], duration, senders)
        print(f"  API: {api.pop('api_calls')} calls")
        figures = {**api, **figures}
    print(common.result_line(NAME, **figures))
    ok = figures.get("api_errors", 0) == 0 and feed_s < 60 and figures["ratio_queue_100k_1k"] <= 1.5
    return 0 if ok else 1
