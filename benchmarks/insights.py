"""Insights benchmark: the pattern analysis of a case with 1 000, 10 000 and 100 000 incidents, and the overview page.

Bars (design brief, section 5): 10 000 incidents analysed in under 0.3 s; cost grows linearly (the time at 100 000
at most 12 times the time at 10 000).

* One throwaway SQLite database (DAYBOOK_DATA_DIR in a temp folder, settings ``daybook.settings``, migrated) with
  one case per size, each with its own owner; rows made by benchmarks/generate.py (the same rows the diary's
  services write: sealed text, versions, chain, index rows), spread over four years, escalating.
* ``s_<n>``: seconds for ``insights.selectors.case_analysis(case)``, everything the overview computes: the one
  query for the incidents' facts (no decryption), the orders, and every count, chart figure and finding.
  Median of BENCH_REPEATS (7) calls after one warm-up, sizes interleaved so drift hits each alike.
* ``cpu_s_<n>``: the same in CPU time of this process (less affected by other work on a shared machine), and
  ``load_cpu_s_<n>`` / ``analyse_cpu_s_<n>``: split into the query (clear_columns.load) and the plain-Python analysis.
* ``overview_ms_10k``: ``GET /cases/<id>/pattern/`` through Django's full stack (middleware, session, view,
  charts, template) with ``django.test.Client``, in process; median of BENCH_REPEATS requests after two warm-ups.

Environment: BENCH_SIZES (default 1000,10000,100000), BENCH_REPEATS (7), BENCH_YEARS (4), BENCH_KEEP=1 to keep the data,
BENCH_DATA_DIR to reuse a database between runs.
"""

from __future__ import annotations

import json
import os
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks import common
from kernel import localtime

NAME = "insights"


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",") if s.strip()]
    repeats = int(os.environ.get("BENCH_REPEATS", "7"))
    years = float(os.environ.get("BENCH_YEARS", "4"))
    path = common.data_dir(NAME)
    try:
        return _run(path, sizes, repeats, years)
    finally:
        common.cleanup(path)


def _ensure_insights_static() -> None:
    """The overview links insights/insights.css; make sure collectstatic's manifest has it."""
    from django.conf import settings  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415

    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    try:
        paths = json.loads(manifest.read_text()).get("paths", {})
    except (OSError, ValueError):
        paths = {}
    if "insights/insights.css" not in paths:
        print("The static manifest has no insights/insights.css yet: running collectstatic once.")
        call_command("collectstatic", interactive=False, verbosity=0)


def _median_cpu(call: Any, repeats: int) -> float:
    """Median CPU time of this process for ``call`` (the split below is in CPU time: less noisy on a busy machine)."""
    samples = []
    for _ in range(repeats):
        start = time.process_time()
        call()
        samples.append(time.process_time() - start)
    return common.median(samples)


