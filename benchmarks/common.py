"""Helpers shared by the benchmarks: a throwaway data folder, Django set-up, statistics and the RESULT line."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """A fresh temporary DAYBOOK_DATA_DIR (or BENCH_DATA_DIR if set, to reuse one between runs)."""
    given = os.environ.get("BENCH_DATA_DIR")
    if given:
        path = Path(given).resolve()
        path.mkdir(parents=True, exist_ok=True)
        return path
    return Path(tempfile.mkdtemp(prefix=f"daybook-bench-{name}-"))


def cleanup(path: Path, failed: bool = False) -> None:
    """Remove the data folder, unless asked to keep it or the benchmark failed (to look at its logs)."""
    if failed or os.environ.get("BENCH_KEEP") or os.environ.get("BENCH_DATA_DIR"):
        print(f"Data kept in {path}")
        return
    shutil.rmtree(path, ignore_errors=True)


def setup_django(path: Path) -> None:
    """Point Daybook at ``path`` (its own SQLite file and secrets), set Django up and migrate."""
    os.environ["DAYBOOK_DATA_DIR"] = str(path)
    os.environ["DJANGO_SETTINGS_MODULE"] = "daybook.settings"
    os.environ.pop("DATABASE_URL", None)  # always SQLite in the temp folder
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415

    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    ensure_static()


def ensure_static() -> None:
    """Pages render ``{% static %}`` through the manifest storage, so its manifest must list every static
    file in the tree. ``make bench`` runs ``make setup`` (which collects them) first; running
    benchmarks/run.py directly needs the same, so collect here too (quick when nothing changed)."""
    from django.core.management import call_command  # noqa: PLC0415

    call_command("collectstatic", interactive=False, verbosity=0)


def revision() -> str:
    """The commit measured, and whether the working tree had uncommitted changes."""
    import subprocess  # noqa: PLC0415

    if os.environ.get("BENCH_REVISION"):
        return os.environ["BENCH_REVISION"]
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown revision"
    return head.strip() + (" (with uncommitted changes in the tree)" if dirty.strip() else "")


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def result_line(name: str, **figures: object) -> str:
    parts = []
    for key, value in figures.items():
        if isinstance(value, float):
            value = f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
        parts.append(f"{key}={value}")
    return f"RESULT {name} " + " ".join(parts)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemTotal"))
        memory = f"{mem / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = "unknown memory"
    return f"{os.cpu_count()} cores ({model}), {memory}"
