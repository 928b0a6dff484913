"""allauth adapters: kind, plain wording; neutral emails; never a hint of whether an account exists."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError

from accounts import signin
from kernel import traces

# Django's own validators speak of a "password"; Daybook asks for a passphrase.
PASSPHRASE_MESSAGES = {
    "password_too_common": "This passphrase is too common and easy to guess. Try three or four ordinary words.",
    "password_too_similar": "This passphrase is too like your email address. Try a few different words.",
    "password_entirely_numeric": "Your passphrase cannot be only numbers. Try a few ordinary words.",
}

REAUTH_DESCRIPTIONS = {
    "reauthenticate": "Use your passphrase",
    "mfa_reauthenticate": "Use a code from your authenticator app, or a recovery code",
    "mfa_reauthenticate:webauthn": "Use a passkey or security key",
}


def lockout_minutes() -> int:
    """How long one account stays locked after too many failed sign-ins (the per-account 'key' rate)."""
    rates = ratelimit.parse_rates(settings.ACCOUNT_RATE_LIMITS.get("login_failed"))
    per_key = [r for r in rates if r.per == "key"] or rates
    if not per_key:
        return 15
    return max(1, round(max(r.duration for r in per_key) / 60))


def too_many_attempts_message() -> str:
    return (
        f"Too many attempts. Try again in {lockout_minutes()} minutes, or reset your passphrase if you have forgotten it. "
        "With two-step verification on, your passphrase and code always get you in."
    )


class DaybookAccountAdapter(DefaultAccountAdapter):
    @property
    def error_messages(self) -> dict[str, Any]:  # type: ignore[override]
        messages = dict(DefaultAccountAdapter.error_messages)
        messages.update(
            {
                # The same words whether or not an account exists (no enumeration).
                "email_password_mismatch": "The email address or passphrase is not right. Check them and try again.",
                "enter_current_password": "Your current passphrase is not right. Check it and try again.",
                "incorrect_password": "That passphrase is not right. Check it and try again.",
                "incorrect_code": "That code is not right. Check it and try again.",
                "invalid_password_reset": "This link to reset your passphrase does not work any more. Ask for a new one.",
                "too_many_login_attempts": too_many_attempts_message(),
                "rate_limited": "Too many attempts in a short time. Wait a few minutes and try again.",
                "account_inactive": "This account cannot be used at the moment.",
                "cannot_remove_primary_email": ("You cannot remove your main email address. Make another address your main one first."),
                "duplicate_email": "This email address is already on your account.",
                "same_as_current": "The new passphrase must be different from the current one.",
            }
        )
        return messages

    # Limits that slow guessing but never lock the owner out (see accounts/signin.py).

    def _get_login_attempts_cache_key(self, request: Any, **credentials: Any) -> str:
        """Failed sign-ins are counted per account, whatever host name the request used. allauth puts the site's
        domain in this key, which without django.contrib.sites is the request's Host header (with its port): two
        web nodes, or two names for one service, would each keep their own count, and an attacker could multiply the
        per-account limit by changing the Host header. Used by allauth both to count and to clear the count."""
        login = credentials.get("email", credentials.get("username", "")).strip().lower()
        return f"account:{login}"

    def pre_authenticate(self, request: Any, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
            self._over_limit = False
        except ValidationError:
            self._over_limit = True  # decided after the passphrase is checked: see authenticate()

    def authenticate(self, request: Any, **credentials: Any) -> AbstractBaseUser | None:
        user = super().authenticate(request, **credentials)
        if getattr(self, "_over_limit", False) and not signin.may_continue_over_limit(user):
            raise self.validation_error("too_many_login_attempts")
        return user

    def authentication_failed(self, request: Any, **credentials: Any) -> None:
        signin.count_failure(credentials.get("email") or credentials.get("username") or "")

    def get_login_redirect_url(self, request: Any) -> str:
        """Where the person was going when asked to sign in, remembered in the session, never in the address."""
        return traces.pop_next(request) or super().get_login_redirect_url(request)

    def clean_password(self, password: str, user: AbstractBaseUser | None = None) -> str:
        try:
            return super().clean_password(password, user)
        except ValidationError as error:
            raise ValidationError([_reword(e) for e in error.error_list]) from None

    def get_reauthentication_methods(self, user: Any) -> list[dict]:
        methods = super().get_reauthentication_methods(user)
        for method in methods:
            method["description"] = REAUTH_DESCRIPTIONS.get(method["id"], method["description"])
        return methods

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Emails name the service only by its (neutral, configurable) display name.
        super().send_mail(template_prefix, email, {"display_name": settings.DAYBOOK_DISPLAY_NAME, **context})


def _reword(error: ValidationError) -> ValidationError:
    text = PASSPHRASE_MESSAGES.get(error.code or "")
    if text:
        return ValidationError(text, code=error.code)
    return error


class DaybookMFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": "That code is not right, or it has been used already. Check it and try again.",
        "unverified_email": "Confirm your email address before you turn on two-step verification. This makes sure you can always get back into your account.",
        "cannot_delete_authenticator": "You cannot turn this off at the moment.",
        "cannot_generate_recovery_codes": "Set up an authenticator app or a passkey before you make recovery codes.",
        "add_email_blocked": "You cannot add an email address while two-step verification is on.",
    }

    def _get_site_name(self) -> str:
        return settings.DAYBOOK_DISPLAY_NAME

    def generate_authenticator_name(self, user: AbstractBaseUser, type: Authenticator.Type) -> str:  # noqa: A002
        n = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return f"Passkey {n + 1}"
