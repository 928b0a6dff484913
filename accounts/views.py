"""Exit this page: end the session at once and leave for a neutral site, keeping nothing behind."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt

from audit.services import record


@csrf_exempt  # leaving must always work, even from a stale page; it only ever ends the session
def exit_now(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(request.user, "session.exit")
    logout(request)
    request.session.flush()
    response = HttpResponseRedirect(settings.DAYBOOK_EXIT_URL)
    # Ask the browser to drop this site's cache, cookies and storage (nothing left behind).
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response
