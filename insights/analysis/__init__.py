"""The pattern in a diary: counts, charts' figures and findings, in plain Python over facts (no database).

Read it in this order, one module at a time:

* ``inputs``: what the analysis reads (:class:`Fact`, :class:`OrderInfo`, :class:`Imported`).
* ``codes``: what behaviour codes, channels and places mean; the code groups are data
  (``insights/data/code_groups.json``), shared with the screening instruments.
* ``results``: what it gives back (:class:`Analysis`, :class:`Finding`, :class:`Check`, :class:`Point`, :class:`Ref`).
* ``counting``: :func:`analyse`, the one pass that counts and sorts the incidents behind each finding.
* ``periods``: the weeks or months the charts count in.
* ``checks``: the fifteen findings looked for, and what their silence means.
* ``findings``: the rules about the diary's incidents; ``timing``: night-time and bursts (diary and imported).
* ``words``: dates and counts in words.

The names below are the ones the rest of Daybook uses; the modules import each other directly.
"""

from insights.analysis.counting import analyse, no_gc
from insights.analysis.findings import visit_weeks
from insights.analysis.inputs import Fact, Imported, OrderInfo, make_fact
from insights.analysis.periods import DAY_NAMES, week_start
from insights.analysis.results import Analysis, Finding, Point, Ref, point
from insights.analysis.words import day_text, plural, short_day

__all__ = [
    "DAY_NAMES",
    "Analysis",
    "Fact",
    "Finding",
    "Imported",
    "OrderInfo",
    "Point",
    "Ref",
    "analyse",
    "day_text",
    "make_fact",
    "no_gc",
    "plural",
    "point",
    "short_day",
    "visit_weeks",
    "week_start",
]
