"""Run Daybook's benchmarks: ``python benchmarks/run.py [name ...]`` (``make bench B=<name>``).

With no name every benchmark runs, each in its own process (each sets up its own throwaway data
folder and Django). Each benchmark prints its figures and ends with one ``RESULT <name> key=value ...`` line.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = [
    "timeline",
    "quickcapture_load",
    "ingest",
    "insights",
    "report",
    "import",
    "peers",
    "intake",
    "casework",
    "justice",
    "sharing",
    # Governance (issue 16): a year's commissioners' return.
    "returns",
    # The person's own data (issue 17): export and load of a 10 000-incident case.
    "takeout",
    # Several web nodes (issue 18): two nodes and two workers on PostgreSQL, S3 and Redis, one node killed half-way.
    "stack",
]
# Benchmarks whose name is not a usable module name.
MODULES = {"import": "imports_bench", "returns": "bench_returns"}


def main(argv: list[str]) -> int:
    names = [a for a in argv if a.strip()]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"Unknown benchmark {', '.join(unknown)}. Choose from: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    if len(names) == 1:
        sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "benchmarks"]
        module = importlib.import_module(f"benchmarks.{MODULES.get(names[0], names[0])}")
        return int(module.main() or 0)
    status = 0
    for name in names or BENCHMARKS:
        print(f"=== {name}", flush=True)
        status |= subprocess.call([sys.executable, str(Path(__file__).resolve()), name], cwd=ROOT)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
