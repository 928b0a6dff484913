"""Keep what would leave a trace in the browser's history out of addresses.

Django's ``login_required`` sends a signed-out person to ``/account/login/?next=/cases/1/incidents/1/``: after
Exit, the back button (or the history list) would show which case and incident were open. This middleware keeps
``next`` in the session instead: a redirect to the sign-in page loses its ``next`` (remembered server-side), and a
sign-in address typed or linked with ``?next=`` is answered with a redirect to the bare sign-in page. After
signing in, ``accounts.adapter.DaybookAccountAdapter.get_login_redirect_url`` takes the remembered address.
Exit flushes the session, so nothing is left.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "daybook_next"


def _login_path() -> str:
    return urlsplit(resolve_url(settings.LOGIN_URL)).path


def remember_next(request: HttpRequest, value: str) -> None:
    if value.startswith("/") and url_has_allowed_host_and_scheme(value, allowed_hosts=None) and hasattr(request, "session"):
        request.session[SESSION_KEY] = value


def pop_next(request: HttpRequest) -> str | None:
    value = request.session.pop(SESSION_KEY, None) if hasattr(request, "session") else None
    return value if isinstance(value, str) and url_has_allowed_host_and_scheme(value, allowed_hosts=None) and value.startswith("/") else None


def _without_next(url: str) -> tuple[str, str | None]:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    nexts = [v for k, v in query if k == "next"]
    rest = [(k, v) for k, v in query if k != "next"]
    return parts.path + (f"?{urlencode(rest)}" if rest else ""), (nexts[0] if nexts else None)


class NextInSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        login = _login_path()
        if request.method == "GET" and request.path == login and "next" in request.GET:
            bare, value = _without_next(request.get_full_path())
            remember_next(request, value or "")
            return HttpResponseRedirect(bare)
        response = self.get_response(request)
        location = response.get("Location", "") if response.status_code in (301, 302, 303, 307) else ""
        if location and urlsplit(location).path == login and not urlsplit(location).netloc:
            bare, value = _without_next(location)
            if value is not None:
                remember_next(request, value)
                response["Location"] = bare
        return response
