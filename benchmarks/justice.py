"""Justice benchmark: server time of a client's risk, orders and referrals page, and of the due list, for a client
with 20 and with 2 000 suspect status changes and 2 000 risk assessments (each one chained, with its reminders).

* One throwaway SQLite database; rows written through the services (justice/orders.py, justice/risk.py), so every
  row has its chain entry, audit row and reminder, as in use.
* Each request goes through Django's full stack (``django.test.Client``, a staff session with two-step
  verification); 3 warm-up requests, then BENCH_REPEATS (15) rounds, one request per size per round; medians.
* The bar borrowed from the issue's client page: the large record's page at most 1.5x the small one's.

Environment: BENCH_SIZES (default 20,2000), BENCH_REPEATS (15), BENCH_KEEP=1 to keep the data.
"""

from __future__ import annotations

import os
import time

from benchmarks import common

NAME = "justice"


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "20,2000").split(",") if s.strip()]
    repeats = int(os.environ.get("BENCH_REPEATS", "15"))
    path = common.data_dir(NAME)
    try:
        return _run(sizes, repeats, path)
    finally:
        common.cleanup(path)


def _run(sizes: list[int], repeats: int, path: object) -> int:
    common.setup_django(path)  # type: ignore[arg-type]
    from casework.testing import staff_of  # noqa: PLC0415
    from justice import orders, risk  # noqa: PLC0415
    from justice.rules import today  # noqa: PLC0415
    from justice.testing import allocated_client  # noqa: PLC0415
    from organisations.models import Role  # noqa: PLC0415
    from organisations.testing import make_org, make_staff, signed_in  # noqa: PLC0415

    org = make_org("Bench Hub", "ENG", "bench")
    lead = make_staff(org, Role.TEAM_LEAD, "Bench Lead")
    worker = make_staff(org, Role.CASEWORKER, "Bench Worker")
    staff = staff_of(worker)
    clients = {}
    for n in sizes:
        start = time.perf_counter()
        client = allocated_client(lead, worker, full_name=f"Client Of {n}", domestic_abuse=True)
        for i in range(n):
            orders.status_record(staff=staff, client=client, state="arrested" if i % 2 else "released", on=today(), note=f"change {i}")
            risk.assessment_record(
                staff=staff,
                client=client,
                instrument="sdash-2009",
                answers={"SDASH-01": "yes"},
                level="high",
                judgement=f"Assessment number {i}, still high.",
                domestic=True,
            )
        clients[n] = client
        print(f"size {n}: {2 * n} chained rows written in {time.perf_counter() - start:.1f} s", flush=True)
    http = signed_in(worker.user)
    http.defaults["HTTP_HOST"] = "127.0.0.1"  # an allowed host, as the other benchmarks use
    urls = {n: f"/staff/bench/clients/{c.pk}/justice/" for n, c in clients.items()}
    for n in sizes:
        for _ in range(3):
            assert http.get(urls[n]).status_code == 200
    samples: dict[int, list[float]] = {n: [] for n in sizes}
    due: list[float] = []
    for _ in range(repeats):
        for n in sizes:
            start = time.perf_counter()
            response = http.get(urls[n])
            samples[n].append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
        start = time.perf_counter()
        assert http.get("/staff/bench/due/").status_code == 200
        due.append((time.perf_counter() - start) * 1000)
    med = {n: common.median(samples[n]) for n in sizes}
    for n in sizes:
        print(f"justice page, {n} status changes and {n} assessments: median {med[n]:.1f} ms")
    print(f"due list ({sum(sizes)} open risk reviews among them): median {common.median(due):.1f} ms")
    small, large = min(sizes), max(sizes)
    ratio = med[large] / med[small]
    print(
        common.result_line(
            NAME,
            ms_client_small=f"{med[small]:.1f}",
            ms_client_large=f"{med[large]:.1f}",
            ratio_client_large_small=f"{ratio:.2f}",
            ms_due_list=f"{common.median(due):.1f}",
        )
    )
    return 0
