"""The pattern in a diary: counts, charts' figures and findings, in plain Python over facts (no database).

Read it in this order, one module at a time:

* ``inputs``: what the analysis reads (:class:`Fact`, :class:`OrderInfo`, :class:`Imported`).
* ``codes``: what behaviour codes, channels and places mean; the code groups are data
  (``insights/data/code_groups.json``), shared with the screening instruments.
* ``results``: what it gives back (:class:`Analysis`, :class:`Finding`, :class:`Check`, :class:`Point`, :class:`Ref`).
* ``counting``: :func:`analyse`, the one pass that counts and sorts the incidents behind each finding.
* ``periods``: the weeks or months the charts count in.
* ``checks``: the sixteen findings looked for, and what their silence means.
* ``findings``: the rules about the diary's incidents; ``timing``: night-time and bursts (diary and imported).

The names below are the ones the rest of Daybook uses; the modules import each other directly.
"""

from insights.analysis.counting import analyse, no_gc
from insights.analysis.findings import visit_weeks
from insights.analysis.inputs import Fact, Imported, OrderInfo, make_fact
from insights.analysis.periods import DAY_NAMES
from insights.analysis.results import Analysis, Finding, Point, Ref, point

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
    "make_fact",
    "no_gc",
    "point",
    "visit_weeks",
]
