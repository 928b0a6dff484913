"""A case its owner deleted answers "gone" (410) to that person: ``cases.policy.CaseGone``, raised by the one access
policy, is a 404 everywhere else (it subclasses Http404), so only this middleware tells the two apart."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cases.policy import CaseGone


class GoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, CaseGone):
            return render(request, "takeout/gone.html", status=410)
        return None
