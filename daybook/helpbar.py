"""The help bar's two forms (issue 13, item 5): in full on the first page of a signed-in session, shorter after it.

The page only reads the session flag (`helpbar_compact`); the middleware sets it once a signed-in HTML page has been
answered with 200, so an error page (a refusal or a missing page, which must look the same whatever came before)
never counts as "the first view", and a signed-out visitor is never given a session for it."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HELPBAR_SEEN = "daybook_helpbar_seen"


def helpbar_compact(request: HttpRequest) -> bool:
    """Whether this page shows the shorter help bar: a signed-in session that has already had a page with the full one."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if session is None or user is None or not user.is_authenticated:
        return False
    return bool(session.get(HELPBAR_SEEN))


class HelpBarMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            response.status_code == 200
            and user is not None
            and user.is_authenticated
            and response.get("Content-Type", "").startswith("text/html")
            and not request.session.get(HELPBAR_SEEN)
        ):
            request.session[HELPBAR_SEEN] = True
        return response
