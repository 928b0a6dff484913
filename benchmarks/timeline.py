"""Timeline benchmark: server time for the FIRST timeline page of a case with 1 000, 10 000 and 100 000 incidents.

Bar (docs/design brief, section 5): the time at 100 000 incidents is at most 1.5x the time at 1 000.

* One throwaway SQLite database (DAYBOOK_DATA_DIR in a temp folder, settings ``daybook.settings``, migrated)
  holding three cases, one per size, each with its own owner; rows made by benchmarks/generate.py.
* Each request is ``GET /cases/<id>/timeline/`` through Django's full request stack (every middleware,
  session and user-session writes, the view, template rendering) with ``django.test.Client`` and
  ``force_login``, in process, so no network or server-process time is included.
* After 3 warm-up requests per size, BENCH_REPEATS (15) rounds, one request per size per round, so
  drift hits every size alike; the figure is the median.
* Also measured, directly: the selectors the view calls, and each SQL statement's time per request.

Environment: BENCH_SIZES (default 1000,10000,100000), BENCH_REPEATS (15), BENCH_YEARS (4),
BENCH_VERIFY_ALL=1 to verify every case's chain (the 1k case is always verified), BENCH_KEEP=1 to keep the data.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from typing import Any

from benchmarks import common

NAME = "timeline"


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


class QueryTimer:
    """Times every SQL statement run while active (``connection.execute_wrapper``)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, float]] = []

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.rows.append((sql, (time.perf_counter() - start) * 1000))


def _short(sql: str) -> str:
    sql = " ".join(sql.split())
    if sql.startswith("SELECT"):
        frm = sql.find(" FROM ")
        where = sql.find(" WHERE ")
        head = sql[frm + 6 : (where if where > 0 else frm + 60)].split(" ")[0].strip('"')
        tail = sql[where + 7 :][:70] if where > 0 else ""
        agg = "COUNT " if "COUNT(" in sql[:frm] else "SUM " if "SUM(" in sql[:frm] else ""
        return f"SELECT {agg}{head} WHERE {tail}"
    return sql[:90]


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",") if s.strip()]
    repeats = int(os.environ.get("BENCH_REPEATS", "15"))
    years = float(os.environ.get("BENCH_YEARS", "4"))
    path = common.data_dir(NAME)
    status = 1
    try:
        status = _run(path, sizes, repeats, years)
        return status
    finally:
        common.cleanup(path, failed=status != 0)


