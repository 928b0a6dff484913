"""Takeout benchmark (issue 17, item 4): export every case of an account with a 10 000-incident diary and its
evidence to a ZIP, then load that ZIP into another account (every chain verified as it is loaded).

Figures: ``s_export_10k`` and ``s_import_10k`` (wall-clock seconds), ``rss_delta_mib`` (the larger of the two peaks
of resident memory above the resident memory just before each step, read from /proc: VmHWM after resetting it
through /proc/self/clear_refs), ``zip_mib``. Bar (issue 17): ``rss_delta_mib`` at most 64: rows are written and read
line by line and files are streamed segment by segment. Environment: BENCH_SIZE (10000 incidents),
BENCH_EVIDENCE_MIB (1024: the evidence, in files of BENCH_FILE_MIB, 64, of random bytes).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks import common

NAME = "takeout"


def _status(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def measured(step: Any) -> tuple[float, float]:
    """(seconds, peak RSS above the RSS at the start, in MiB) of ``step()``. Freed memory is first given back to
    the system (gc, then malloc_trim), so that memory the step allocates shows as growth."""
    import ctypes  # noqa: PLC0415
    import gc  # noqa: PLC0415

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    _reset_peak()
    before = _status("VmRSS")
    t0 = time.perf_counter()
    step()
    seconds = time.perf_counter() - t0
    return seconds, max(0, _status("VmHWM") - before) / (1 << 20)


def main() -> int:
    path = common.data_dir(NAME)
    status = 1
    try:
        size = int(os.environ.get("BENCH_SIZE", "10000"))
        status = _run(path, size, int(os.environ.get("BENCH_EVIDENCE_MIB", "1024")), int(os.environ.get("BENCH_FILE_MIB", "64")))
        return status
    finally:
        common.cleanup(path, failed=status != 0)


def _run(path: Path, size: int, evidence_mib: int, file_mib: int) -> int:
    common.setup_django(path)
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from benchmarks.generate import generate_case  # noqa: PLC0415
    from cases.models import Case  # noqa: PLC0415
    from evidence.services import ingest  # noqa: PLC0415
    from takeout.deletion import delete_case_now  # noqa: PLC0415
    from takeout.export import write_export  # noqa: PLC0415
    from takeout.load import load_export  # noqa: PLC0415

    print(f"Takeout benchmark: SQLite in {path}; {size} incidents; {evidence_mib} MiB of evidence in files of {file_mib} MiB.")
    print(f"Machine: {common.machine()}; load average {common.load()}; revision {common.revision()}")
    users = get_user_model().objects
    owner = users.create_user(username="bench", email="bench@example.com", password=None)
    t0 = time.perf_counter()
    case = generate_case(owner, size, years=4)
    left = evidence_mib << 20
    n = 0
    while left > 0:
        this = min(left, file_mib << 20)

        def chunks(total: int = this, seed: int = n) -> Any:
            block = os.urandom(1 << 20)
            for i in range(total >> 20):
                yield bytes([seed & 0xFF, i & 0xFF]) + block[2:]

        ingest(case, owner, chunks(), name=f"video-{n}.mp4")
        left -= this
        n += 1
    print(f"  generated {size} incidents and {n} files in {time.perf_counter() - t0:.1f} s")

    with tempfile.NamedTemporaryFile(dir=path, suffix=".zip") as tmp:
        export_s, export_rss = measured(lambda: write_export(owner, tmp))
        tmp.flush()
        zip_mib = os.path.getsize(tmp.name) / (1 << 20)
        print(f"  export: {export_s:.1f} s, ZIP {zip_mib:.0f} MiB, peak RSS +{export_rss:.1f} MiB (load {common.load()})")
        uuid = case.uuid
        delete_case_now(case)
        mover = users.create_user(username="mover", email="mover@example.com", password=None)

        def load() -> None:
            with open(tmp.name, "rb") as source:
                outcome = load_export(source, mover)
            assert outcome.loaded == [str(uuid)], outcome

        import_s, import_rss = measured(load)
        print(f"  import (with the chain verified): {import_s:.1f} s, peak RSS +{import_rss:.1f} MiB (load {common.load()})")
    loaded = Case.objects.get(uuid=uuid)
    assert loaded.incidents.count() == size
    from chain.verification import verify  # noqa: PLC0415

    verify_s, verify_rss = measured(lambda: verify(loaded, files=False))
    print(f"  of which the chain check alone (chain.verification.verify, not takeout's): {verify_s:.1f} s, peak RSS +{verify_rss:.1f} MiB")
    label = f"{size // 1000}k"
    rss = max(export_rss, import_rss)
    print(f"  rss_delta_mib {rss:.1f} (bar: at most 64)")
    figures = {f"s_export_{label}": export_s, f"s_import_{label}": import_s, "rss_delta_mib": rss}
    figures.update(zip_mib=zip_mib, evidence_mib=evidence_mib, rss_verify_mib=verify_rss)
    print(common.result_line(NAME, **figures))
    return 0
