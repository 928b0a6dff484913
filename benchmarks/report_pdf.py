"""Report PDF benchmark: the incident log and evidence summary, with charts, for cases of 100 and 1 000 incidents.

Bars (issue 5): ``s_1000`` under 60 s; ``growth_1000_100`` (s_1000 / s_100) at most 12.

* Cases made by benchmarks/generate.py (the same rows the diary's services write: sealed text, versions, chain),
  spread over four years, escalating, with a crime reference and an order; one owner per size.
* ``s_<n>``: seconds for ``reports.pdf.render_pdf`` (read and decrypt the incidents, findings and charts, HTML,
  WeasyPrint layout and the PDF/A file), best of BENCH_PDF_REPEATS (default 2) runs, so a burst of other work on the
  shared machine does not count; ``pages_<n>`` the pages of the PDF.

``measure()`` works in a Django that is already set up (benchmarks/report.py imports it); ``main()`` sets up a
throwaway SQLite database first. Environment: BENCH_PDF_SIZES (default 100,1000), BENCH_PDF_REPEATS (2).
"""

from __future__ import annotations

import io
import os
import time
from typing import Any

from benchmarks import common

NAME = "report_pdf"


def _case(n: int) -> Any:
    from django.contrib.auth import get_user_model  # noqa: PLC0415

    from benchmarks.generate import generate_case  # noqa: PLC0415
    from cases.models import Case  # noqa: PLC0415

    user_model = get_user_model()
    owner = user_model.objects.filter(username=f"pdfbench{n}").first()
    existing = Case.objects.filter(owner=owner).first() if owner else None
    if existing is not None and existing.incident_seq == n:
        return existing
    owner = owner or user_model.objects.create_user(username=f"pdfbench{n}", email=f"pdfbench{n}@example.com", password=None)
    return generate_case(owner, n, years=4.0)


def measure(sizes: tuple[int, ...] = (100, 1000), repeats: int | None = None) -> dict[str, Any]:
    """Seconds to render the PDF with charts for each size, their growth, and the pages (Django must be set up)."""
    from django.utils import timezone  # noqa: PLC0415

    from cases.models import Case  # noqa: PLC0415
    from reports.options import ReportOptions  # noqa: PLC0415
    from reports.pdf import render_pdf  # noqa: PLC0415

    repeats = repeats or int(os.environ.get("BENCH_PDF_REPEATS", "2"))
    cases = {n: _case(n) for n in sizes}
    options = ReportOptions(person_name="Benchmark person", person_contact="1 Example Street", include_charts=True, include_private_notes=True)
    figures: dict[str, Any] = {}
    for n, case in cases.items():
        best = float("inf")
        for _ in range(repeats):
            fresh = Case.objects.get(pk=case.pk)
            out = io.BytesIO()
            start = time.perf_counter()
            info = render_pdf(fresh, options, out, generated_at=timezone.now())
            best = min(best, time.perf_counter() - start)
        figures[f"s_{n}"] = round(best, 2)
        figures[f"pages_{n}"] = info.pages
        figures[f"mib_{n}"] = round(info.size / 2**20, 2)
    if 100 in sizes and 1000 in sizes:
        figures["growth_1000_100"] = round(figures["s_1000"] / figures["s_100"], 2)
    return figures


def main() -> int:
    sizes = tuple(int(s) for s in os.environ.get("BENCH_PDF_SIZES", "100,1000").split(",") if s.strip())
    path = common.data_dir(NAME)
    failed = True
    try:
        common.setup_django(path)
        print(f"Report PDF benchmark: sizes {sizes}; machine {common.machine()}; load {common.load()}; revision {common.revision()}")
        figures = measure(sizes)
        for key, value in figures.items():
            print(f"  {key:>16}: {value}")
        ok_time = figures.get("s_1000", 0) < 60
        ok_growth = figures.get("growth_1000_100", 0) <= 12
        print(f"  bars: s_1000 < 60 {'met' if ok_time else 'MISSED'}; growth_1000_100 <= 12 {'met' if ok_growth else 'MISSED'}")
        keep = {k: v for k, v in figures.items() if k.startswith(("s_", "growth", "pages_"))}
        print(common.result_line(NAME, **keep))
        failed = False
        return 0
    finally:
        common.cleanup(path, failed=failed)


if __name__ == "__main__":
    raise SystemExit(main())
