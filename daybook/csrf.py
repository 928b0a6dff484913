"""Django's CSRF protection, made to work with ``Referrer-Policy: no-referrer``.

Under ``no-referrer`` a browser sends ``Origin: null`` (and no ``Referer``) even on a form posted from one of
Daybook's own pages, and Django's check would refuse every form. Browsers also send ``Sec-Fetch-Site``, a
header that no page can set or forge. When it says ``same-origin`` the request came from a Daybook page, so the
null Origin and the missing Referer are not held against it. The CSRF token itself is checked exactly as always:
a post without a valid token is refused whatever the headers say.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import CsrfViewMiddleware


def _same_origin_fetch(request: HttpRequest) -> bool:
    return request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin"


class DaybookCsrfViewMiddleware(CsrfViewMiddleware):
    def process_view(self, request: HttpRequest, callback: Any, callback_args: Any, callback_kwargs: Any) -> Any:
        if request.META.get("HTTP_ORIGIN") == "null" and _same_origin_fetch(request):
            del request.META["HTTP_ORIGIN"]
        return super().process_view(request, callback, callback_args, callback_kwargs)

    def _check_referer(self, request: HttpRequest) -> None:
        if "HTTP_REFERER" not in request.META and _same_origin_fetch(request):
            return
        super()._check_referer(request)