def _run(path: Any, sizes: list[int], repeats: int, years: float) -> int:
    common.setup_django(path)
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from benchmarks.generate import generate_case, self_check  # noqa: PLC0415
    from cases.models import Case  # noqa: PLC0415
    from chain import verification  # noqa: PLC0415
    from diary import selectors  # noqa: PLC0415

    print(f"Timeline benchmark: SQLite database in {path}; sizes {sizes}; {repeats} measured requests per size.")
    print(f"Machine: {common.machine()}; load average {common.load()}; revision {common.revision()}")
    User = get_user_model()  # noqa: N806
    # A bigger page cache while generating only (hundreds of MB of random-order index inserts);
    # set back to SQLite's default before anything is measured.
    connection.cursor().execute("PRAGMA cache_size=-262144")
    cases: dict[int, Case] = {}
    for n in sizes:
        owner = User.objects.filter(username=f"bench{n}").first()
        existing = Case.objects.filter(owner=owner).first() if owner else None
        if existing and existing.incident_seq == n:
            cases[n] = existing
            print(f"  reusing the case with {n} incidents")
            continue
        owner = owner or User.objects.create_user(username=f"bench{n}", email=f"bench{n}@example.com", password=None)
        start = time.perf_counter()
        cases[n] = generate_case(owner, n, years=years, progress=n >= 50_000)
        print(f"  generated {n:>7} incidents in {time.perf_counter() - start:6.1f} s")
    connection.cursor().execute("PRAGMA cache_size=-2000")

    # The generated rows are what the services write: check it.
    for n, case in cases.items():
        if n == min(sizes) or os.environ.get("BENCH_VERIFY_ALL"):
            start = time.perf_counter()
            result = verification.verify(case)
            problems = self_check(case)
            print(
                f"  verify {n:>7}: ok={result.ok} entries={result.entries} {result.problem} "
                f"({time.perf_counter() - start:.1f} s); self-check: {problems or 'matches the services'}"
            )
            assert result.ok, result.problem
            assert not problems, problems

    clients = {}
    for n, case in cases.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(case.owner)
        clients[n] = client

    cpu: dict[int, list[float]] = defaultdict(list)

    def request(n: int) -> tuple[float, Any]:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = clients[n].get(f"/cases/{cases[n].pk}/timeline/")
        elapsed = (time.perf_counter() - start) * 1000
        cpu[n].append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        return elapsed, response

    for n in sizes:
        for _ in range(3):
            _, response = request(n)
        body = response.content.decode()
        assert f"{n:,} incidents in this case" in body or f"{n} incidents in this case" in body, "total not shown"
        assert body.count('class="db-incident') >= selectors.PAGE_SIZE, "first page is not full"

    cpu.clear()
    times: dict[int, list[float]] = defaultdict(list)
    queries: dict[int, dict[str, list[float]]] = {n: defaultdict(list) for n in sizes}
    counts: dict[int, int] = {}
    for _ in range(repeats):
        for n in sizes:
            timer = QueryTimer()
            with connection.execute_wrapper(timer):
                elapsed, _ = request(n)
            times[n].append(elapsed)
            counts[n] = len(timer.rows)
            seen: dict[str, int] = defaultdict(int)
            for sql, ms in timer.rows:
                key = _short(sql)
                seen[key] += 1
                queries[n][f"{key} #{seen[key]}" if seen[key] > 1 else key].append(ms)

    # The selectors on their own (same process, warm).
    parts: dict[int, dict[str, float]] = {}
    for n, case in cases.items():
        fresh = Case.objects.get(pk=case.pk)
        calls = {
            "timeline_page": lambda c=fresh: selectors.timeline_page(c, {}),
            "weekly_counts": lambda c=fresh: selectors.weekly_counts(c),
            "total_incidents": lambda c=fresh: selectors.total_incidents(c),
            "needing_detail": lambda c=fresh: selectors.needing_detail(c),
        }
        parts[n] = {}
        for label, call in calls.items():
            call()
            samples = []
            for _ in range(repeats):
                start = time.perf_counter()
                call()
                samples.append((time.perf_counter() - start) * 1000)
            parts[n][label] = common.median(samples)

    print()
    print("First timeline page, GET through django.test.Client (full middleware + view + template), ms:")
    print(f"  {'incidents':>9}  {'median':>8}  {'min':>8}  {'max':>8}  {'cpu med':>8}  {'queries':>7}")
    for n in sizes:
        print(f"  {n:>9}  {common.median(times[n]):8.2f}  {min(times[n]):8.2f}  {max(times[n]):8.2f}  {common.median(cpu[n]):8.2f}  {counts[n]:>7}")
    print(f"  (cpu med = median CPU time of this process per request; load average now {common.load()})")
    print()
    print("Selectors called by the view (median ms, called directly):")
    print("  " + f"{'incidents':>9}" + "".join(f"  {k:>15}" for k in parts[sizes[0]]))
    for n in sizes:
        print("  " + f"{n:>9}" + "".join(f"  {v:15.3f}" for v in parts[n].values()))
    print()
    print("SQL statements per request (median ms):")
    keys = list(queries[sizes[0]])
    for key in keys:
        cells = "".join(f"  {common.median(queries[n].get(key, [0.0])):8.3f}" for n in sizes)
        print(f"  {cells}  {key}")
    print("  " + "".join(f"  {_label(n):>8}" for n in sizes))

    print()
    print("Query plans:")
    big = cases[max(sizes)]
    from diary.models import Incident, WeekCount  # noqa: PLC0415

    for label, qs in {
        "timeline_page": Incident.objects.filter(case=big).order_by("-occurred_at", "-id").select_related("crime_reference", "breached_order")[:26],
        "needing_detail": Incident.objects.filter(case=big, needs_detail=True, retracted=False),
        "total_incidents": WeekCount.objects.filter(case=big),
    }.items():
        print(f"  {label}: {qs.explain()}".replace("\n", "\n      "))

    figures: dict[str, Any] = {f"ms_{_label(n)}": round(common.median(times[n]), 2) for n in sizes}
    if len(sizes) > 1:
        figures[f"ratio_{_label(max(sizes))}_{_label(min(sizes))}"] = round(common.median(times[max(sizes)]) / common.median(times[min(sizes)]), 2)
    for n in sizes:
        figures[f"cpu_ms_{_label(n)}"] = round(common.median(cpu[n]), 2)
    for n in sizes:
        figures[f"weekly_ms_{_label(n)}"] = round(parts[n]["weekly_counts"], 3)
        figures[f"total_ms_{_label(n)}"] = round(parts[n]["total_incidents"], 3)
        figures[f"needing_detail_ms_{_label(n)}"] = round(parts[n]["needing_detail"], 3)
    print()
    print(common.result_line(NAME, **figures))
    return 0
