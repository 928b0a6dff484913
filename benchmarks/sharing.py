"""Sharing benchmark: the first timeline page of a 10 000-incident diary, read by its owner
(``/cases/<id>/timeline/``) and by an advocate through a share (``/staff/<org>/clients/<id>/diary/<share>/``).

Bar (issue 17): ``ratio_advocate_owner`` at most 1.3: the staff gate, the one access policy and the access record
must cost little. Both requests go through Django's full stack in process (``django.test.Client``), interleaved
round by round after 3 warm-ups each; the figures are medians. Environment: BENCH_SIZE (10000), BENCH_REPEATS (15).
The export and import figures of the issue (``s_export_10k``, ``s_import_10k``, ``rss_delta_mib``) are measured
by the ``takeout`` benchmark (benchmarks/takeout.py).
"""

from __future__ import annotations

import os
import time
from typing import Any

from benchmarks import common

NAME = "sharing"


def main() -> int:
    path = common.data_dir(NAME)
    status = 1
    try:
        status = _run(path, int(os.environ.get("BENCH_SIZE", "10000")), int(os.environ.get("BENCH_REPEATS", "15")))
        return status
    finally:
        common.cleanup(path, failed=status != 0)


def _run(path: Any, size: int, repeats: int) -> int:
    common.setup_django(path)
    from django.contrib.auth import get_user_model  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from benchmarks.generate import generate_case  # noqa: PLC0415
    from casework.testing import make_referral  # noqa: PLC0415
    from circle import shares  # noqa: PLC0415
    from circle.scope import Scope  # noqa: PLC0415
    from organisations.models import Role  # noqa: PLC0415
    from organisations.testing import make_org, make_staff, signed_in  # noqa: PLC0415

    print(f"Sharing benchmark: SQLite in {path}; {size} incidents; {repeats} measured requests each.")
    print(f"Machine: {common.machine()}; load average {common.load()}; revision {common.revision()}")
    owner = get_user_model().objects.create_user(username="bench", email="bench@example.com", password=None)
    start = time.perf_counter()
    case = generate_case(owner, size, years=4)
    print(f"  generated {size} incidents in {time.perf_counter() - start:.1f} s")
    org = make_org("Bench Advocacy", "ENG", "bench")
    advocate = make_staff(org, Role.CASEWORKER, "Ava Advocate")
    lead = make_staff(org, Role.TEAM_LEAD, "Lee Lead")
    client = make_referral(lead, full_name="Bench Person").client
    client.allocated_to = advocate
    client.save(update_fields=["allocated_to"])
    share = shares._new_share(owner, case, client, "code", Scope(diary=True))

    as_owner = Client(HTTP_HOST="127.0.0.1")
    as_owner.force_login(owner)
    as_advocate = signed_in(advocate.user)
    as_advocate.defaults["HTTP_HOST"] = "127.0.0.1"
    urls = {"owner": (as_owner, f"/cases/{case.pk}/timeline/"), "advocate": (as_advocate, f"/staff/bench/clients/{client.pk}/diary/{share.uuid}/")}
    times: dict[str, list[float]] = {k: [] for k in urls}

    def hit(who: str) -> float:
        browser, url = urls[who]
        t0 = time.perf_counter()
        response = browser.get(url)
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 200, (who, response.status_code)
        return elapsed

    for _ in range(3):
        for who in urls:
            hit(who)
    for _ in range(repeats):
        for who in urls:
            times[who].append(hit(who))
    owner_ms, advocate_ms = common.median(times["owner"]), common.median(times["advocate"])
    label = f"{size // 1000}k"
    print(f"  owner    p50 {owner_ms:.1f} ms (p90 {common.percentile(times['owner'], 90):.1f})")
    print(f"  advocate p50 {advocate_ms:.1f} ms (p90 {common.percentile(times['advocate'], 90):.1f})")
    ratio = advocate_ms / owner_ms
    print(f"  ratio advocate/owner {ratio:.2f} (bar: at most 1.3)")
    print(common.result_line(NAME, **{f"ms_owner_{label}": owner_ms, f"ms_advocate_{label}": advocate_ms, "ratio_advocate_owner": ratio}))
    return 0
