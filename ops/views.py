"""The health endpoint: 200 when this node can serve, 503 when it cannot. No session, no cookies, no personal data."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    result = health.check()
    return JsonResponse(result.as_dict(), status=200 if result.ok else 503)
