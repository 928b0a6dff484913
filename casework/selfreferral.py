"""The public self-referral form's abuse limits (design 6), without any third-party captcha: a size limit, rate
limits per address and per organisation in the shared cache, a field people never see (a robot fills it in), and a
signed time stamp (a form sent back within seconds, or a day later, is asked for again).

A robot's form gets exactly the answer a person's gets, and nothing is stored. Every real form is stored as a new
referral whatever it says: the answer never depends on whether the person is already known (duplicates are for
triage, casework/index.py)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest

MAX_BODY_BYTES = 32 * 1024
MIN_SECONDS = 3
MAX_SECONDS = 4 * 3600
SALT = "casework.selfreferral.shown"


def per_address() -> int:
    return int(getattr(settings, "DAYBOOK_SELF_REFERRALS_PER_HOUR", 5))


def per_organisation() -> int:
    return int(getattr(settings, "DAYBOOK_SELF_REFERRALS_PER_HOUR_PER_ORG", 300))


def shown_stamp() -> str:
    return signing.dumps(int(time.time()), salt=SALT)


def stamp_ok(value: str) -> bool:
    """True when the form came back between MIN_SECONDS and MAX_SECONDS after it was shown."""
    try:
        shown = int(signing.loads(value or "", salt=SALT, max_age=MAX_SECONDS))
    except (signing.BadSignature, ValueError, TypeError):
        return False
    return time.time() - shown >= MIN_SECONDS


def too_large(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES
    except ValueError:
        return True


def _count(key: str) -> int:
    cache.add(key, 0, timeout=3700)
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=3700)
        return 1


def rate_limited(request: HttpRequest, organisation_id: int) -> bool:
    """Counts this form and says whether the address or the organisation has sent too many this hour."""
    hour = int(time.time() // 3600)
    address = request.META.get("REMOTE_ADDR", "")
    mine = _count(f"selfref:addr:{address}:{hour}")
    everyone = _count(f"selfref:org:{organisation_id}:{hour}")
    return mine > per_address() or everyone > per_organisation()
