"""Evidence bundle memory and speed (part of ``make bench B=report``; alone: ``python -m benchmarks.report_bundle``).

Bar (issue 5): writing a bundle with 2 GiB of exhibits grows the process's resident memory by at most 64 MiB.

1. A throwaway data folder and case; 8 exhibits of 256 MiB each (BENCH_BUNDLE_MIB total, default 2048) are
   ingested through ``evidence.services.ingest`` from a stream of 1 MiB chunks (each file starts with its own
   random megabyte so none is a duplicate of another; never more than a few MiB generated at once).
2. In a fresh Python process (so memory the ingest freed cannot hide any growth), after Django set-up and loading
   the case, ``reports.bundle.write_bundle`` streams the bundle (a 1 MiB placeholder report, every exhibit decrypted,
   re-hashed and written, manifest, README, SHA256SUMS) to a file in the data folder. A thread samples this
   process's VmRSS (/proc/self/status) every 5 ms; ``bundle_rss_delta_mib`` = peak during the write - RSS just
   before it. ``bundle_mb_s`` = bundle bytes / seconds (includes decryption, SHA-256 and the disk).
3. ``reports.verify.verify_bundle`` then reads the whole bundle back (streamed hashing): ``verify_rss_delta_mib``,
   ``verify_mb_s``, and that it says intact.

Environment: BENCH_BUNDLE_MIB (2048), BENCH_BUNDLE_FILES (8), BENCH_KEEP=1 to keep the data folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from benchmarks import common

NAME = "report_bundle"
MIB = 1 << 20
GIB = 1 << 30


def rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


class PeakRss:
    """Samples VmRSS in a thread while the block runs."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.before = 0
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes())
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        self.before = self.peak = rss_bytes()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())

    @property
    def delta_mib(self) -> float:
        return (self.peak - self.before) / MIB


def file_stream(index: int, size: int, buffers: list[bytes]) -> Iterator[bytes]:
    """``size`` bytes in 1 MiB chunks: a fresh random first megabyte (so every file differs), then cycled buffers."""
    sent = 0
    i = 0
    while sent < size:
        piece = os.urandom(MIB) if i == 0 else buffers[(i + index) % len(buffers)]
        piece = piece[: size - sent]
        yield piece
        sent += len(piece)
        i += 1


def measure(total_bytes: int = 2 * GIB, files: int = 8, log: Callable[[str], None] = print) -> dict[str, Any]:
    path = common.data_dir("bundle")
    failed = True
    try:
        common.setup_django(path)
        from django.contrib.auth import get_user_model  # noqa: PLC0415

        from cases.services import create_case  # noqa: PLC0415
        from evidence import services  # noqa: PLC0415

        user = get_user_model().objects.create_user(username="bench-bundle", email="bench-bundle@example.com", password="a long benchmark passphrase")
        case = create_case(user, label="BB", relationship="ex_partner", suspect_name="Bench Mark")
        buffers = [os.urandom(MIB) for _ in range(4)]
        each = total_bytes // files
        started = time.perf_counter()
        for n in range(files):
            size = each if n < files - 1 else total_bytes - each * (files - 1)
            services.ingest(case, user, file_stream(n, size, buffers), name=f"video-{n + 1}.mp4")
        log(f"ingested {files} exhibits, {total_bytes / GIB:.2f} GiB, in {time.perf_counter() - started:.1f} s")
        del buffers

        # The write and the check run in a fresh process, so memory freed by the ingest above cannot hide growth.
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.report_bundle", "--write", str(path), str(case.pk)],
            cwd=common.ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"the bundle writer failed: {done.stderr[-2000:]}")
        lines = done.stdout.strip().splitlines()
        for line in lines[:-1]:
            log(line)
        figures = json.loads(lines[-1])
        failed = False
        return figures
    finally:
        common.cleanup(path, failed=failed)


def write_and_verify(path: Path, case_id: int) -> dict[str, Any]:
    """In a fresh process: write the bundle of case ``case_id`` and check it, sampling this process's memory."""
    os.environ["DAYBOOK_DATA_DIR"] = str(path)
    common.setup_django(path)
    from cases.models import Case  # noqa: PLC0415
    from reports.bundle import write_bundle  # noqa: PLC0415
    from reports.options import ReportOptions  # noqa: PLC0415
    from reports.verify import verify_bundle  # noqa: PLC0415

    case = Case.objects.get(pk=case_id)
    case.get_cipher()
    pdf = os.urandom(MIB)
    pdf_sha = hashlib.sha256(pdf).hexdigest()
    out_path = path / "bundle.zip"
    with open(out_path, "wb") as out, PeakRss() as peak:
        t0 = time.perf_counter()
        info = write_bundle(
            case,
            ReportOptions(),
            out,
            pdf_name="report.pdf",
            pdf_chunks=[pdf[i : i + 256 * 1024] for i in range(0, len(pdf), 256 * 1024)],
            pdf_sha256=pdf_sha,
            pdf_size=len(pdf),
            generated_at=dt.datetime.now(dt.UTC),
        )
        os.fsync(out.fileno())
        seconds = time.perf_counter() - t0
    bundle_bytes = out_path.stat().st_size
    assert bundle_bytes == info.bytes_written
    print(f"bundle: {bundle_bytes / GIB:.3f} GiB in {seconds:.1f} s; RSS before {peak.before / MIB:.1f} MiB, peak {peak.peak / MIB:.1f} MiB")
    with PeakRss() as vpeak:
        t0 = time.perf_counter()
        result = verify_bundle(out_path)
        vseconds = time.perf_counter() - t0
    print(f"verify: {'intact' if result.ok else 'NOT INTACT'} ({len(result.checked)} files) in {vseconds:.1f} s; RSS peak +{vpeak.delta_mib:.1f} MiB")
    if not result.ok:
        raise RuntimeError("the bundle did not verify: " + "; ".join(result.problems))
    out_path.unlink()
    return {
        "bundle_rss_delta_mib": round(peak.delta_mib, 1),
        "bundle_mb_s": round(bundle_bytes / seconds / 1e6, 1),
        "bundle_gib": round(bundle_bytes / GIB, 3),
        "verify_rss_delta_mib": round(vpeak.delta_mib, 1),
        "verify_mb_s": round(bundle_bytes / vseconds / 1e6, 1),
    }


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--write":
        print(json.dumps(write_and_verify(Path(sys.argv[2]), int(sys.argv[3]))))
        return
    total = int(os.environ.get("BENCH_BUNDLE_MIB", "2048")) * MIB
    files = int(os.environ.get("BENCH_BUNDLE_FILES", "8"))
    print(f"Evidence bundle benchmark on {common.machine()}, load {common.load()}, revision {common.revision()}")
    figures = measure(total, files)
    for key, value in figures.items():
        print(f"  {key}: {value}")
    bar = "met" if figures["bundle_rss_delta_mib"] <= 64 else "NOT met"
    print(f"Bar bundle_rss_delta_mib <= 64: {bar}")
    print(common.result_line(NAME, **figures))


if __name__ == "__main__":
    main()
