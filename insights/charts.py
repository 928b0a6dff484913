"""One chart component for every page and for the PDF report: server-side SVG plus a table.

Each function returns a :class:`Chart`: the SVG markup (presentation attributes only, no ``style``
attribute and no script, so it passes the Content Security Policy and renders in WeasyPrint), a
one-sentence summary, and a :class:`Table` with the same figures as the text alternative. Templates
render it with ``insights/_chart.html``; a PDF template can use ``chart.svg`` and ``chart.table`` directly.

Sizes are in SVG user units on a 340-unit-wide canvas (about one unit to a CSS pixel on a phone); the stylesheet scales the SVG to the column.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

WIDTH = 340
INK = "#0b0c0c"
MUTED = "#505a5f"
RULE = "#b1b4b6"
BAR = "#1d70b8"
EMPTY = "#f3f2f1"
# Light to dark; index 0 is "none". Contrast of the darkest steps against white text is not relied on.
HEAT = ["#f3f2f1", "#d2e2f1", "#9fc3e6", "#5694ca", "#1d70b8", "#003078"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass
class Table:
    caption: str
    head: list[str]
    rows: list[list[str]]
    numeric: tuple[int, ...] = ()  # columns holding numbers (right-aligned)

    def html(self) -> SafeString:
        """The table in GOV.UK markup, in a keyboard-scrollable region (built here, not in a template loop, so a
        table of hundreds of cells costs little; the PDF report can use the same markup)."""
        num = set(self.numeric)
        out = [
            f'<div class="ins-table-wrap" role="region" aria-label="{_t(self.caption)}, table" tabindex="0"><table class="govuk-table">'
            f'<caption class="govuk-table__caption govuk-table__caption--s govuk-visually-hidden">{_t(self.caption)}</caption>'
            '<thead class="govuk-table__head"><tr class="govuk-table__row">'
        ]
        for i, h in enumerate(self.head):
            out.append(f'<th scope="col" class="govuk-table__header{" govuk-table__header--numeric" if i in num else ""}">{_t(h)}</th>')
        out.append('</tr></thead><tbody class="govuk-table__body">')
        for row in self.rows:
            out.append('<tr class="govuk-table__row">')
            for i, cell in enumerate(row):
                if i == 0:
                    out.append(f'<th scope="row" class="govuk-table__header">{_t(cell)}</th>')
                else:
                    out.append(f'<td class="govuk-table__cell{" govuk-table__cell--numeric" if i in num else ""}">{_t(cell)}</td>')
            out.append("</tr>")
        out.append("</tbody></table></div>")
        # Every cell and heading went through _t (html.escape).
        return mark_safe("".join(out))  # noqa: S308


@dataclass
class Chart:
    key: str
    title: str
    summary: str
    svg: SafeString
    table: Table
    notes: list[str] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return f"chart-{self.key}"


def _t(value: object) -> str:
    return escape(str(value), quote=True)


def _open(key: str, title: str, summary: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ins-chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-labelledby="chart-{_t(key)}-t chart-{_t(key)}-d" focusable="false" font-family="{FONT}">',
        f'<title id="chart-{_t(key)}-t">{_t(title)}</title><desc id="chart-{_t(key)}-d">{_t(summary)}</desc>',
    ]


def _svg(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    # Every piece of text in ``parts`` went through _t (html.escape); numbers are formatted by us.
    return mark_safe("".join(parts))  # noqa: S308


def _nice_max(value: int) -> int:
    if value <= 4:
        return max(value, 1)
    magnitude = 10 ** int(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def column_chart(
    key: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[int],
    *,
    long_labels: Sequence[str] | None = None,
    unit: str = "incidents",
    summary: str = "",
    head: tuple[str, str] = ("Period", "Incidents"),
) -> Chart:
    """Vertical bars over time (incidents per week or month)."""
    n = len(values)
    long_labels = list(long_labels or labels)
    peak = max(values, default=0)
    top = _nice_max(peak)
    left, right, top_pad, bottom = 30, 6, 10, 30
    plot_h = 120
    height = top_pad + plot_h + bottom
    plot_w = WIDTH - left - right
    step = plot_w / max(n, 1)
    bar_w = max(step * 0.8, 0.6)
    summary = summary or f"{sum(values)} {unit} over {n} periods; the most in one period was {peak}."
    parts = _open(key, title, summary, height)
    # Axis and grid: 0, half and top; half only when it is a whole number (these are counts: never "0.5").
    for frac in (0, 0.5, 1) if top % 2 == 0 else (0, 1):
        y = top_pad + plot_h - frac * plot_h
        value = top * frac
        label = f"{value:g}" if value == int(value) else f"{value:.1f}"
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" stroke="{RULE}" stroke-width="{1 if frac == 0 else 0.5}"/>')
        parts.append(f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{MUTED}">{_t(label)}</text>')
    for i, v in enumerate(values):
        if not v:
            continue
        h = plot_h * v / top
        x = left + i * step + (step - bar_w) / 2
        y = top_pad + plot_h - h
        name = f"{long_labels[i]}: {v} {unit}"
        parts.append(f'<rect x="{x:.2f}" y="{y:.2f}" width="{bar_w:.2f}" height="{max(h, 1):.2f}" fill="{BAR}"><title>{_t(name)}</title></rect>')
    every = max(1, math.ceil(n / 5))
    for i in range(0, n, every):
        x = left + i * step
        parts.append(f'<line x1="{x:.1f}" y1="{top_pad + plot_h}" x2="{x:.1f}" y2="{top_pad + plot_h + 4}" stroke="{MUTED}" stroke-width="0.75"/>')
        parts.append(f'<text x="{x:.1f}" y="{top_pad + plot_h + 18}" font-size="12" fill="{INK}">{_t(labels[i])}</text>')
    table = Table(title, list(head), [[long_labels[i], str(v)] for i, v in enumerate(values)], numeric=(1,))
    return Chart(key, title, summary, _svg(parts), table)


def bar_chart(
    key: str, title: str, items: Sequence[tuple[str, int]], *, unit: str = "incidents", summary: str = "", head: tuple[str, str] = ("", "Incidents")
) -> Chart:
    """Horizontal bars with their labels and values (channels, places, reported or not)."""
    row_h, value_w, line_h = 26, 40, 15
    # Long labels wrap onto more lines (never cut off: a cut label hides what the bar counts).
    lines_of = [textwrap.wrap(label, 24, break_long_words=True) or [""] for label, _ in items]
    longest = max((len(line) for lines in lines_of for line in lines), default=4)
    label_w = int(min(180, 12 + 7.2 * min(longest, 24)))
    heights = [row_h + line_h * (len(lines) - 1) for lines in lines_of]
    height = max(row_h, sum(heights)) + 6
    peak = max((v for _, v in items), default=0) or 1
    total = sum(v for _, v in items)
    summary = summary or (", ".join(f"{label}: {v}" for label, v in items) + "." if items else f"No {unit}.")
    parts = _open(key, title, summary, height)
    bar_max = WIDTH - label_w - value_w
    y = 3
    for (label, v), lines, h in zip(items, lines_of, heights, strict=True):
        w = bar_max * v / peak
        middle = y + h / 2
        first = middle + 5 - line_h * (len(lines) - 1) / 2
        spans = "".join(f'<tspan x="{label_w - 6}" y="{first + k * line_h:.1f}">{_t(line)}</tspan>' for k, line in enumerate(lines))
        parts.append(f'<text text-anchor="end" font-size="13" fill="{INK}">{spans}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{middle - (row_h - 8) / 2:.1f}" width="{max(w, 1):.2f}" height="{row_h - 8}" fill="{BAR if v else RULE}">'
            f"<title>{_t(label)}: {v}</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 4:.2f}" y="{middle + 5:.1f}" font-size="13" fill="{INK}">{v}</text>')
        y += h
    rows = [[label, str(v)] + ([f"{round(100 * v / total)}%"] if total else ["0%"]) for label, v in items]
    table = Table(title, [head[0] or "What", head[1], "Share"], rows, numeric=(1, 2))
    return Chart(key, title, summary, _svg(parts), table)


def heat_legend(peak: int) -> list[tuple[str, str]]:
    """(colour, range) pairs for the legend."""
    if peak <= 0:
        return [(HEAT[0], "none")]
    out = [(HEAT[0], "none")]
    steps = len(HEAT) - 1
    lo = 1
    for s in range(1, steps + 1):
        hi = peak if s == steps else max(lo, math.ceil(peak * s / steps))
        if hi < lo:
            continue
        out.append((HEAT[s], f"{lo}" if lo == hi else f"{lo}–{hi}"))
        lo = hi + 1
        if lo > peak:
            break
    return out


def heat_colour(value: int, peak: int) -> str:
    if value <= 0 or peak <= 0:
        return HEAT[0]
    steps = len(HEAT) - 1
    lo = 1
    for s in range(1, steps + 1):
        hi = peak if s == steps else max(lo, math.ceil(peak * s / steps))
        if value <= hi:
            return HEAT[s]
        lo = hi + 1
    return HEAT[-1]


def heatmap(
    key: str,
    title: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    grid: Sequence[Sequence[int]],
    *,
    cell_title: object = None,
    col_label_every: int = 0,
    summary: str = "",
    table: Table | None = None,
    unit: str = "incidents",
) -> Chart:
    """A grid of shaded cells: rows x columns (day of week x hour; behaviour x period)."""
    rows, cols = len(row_labels), len(col_labels)
    label_w = 8 + 7.5 * max((len(r) for r in row_labels), default=3)
    label_w = min(label_w, 100)
    top_pad = 18
    cell_w = (WIDTH - label_w - 4) / max(cols, 1)
    cell_h = 17 if rows <= 8 else 12
    legend_h = 26
    height = int(top_pad + rows * cell_h + 8 + legend_h)
    peak = max((v for row in grid for v in row), default=0)
    summary = summary or f"Darker cells mean more {unit}; the most in one cell was {peak}."
    parts = _open(key, title, summary, height)
    every = col_label_every or max(1, math.ceil(cols / 8))
    for j in range(0, cols, every):
        parts.append(f'<text x="{label_w + j * cell_w:.1f}" y="{top_pad - 5}" font-size="11" fill="{INK}">{_t(col_labels[j])}</text>')
    gap = 0.6 if cell_w > 3 else 0
    for i, label in enumerate(row_labels):
        y = top_pad + i * cell_h
        parts.append(f'<text x="{label_w - 5}" y="{y + cell_h - 4}" text-anchor="end" font-size="12" fill="{INK}">{_t(label)}</text>')
        for j in range(cols):
            v = grid[i][j]
            name = cell_title(i, j, v) if callable(cell_title) else f"{label}, {col_labels[j]}: {v}"
            parts.append(
                f'<rect x="{label_w + j * cell_w:.2f}" y="{y:.2f}" width="{cell_w - gap:.2f}" height="{cell_h - 1}" '
                f'fill="{heat_colour(v, peak)}"><title>{_t(name)}</title></rect>'
            )
    # Legend.
    ly = top_pad + rows * cell_h + 10
    x = float(label_w)
    parts.append(f'<text x="{label_w - 5}" y="{ly + 11}" text-anchor="end" font-size="11" fill="{MUTED}">Key</text>')
    for colour, text in heat_legend(peak):
        parts.append(f'<rect x="{x:.1f}" y="{ly}" width="12" height="12" fill="{colour}" stroke="{RULE}" stroke-width="0.5"/>')
        parts.append(f'<text x="{x + 15:.1f}" y="{ly + 10}" font-size="11" fill="{INK}">{_t(text)}</text>')
        x += 22 + 6.6 * len(text)
    if table is None:
        table = Table(title, ["", *col_labels], [[row_labels[i], *[str(v) for v in grid[i]]] for i in range(rows)], numeric=tuple(range(1, cols + 1)))
    return Chart(key, title, summary, _svg(parts), table)
