"""axe-core on every page at desktop width (1280x800): zero violations, no inline script, strict CSP."""

from __future__ import annotations

import warnings

import pytest

from tests.browser.a11y import walk_every_page

pytestmark = pytest.mark.browser


def test_every_page_is_accessible_on_desktop(browsing, person):  # noqa: ANN001
    problems, skipped = walk_every_page(browsing, person, "desktop")
    for reason in skipped:
        warnings.warn(f"skipped {reason}", stacklevel=1)
    assert not problems, "\n".join(problems)