def _run(path: Any, sizes: list[int], repeats: int, years: float) -> int:
    common.setup_django(path)
    _ensure_insights_static()
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.db import connection  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from benchmarks.generate import generate_case  # noqa: PLC0415
    from cases.models import Case  # noqa: PLC0415
    from insights import clear_columns, selectors  # noqa: PLC0415
    from insights.analysis import analyse  # noqa: PLC0415

    revision = common.revision() if hasattr(common, "revision") else "unknown"
    print(f"Insights benchmark: SQLite database in {path}; sizes {sizes}; {repeats} measured runs per size.")
    print(f"Machine: {common.machine()}; load average {common.load()}; revision {revision}")
    User = get_user_model()  # noqa: N806
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
    connection.cursor().execute("PRAGMA cache_size=-2000")  # SQLite's default, for the measurements

    today = localtime.today()
    total: dict[int, list[float]] = defaultdict(list)
    total_cpu: dict[int, list[float]] = defaultdict(list)
    for n, case in cases.items():  # warm-up, and a look at what was found
        a = selectors.case_analysis(case)
        assert a.total + a.retracted == n, (a.total, a.retracted, n)
        print(f"  {n:>7}: {a.total} incidents, {len(a.findings)} findings: {', '.join(f.key for f in a.findings)}")
    for _ in range(repeats):
        for n, case in cases.items():
            fresh = Case.objects.get(pk=case.pk)
            start, start_cpu = time.perf_counter(), time.process_time()
            selectors.case_analysis(fresh)
            total[n].append(time.perf_counter() - start)
            total_cpu[n].append(time.process_time() - start_cpu)

    load_s: dict[int, float] = {}
    analyse_s: dict[int, float] = {}
    for n, case in cases.items():
        loaded = clear_columns.load(case)
        load_s[n] = _median_cpu(lambda c=case: clear_columns.load(c), repeats)
        analyse_s[n] = _median_cpu(lambda f=loaded: analyse(f.facts, as_of=today, relationship="ex_partner", retracted=f.retracted), repeats)

    overview_ms: dict[int, float] = {}
    overview_cpu_ms: dict[int, float] = {}
    page_sizes: dict[int, int] = {}
    for n in sizes:
        if n > 10_000:
            continue
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(cases[n].owner)
        url = f"/cases/{cases[n].pk}/pattern/"
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
        body = response.content.decode()
        assert "What your diary shows" in body and body.count("<svg") >= 6, "overview incomplete"
        page_sizes[n] = len(response.content)
        samples, cpu_samples = [], []
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
            cpu_samples.append((time.process_time() - start_cpu) * 1000)
            assert response.status_code == 200
        overview_ms[n] = common.median(samples)
        overview_cpu_ms[n] = common.median(cpu_samples)

    print()
    print("Analysis of a whole case (insights.selectors.case_analysis), seconds:")
    print(f"  {'incidents':>9}  {'median':>8}  {'min':>8}  {'max':>8}  {'cpu med':>8}  {'query':>8}  {'analysis':>8}  {'us/incident':>11}")
    for n in sizes:
        med = common.median(total[n])
        row = f"  {n:>9}  {med:8.4f}  {min(total[n]):8.4f}  {max(total[n]):8.4f}  {common.median(total_cpu[n]):8.4f}"
        print(f"{row}  {load_s[n]:8.4f}  {analyse_s[n]:8.4f}  {1e6 * med / n:11.2f}")
    print("  (median = wall-clock; cpu med = this process's CPU time, less affected by other work on the machine;")
    print("   query = clear_columns.load, the one SELECT and building the facts; analysis = analysis.analyse on loaded facts;")
    print("   both in CPU time)")
    print()
    print("Overview page, GET /cases/<id>/pattern/ through django.test.Client (middleware + view + charts + template):")
    for n, ms in overview_ms.items():
        print(f"  {n:>9} incidents: {ms:8.1f} ms median ({overview_cpu_ms[n]:.1f} ms CPU), page {page_sizes[n] / 1024:.0f} KiB")
    print(f"  (load average now {common.load()})")

    figures: dict[str, Any] = {f"s_{_label(n)}": round(common.median(total[n]), 4) for n in sizes}
    if 10_000 in total and 100_000 in total:
        figures["growth_100k_10k"] = round(common.median(total[100_000]) / common.median(total[10_000]), 2)
    for n in sizes:
        figures[f"cpu_s_{_label(n)}"] = round(common.median(total_cpu[n]), 4)
    if 10_000 in total and 100_000 in total:
        figures["cpu_growth_100k_10k"] = round(common.median(total_cpu[100_000]) / common.median(total_cpu[10_000]), 2)
    for n in sizes:
        figures[f"load_cpu_s_{_label(n)}"] = round(load_s[n], 4)
        figures[f"analyse_cpu_s_{_label(n)}"] = round(analyse_s[n], 4)
    for n, ms in overview_ms.items():
        figures[f"overview_ms_{_label(n)}"] = round(ms, 1)
        figures[f"overview_cpu_ms_{_label(n)}"] = round(overview_cpu_ms[n], 1)
    if 10_000 in total:
        figures["bar_s_10k"] = "pass" if common.median(total[10_000]) < 0.3 else "FAIL"
    if "growth_100k_10k" in figures:
        figures["bar_growth"] = "pass" if figures["growth_100k_10k"] <= 12 else "FAIL"
    figures["load_avg"] = common.load().split()[0]
    print()
    print(common.result_line(NAME, **figures))
    return 0
