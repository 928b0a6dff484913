from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from daybook.helpbar import helpbar_compact


def daybook(request: HttpRequest) -> dict[str, Any]:
    from support.selectors import help_bar  # noqa: PLC0415

    bar = help_bar()
    return {
        "display_name": settings.DAYBOOK_DISPLAY_NAME,
        "exit_url": settings.DAYBOOK_EXIT_URL,
        "helpline": bar.get("helpline"),
        "emergency": bar["emergency"],
        "non_emergency": bar["non_emergency"],
        "silent_solution": True,
        "helpbar_compact": helpbar_compact(request),
    }
