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
