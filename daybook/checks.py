"""Daybook's own system checks, run by ``manage.py check`` (and ``check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.module_loading import import_string


@register(Tags.security, deploy=True)
def csrf_middleware_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Django's security.W003 only recognises its own class by name, so it is silenced in settings; this check
    takes its place: a subclass of Django's CsrfViewMiddleware must be in MIDDLEWARE."""
    for dotted in settings.MIDDLEWARE:
        try:
            cls = import_string(dotted)
        except ImportError:
            continue
        if isinstance(cls, type) and issubclass(cls, CsrfViewMiddleware):
            return []
    return [Error("No CSRF middleware: MIDDLEWARE must hold daybook.csrf.DaybookCsrfViewMiddleware.", id="daybook.E001")]


@register(Tags.security)
def local_only_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """The simpler sign-up (a new account signed in at once) reveals who has an account: local use only."""
    if not settings.DAYBOOK_LOCAL_ONLY:
        return []
    from daybook.local import LOCAL_HOST_NAMES  # noqa: PLC0415

    reasons = []
    if settings.DAYBOOK_HTTPS:
        reasons.append("DAYBOOK_HTTPS is on")
    if settings.ALLAUTH_TRUSTED_PROXY_COUNT:
        reasons.append("DAYBOOK_TRUSTED_PROXY_COUNT is set")
    others = [h for h in settings.ALLOWED_HOSTS if h not in LOCAL_HOST_NAMES]
    if others:
        reasons.append(f"DAYBOOK_ALLOWED_HOSTS names {', '.join(others)}")
    if not reasons:
        return []
    return [
        Error(
            f"DAYBOOK_EMAIL_VERIFICATION={settings.ACCOUNT_EMAIL_VERIFICATION} is for one person on one machine, but {'; '.join(reasons)}.",
            hint="Set DAYBOOK_EMAIL_VERIFICATION=mandatory (and working e-mail): only then does sign-up not reveal who has an account.",
            id="daybook.E002",
        )
    ]
