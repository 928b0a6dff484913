"""``make bench B=report``: the police-ready report and the evidence bundle.

Runs two parts, each in its own process with its own throwaway data folder (so the bundle's memory figure is not
disturbed by the PDF part):

- ``benchmarks/report_pdf.py``: the PDF with charts for 100 and 1 000 incidents (``s_100``, ``s_1000``, bar under
  60 s; ``growth_1000_100``, bar at most 12);
- ``benchmarks/report_bundle.py``: a bundle of 2 GiB of exhibits streamed into a ZIP (``bundle_rss_delta_mib``, the
  growth of peak memory while the bundle is written, bar at most 64).

Ends with one line ``RESULT report key=value ...`` combining both.
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks.common import ROOT

PARTS = ["report_pdf", "report_bundle"]
BARS = {"s_1000": ("<", 60.0), "growth_1000_100": ("<=", 12.0), "bundle_rss_delta_mib": ("<=", 64.0)}


def run_part(name: str) -> dict[str, str]:
    print(f"--- {name}", flush=True)
    process = subprocess.run(
        [sys.executable, "-c", f"import sys; from benchmarks.{name} import main; sys.exit(main() or 0)"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    print(process.stdout, end="", flush=True)
    if process.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {process.returncode}")
    lines = [line for line in process.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise SystemExit(f"{name} printed no RESULT line")
    return dict(pair.split("=", 1) for pair in lines[-1].split()[2:] if "=" in pair)


def main() -> int:
    figures: dict[str, str] = {}
    for part in PARTS:
        figures.update(run_part(part))
    print()
    for key, (op, bar) in BARS.items():
        value = float(figures.get(key, "nan"))
        met = value < bar if op == "<" else value <= bar
        print(f"{key} = {value:g} (bar {op} {bar:g}): {'met' if met else 'NOT met'}")
    print("RESULT report " + " ".join(f"{k}={v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
