"""Returns benchmark: server time of a year's commissioners' return (the page, through Django's full stack) for an
organisation with 10 000 and with 100 000 clients, and the growth from one to the other.

* One throwaway SQLite database; the return reads only the anonymised fact table (governance/returns.py), so the
  facts are written directly with ``bulk_create``: per client one referral fact spread over the year (sources,
  offences, risks, deadlines, waits, repeats, interpreters varied), plus one safeguarding, onward, outcome or
  complaint fact for every fifth client.
* A signed-in organisation admin with two-step verification; 2 warm-up requests, then BENCH_REPEATS (5) rounds;
  medians. Bars from issue 16: s_returns_10k and s_returns_100k under 10, growth_returns_100k_10k at most 12.

Environment: BENCH_SIZES (default 10000,100000), BENCH_REPEATS (5), BENCH_KEEP=1 to keep the data.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time

from benchmarks import common

NAME = "returns"


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",") if s.strip()]
    repeats = int(os.environ.get("BENCH_REPEATS", "5"))
    path = common.data_dir(NAME)
    try:
        return _run(sizes, repeats, path)
    finally:
        common.cleanup(path)


def _facts(org_id: int, n: int, year: int) -> int:
    from governance.models import Fact, FactKind  # noqa: PLC0415

    rng = random.Random(n)
    sources = ["police_api", "police_file", "self", "organisation", "professional", "helpline", "staff_call"]
    offences = ["stalking", "harassment", "malicious_communications", "threats", "other"]
    risks = ["high", "medium", "standard", "unknown"]
    start = dt.date(year, 1, 1)
    batch: list[Fact] = []
    written = 0
    for i in range(n):
        on = start + dt.timedelta(days=rng.randrange(365))
        contact = rng.random()
        batch.append(
            Fact(
                organisation_id=org_id,
                kind=FactKind.REFERRAL,
                key=f"{org_id}-r-{i}",
                on=on,
                source=rng.choice(sources),
                offences=rng.sample(offences, rng.randint(1, 2)),
                accepted=rng.random() < 0.8,
                risk=rng.choice(risks),
                attempt_in_time=None if contact < 0.05 else contact < 0.85,
                contact_in_time=None if contact < 0.2 else contact < 0.75,
                wait_days=None if contact < 0.2 else rng.randrange(15),
                repeat=rng.random() < 0.15,
                interpreter=rng.random() < 0.07,
            )
        )
        if i % 5 == 0:
            kind = rng.choice([FactKind.SAFEGUARDING, FactKind.ONWARD, FactKind.OUTCOMES, FactKind.FEEDBACK])
            sub = {
                FactKind.SAFEGUARDING: rng.choice(["children", "mash", "adults"]),
                FactKind.ONWARD: rng.choice(["organisation", "marac", "masip"]),
                FactKind.OUTCOMES: rng.choice(["start", "exit"]),
                FactKind.FEEDBACK: rng.choice(["complaint:upheld", "complaint:not_upheld", "compliment:thanked"]),
            }[kind]
            measures = {k: rng.randint(1, 5) for k in ("safe", "cope", "health", "informed", "supported")} if kind == FactKind.OUTCOMES else {}
            batch.append(Fact(organisation_id=org_id, kind=kind, key=f"{org_id}-x-{i}", on=on, sub=sub, measures=measures))
        if len(batch) >= 5000:
            Fact.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    Fact.objects.bulk_create(batch)
    return written + len(batch)


def _run(sizes: list[int], repeats: int, path: object) -> int:
    common.setup_django(path)  # type: ignore[arg-type]
    from organisations.models import Role  # noqa: PLC0415
    from organisations.testing import make_org, make_staff, signed_in  # noqa: PLC0415

    year = dt.date.today().year - 1
    urls: dict[int, tuple[object, str]] = {}
    for n in sizes:
        org = make_org(f"Bench Hub {n}", "ENG", f"bench{n}")
        admin = make_staff(org, Role.ORG_ADMIN, f"Bench Admin {n}")
        started = time.perf_counter()
        written = _facts(org.pk, n, year)
        print(f"size {n}: {written} facts written in {time.perf_counter() - started:.1f} s", flush=True)
        http = signed_in(admin.user)
        http.defaults["HTTP_HOST"] = "127.0.0.1"
        urls[n] = (http, f"/staff/bench{n}/returns/?start={year}-01-01&end={year}-12-31")
    for n in sizes:
        http, url = urls[n]
        for _ in range(2):
            assert http.get(url).status_code == 200  # type: ignore[attr-defined]
    samples: dict[int, list[float]] = {n: [] for n in sizes}
    for _ in range(repeats):
        for n in sizes:
            http, url = urls[n]
            started = time.perf_counter()
            response = http.get(url)  # type: ignore[attr-defined]
            samples[n].append(time.perf_counter() - started)
            assert response.status_code == 200 and b"Referrals by source" in response.content
    med = {n: common.median(samples[n]) for n in sizes}
    for n in sizes:
        print(f"a year's return, {n} clients: median {med[n]:.3f} s")
    small, large = min(sizes), max(sizes)
    figures = {f"s_returns_{_k(n)}": f"{med[n]:.3f}" for n in sizes}
    figures[f"growth_returns_{_k(large)}_{_k(small)}"] = f"{med[large] / med[small]:.2f}"
    print(common.result_line(NAME, **figures))
    return 0


def _k(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)
