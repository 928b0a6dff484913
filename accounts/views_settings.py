from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """One page linking to passphrase, two-step verification and signed-in devices."""
    return render(request, "accounts/settings.html", {"idle_minutes": settings.DAYBOOK_IDLE_TIMEOUT_MINUTES})
