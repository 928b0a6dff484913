"""The server-error page, and what a person sees when the database is away (a restart, a failover, a cut connection).

Django calls :func:`server_error` while the exception is being handled, so it can tell a lost database connection
(``OperationalError``/``InterfaceError``) from any other fault. Then the answer is 503 and says what is true: every
write is one transaction, so what was being saved was either saved whole or not at all, and what was saved before is
safe; a retry in a moment will most likely work. JSON callers (the uploader, the API) get the same sentence as JSON."""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

DATABASE_MESSAGE = (
    "Your records could not be reached just now. What you were saving was either saved whole or not at all: "
    "check before sending it again. Nothing you saved before has been lost. Try again in a moment."
)


def database_unreachable(exc: BaseException | None) -> bool:
    """The exception, or one it was raised from (the session's UpdateError hides the database's error), is a lost
    connection."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def _database_page(request: HttpRequest) -> HttpResponse:
    wants_json = "application/json" in request.headers.get("Accept", "") or request.content_type in ("application/json", "application/offset+octet-stream")
    if wants_json:
        return JsonResponse({"error": DATABASE_MESSAGE}, status=503, headers={"Retry-After": "5"})
    body = loader.get_template("503_database.html").render({"message": DATABASE_MESSAGE})
    return HttpResponse(body, status=503, headers={"Retry-After": "5"})


def bad_request(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """Django's 400, except when the session could not be saved because the database went away (SessionInterrupted)."""
    if database_unreachable(exception):
        return _database_page(request)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    exc = sys.exc_info()[1]
    if database_unreachable(exc):
        return _database_page(request)
    return HttpResponse(loader.get_template(template_name).render(), status=500)
