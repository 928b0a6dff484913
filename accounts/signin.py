"""Limits on guessing that never hand a stalker a switch to lock the owner out, and the owner's notice.

allauth counts failed sign-ins per address (IP) and per account (the typed email address), in
``ACCOUNT_RATE_LIMITS["login_failed"]``. Once either count is over its limit, allauth would refuse *every*
attempt, the owner's right passphrase included: anyone who knows the address could keep the owner out of their own
evidence. Daybook instead still checks the passphrase, and then:

- a wrong passphrase is refused with "too many attempts" (guessing stays slowed to the limits);
- the right passphrase on an account with two-step verification goes on to the second step, as always, so the
  owner with their passphrase and their second step is never refused; someone who only guessed the passphrase is
  stopped there (the second step has its own limits);
- the right passphrase on an account without a second step is refused until the window passes or the passphrase
  is reset by email (which clears the count), and the page says how to get in.

Passkey sign-in does not use a passphrase and is never counted or refused. Every failed passphrase on a real
account is counted in :class:`accounts.models.SignInRecord`; after the owner signs in they see a neutral notice
of how many there were.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import F, Q
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import SignInRecord


def may_continue_over_limit(user: AbstractBaseUser | None) -> bool:
    """Over a limit, only the right passphrase on an account with a second step carries on (to that step)."""
    return user is not None and is_mfa_enabled(user)


def count_failure(email: str) -> None:
    """One UPDATE whether or not the address has an account (no difference in time or queries to learn from)."""
    email = (email or "").strip()
    owners = EmailAddress.objects.filter(email__iexact=email).values("user_id")
    SignInRecord.objects.filter(Q(user__in=owners) | Q(user__email__iexact=email)).update(
        failed_since_last=F("failed_since_last") + 1, last_failed_at=timezone.now()
    )


def _new_account(sender: Any, instance: AbstractBaseUser, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):  # a restore (ops/backup.py) loads the account's own record
        SignInRecord.objects.get_or_create(user=instance)


def notice_text(count: int) -> str:
    attempts = "attempt" if count == 1 else "attempts"
    return (
        f"Since you last signed in, there {'was' if count == 1 else 'were'} {count} unsuccessful {attempts} to sign in to your account. "
        "If this was not you, you could change your passphrase and turn on two-step verification in your account settings."
    )


def tell_owner_and_reset(request: HttpRequest, user: AbstractBaseUser) -> None:
    record, _ = SignInRecord.objects.get_or_create(user=user)
    if not record.failed_since_last:
        return
    SignInRecord.objects.filter(pk=record.pk).update(failed_since_last=0)
    if hasattr(request, "_messages"):
        messages.info(request, notice_text(record.failed_since_last))


def _on_login(sender: Any, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
    if request is not None:
        tell_owner_and_reset(request, user)


def connect() -> None:
    from django.contrib.auth.signals import user_logged_in  # noqa: PLC0415
    from django.db.models.signals import post_save  # noqa: PLC0415

    receiver(user_logged_in, dispatch_uid="daybook-signin-notice")(_on_login)
    receiver(post_save, sender=get_user_model(), dispatch_uid="daybook-signin-record")(_new_account)
