"""Import benchmark: parse and import 200 000 WhatsApp messages and 200 000 SMS records (``make bench B=import``).

Bars (issue 6): each under 30 s; memory bounded (peak RSS of the same order at 20 000 and 200 000 records).

* One throwaway data folder and SQLite database (DAYBOOK_DATA_DIR in a temp folder, settings ``daybook.settings``,
  migrated), one case per run. Exports are written by ``imports.synthetic`` (streamed to disk, not timed), then
  sealed into the evidence locker with ``evidence.services.ingest`` (streamed from the file in 1 MiB chunks).
* ``s_whatsapp_<n>`` / ``s_sms_<n>``: seconds for the person's whole wait after the upload, through the service
  functions the pages and the background task call: ``services.start`` (detect), ``services.scan`` (one streamed
  pass: participants and counts), ``services.choose`` (the most active sender is the suspect) and ``services.run``
  (parse again, seal and store every record in bulk, flags, bursts, one incident per day per channel recorded with
  ``diary.services.create_incidents``, links). After each run the case's hash chain is verified (not timed).
  ``ingest_s_*`` is the sealing of the upload itself, shown apart.
* ``peak_rss_mib``: the process's peak resident memory after the 200 000-record runs; ``peak_rss_mib_20k`` the same
  after the 20 000-record runs (they run first, in the same process); ``growth_200k_20k`` their ratio.

Environment: BENCH_SIZES (default 20000,200000), BENCH_KEEP=1 to keep the data, BENCH_DATA_DIR to reuse a folder.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import time
from pathlib import Path
from typing import Any

from benchmarks import common

NAME = "import"
SMS_START = dt.datetime(2011, 3, 1, 7, 0, tzinfo=dt.UTC)  # the synthetic SMS backup spreads 200 000 records over 12.8 years


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n >= 1000 else str(n)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "20000,200000").split(",") if s.strip()]
    path = common.data_dir(NAME)
    failed = True
    try:
        status = _run(path, sorted(sizes))
        failed = status != 0
        return status
    finally:
        common.cleanup(path, failed=failed)


def _chunks(file: Path) -> Any:
    with open(file, "rb") as handle:
        while True:
            piece = handle.read(1 << 20)
            if not piece:
                return
            yield piece


def _one(kind: str, n: int, folder: Path, owner: Any) -> dict[str, Any]:
    from cases.services import create_case  # noqa: PLC0415
    from chain import verification  # noqa: PLC0415
    from evidence import services as evidence  # noqa: PLC0415
    from imports import services, synthetic  # noqa: PLC0415
    from imports.models import ImportedItem  # noqa: PLC0415

    file = folder / (f"WhatsApp Chat with Alex Smith {n}.txt" if kind == "whatsapp" else f"sms-{n}.xml")
    if kind == "whatsapp":
        synthetic.write_whatsapp(file, n)
    else:
        synthetic.write_sms_xml(file, n, start=SMS_START)  # 200 000 records end in 2023, in the past
    size = file.stat().st_size
    case = create_case(owner, label=f"{kind} {n}", relationship="ex_partner")
    t0 = time.perf_counter()
    exhibit = evidence.ingest(case, owner, _chunks(file), name=file.name).exhibit
    t1 = time.perf_counter()
    job = services.start(case, owner, exhibit)
    services.scan(job)
    t2 = time.perf_counter()
    if job.status != "ready":
        raise SystemExit(f"scan failed: {job.error}")
    suspect = max(job.participants, key=lambda p: p["messages"] + p["calls"])["name"]
    services.choose(job, owner, services.Choices(suspects=[suspect]))
    job = services.run(job, owner)
    t3 = time.perf_counter()
    if job.status != "done":
        raise SystemExit(f"import failed: {job.error}")
    stored = ImportedItem.objects.filter(case=case).count()
    file.unlink()
    # Not timed: the case's hash chain (every day incident's version) verifies after the bulk-written incidents.
    t4 = time.perf_counter()
    verified = verification.verify(case, files=False)
    t5 = time.perf_counter()
    if not verified.ok:
        raise SystemExit(f"chain broken after the import: {verified.problem}")
    return {
        "ingest": t1 - t0,
        "scan": t2 - t1,
        "run": t3 - t2,
        "total": t3 - t1,
        "size": size,
        "stored": stored,
        "stats": job.stats,
        "peak": _peak_mib(),
        "verify": t5 - t4,
        "entries": verified.entries,
    }


def _run(path: Path, sizes: list[int]) -> int:
    common.setup_django(path)
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from imports import phrases  # noqa: PLC0415

    owner = get_user_model().objects.create_user(username="bench", password="bench bench bench bench")
    folder = path / "exports"
    folder.mkdir(exist_ok=True)
    print(f"Import benchmark on {common.machine()}; load {common.load()}; revision {common.revision()}")
    results: dict[tuple[str, int], dict[str, Any]] = {}
    peaks: dict[int, float] = {}
    for n in sizes:
        for kind in ("whatsapp", "sms"):
            r = results[(kind, n)] = _one(kind, n, folder, owner)
            s = r["stats"]
            print(
                f"{kind:8} {n:>7}: file {r['size'] / 2**20:.1f} MiB; ingest {r['ingest']:.2f} s; scan {r['scan']:.2f} s; "
                f"import {r['run']:.2f} s; total after upload {r['total']:.2f} s ({n / r['total']:.0f} records/s); "
                f"stored {r['stored']}; suspect {s['suspect_messages']} messages, {s['suspect_calls']} calls; "
                f"{s['incidents_created']} incidents; flags: {s['threats']} threats, {s['night']} night, {s['bursts']} bursts; "
                f"chain of {r['entries']} entries verified intact in {r['verify']:.2f} s (not timed); peak RSS so far {r['peak']:.0f} MiB",
                flush=True,
            )
        peaks[n] = _peak_mib()
    small, big = sizes[0], sizes[-1]
    figures: dict[str, Any] = {}
    for kind in ("whatsapp", "sms"):
        for n in sizes:
            figures[f"s_{kind}_{_label(n)}"] = round(results[(kind, n)]["total"], 2)
    figures["ingest_s_whatsapp_" + _label(big)] = round(results[("whatsapp", big)]["ingest"], 2)
    figures["ingest_s_sms_" + _label(big)] = round(results[("sms", big)]["ingest"], 2)
    figures["peak_rss_mib"] = round(peaks[big], 1)
    figures[f"peak_rss_mib_{_label(small)}"] = round(peaks[small], 1)
    figures[f"growth_{_label(big)}_{_label(small)}"] = round(peaks[big] / peaks[small], 2)
    figures["phrases"] = phrases.count()  # threat phrases checked against every message of the suspect
    print(common.result_line(NAME, **figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
