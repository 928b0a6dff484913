"""Daybook's administration site: off unless DAYBOOK_ADMIN is set, behind the ordinary sign-in, and only for
what administrators look after (help contacts, licensed wording, organisations, staff), never people's lives.

- Off by default: every admin address is a plain 404 unless ``settings.DAYBOOK_ADMIN`` is true.
- One way in: the admin's own login page only sends people to Daybook's sign-in (allauth, with its rate limits and
  its second step). A staff session must have completed a second step (``mfa`` in allauth's record of how this
  session signed in), so a passphrase alone never opens the admin.
- An allow-list of models (``ADMIN_MODELS``): anything else an app or a library tries to register (audit trails,
  email addresses, sessions, authenticators, task results, any diary or case model) is never registered.
  Users are listed only if they are staff: administrators manage staff, not the people using Daybook.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import URLPattern, URLResolver
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

# Models an administrator may see, by app_label.model_name. Add a model here only if it holds nothing a person
# using Daybook wrote, nor any trace of what they did (a new app's organisations or services, for example).
ADMIN_MODELS = frozenset(
    {
        "auth.user",  # staff only (DaybookAdminSite filters the list)
        "auth.group",
        "support.contact",
        "insights.instrumentwording",
        "organisations.organisation",  # a support service (its name, nation, settings), never its clients
        "organisations.membership",  # who works for which service
    }
)


def admin_enabled() -> bool:
    return bool(getattr(settings, "DAYBOOK_ADMIN", False))


def second_step_done(request: HttpRequest) -> bool:
    """Whether this session's sign-in included a second step (an authenticator code, a recovery code or a passkey)."""
    from allauth.account.authentication import get_authentication_records  # noqa: PLC0415

    return any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user))


def _gate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not admin_enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return gated


def _gate_patterns(patterns: list[Any]) -> list[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _gate(pattern.callback)
        elif isinstance(pattern, URLResolver):
            _gate_patterns(pattern.url_patterns)
    return patterns


class DaybookAdminSite(admin.AdminSite):
    site_header = "Administration"
    site_title = "Administration"
    index_title = "Help contacts, wording and staff"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        models = [model_or_iterable] if isinstance(model_or_iterable, type) and issubclass(model_or_iterable, Model) else model_or_iterable
        for model in models:
            label = model._meta.label_lower
            if label not in ADMIN_MODELS:
                continue
            model_admin = admin_class or admin.ModelAdmin
            if label == "auth.user":
                model_admin = type("StaffOnlyUserAdmin", (StaffUserAdmin, model_admin), {})
            super().register(model, model_admin, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and second_step_done(request))

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:  # type: ignore[override]
        """No separate way in: send the person to Daybook's sign-in, or say what is missing."""
        if request.user.is_authenticated:
            if request.user.is_active and request.user.is_staff and not second_step_done(request):
                return render(request, "admin_second_step.html", status=403)
            raise Http404  # a signed-in person who is not staff: the admin does not exist for them
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}) or not next_url.startswith("/admin/"):
            next_url = "/admin/"
        return HttpResponseRedirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")

    def get_urls(self) -> list[Any]:
        return _gate_patterns(super().get_urls())


class StaffUserAdmin:
    """Mixed into Django's UserAdmin below: only staff accounts are listed or can be opened."""

    def get_queryset(self, request: HttpRequest):  # noqa: ANN201
        return super().get_queryset(request).filter(is_staff=True)  # type: ignore[misc]
