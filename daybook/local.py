"""The simpler sign-up for one person on one machine, only where nobody else can reach it.

With ``DAYBOOK_EMAIL_VERIFICATION`` "optional" or "none" a new account is signed in at once, so signing up with an
address that already has an account looks different: that would tell anyone who can reach the sign-up page who
uses Daybook. Those settings are therefore tied to the server being reachable from this machine only
(``settings.DAYBOOK_LOCAL_ONLY``): every request from another address, or passed on by a proxy, gets a plain 403,
and ``manage.py check`` refuses the combination with HTTPS, a trusted proxy or non-local host names.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden

FORWARDING_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO")
LOCAL_HOST_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}

REFUSED = (
    "This Daybook is set up for use on this computer only. To reach it from other devices, "
    "whoever runs it must set DAYBOOK_EMAIL_VERIFICATION=mandatory (see README, Configuration)."
)


def is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def request_is_local(request: HttpRequest) -> bool:
    return is_loopback(request.META.get("REMOTE_ADDR", "")) and not any(h in request.META for h in FORWARDING_HEADERS)


class LoopbackOnlyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.DAYBOOK_LOCAL_ONLY and not request_is_local(request):
            return HttpResponseForbidden(REFUSED, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
