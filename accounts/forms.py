"""allauth's forms with plain, kind labels: a person chooses a passphrase, not a password."""

from __future__ import annotations

from allauth.account import forms as account_forms
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.base import forms as mfa_base_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms

from accounts.validators import passphrase_rule

EMAIL_LABEL = "Email address"
PASSPHRASE_LABEL = "Passphrase"
REPEAT_LABEL = "Type the passphrase again"
NEW_PASSPHRASE_LABEL = "New passphrase"
REPEAT_NEW_LABEL = "Type the new passphrase again"
PASSKEY_FAILED = "The passkey did not work. Try again, or use another way."
# The second step: five wrong codes per account in 15 minutes (allauth's own default, without its per-address part).
SECOND_STEP_RATE = "5/15m/key"
CODE_HINT = "The 6-digit code from your authenticator app, or one of your recovery codes."

# allauth's own messages, reworded.
REWORDED = {
    "You must type the same password each time.": "The two passphrases are not the same. Type the same passphrase twice.",
}


def _plain(field: forms.Field, label: str, help_text: str = "") -> None:
    field.label = label
    field.help_text = help_text
    # Labels are always shown, so placeholders would only repeat them (and vanish when typing starts).
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.pop("autofocus", None)


def _email(field: forms.Field, help_text: str = "") -> None:
    _plain(field, EMAIL_LABEL, help_text)
    field.widget.attrs.update({"autocomplete": "email", "spellcheck": "false", "autocapitalize": "none"})


def _code(field: forms.Field, label: str, help_text: str = "") -> None:
    _plain(field, label, help_text)
    field.widget.attrs.update({"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none", "inputmode": "text"})


class RewordMixin:
    def clean(self):  # noqa: ANN201
        cleaned = super().clean()  # type: ignore[misc]
        for name, errors in list(self._errors.items()):  # type: ignore[attr-defined]
            for i, message in enumerate(errors):
                if message in REWORDED:
                    errors[i] = REWORDED[message]
            self._errors[name] = errors  # type: ignore[attr-defined]
        return cleaned


class DaybookSignupForm(RewordMixin, account_forms.SignupForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _email(self.fields["email"], "Use an email address that only you can read. We only email you to help you sign in.")
        if "password1" in self.fields:
            _plain(self.fields["password1"], PASSPHRASE_LABEL, passphrase_rule())
        if "password2" in self.fields:
            _plain(self.fields["password2"], REPEAT_LABEL)


class DaybookLoginForm(account_forms.LoginForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _email(self.fields["login"])
        if "password" in self.fields:
            # The reset link is shown under the form, not inside the label's hint.
            _plain(self.fields["password"], PASSPHRASE_LABEL)


class DaybookReauthenticateForm(account_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _plain(self.fields["password"], PASSPHRASE_LABEL)


class DaybookResetPasswordForm(account_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _email(self.fields["email"], "The address you used when you made your account.")


class DaybookResetPasswordKeyForm(RewordMixin, account_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _plain(self.fields["password1"], NEW_PASSPHRASE_LABEL, passphrase_rule())
        _plain(self.fields["password2"], REPEAT_NEW_LABEL)


class DaybookChangePasswordForm(RewordMixin, account_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _plain(self.fields["oldpassword"], "Current passphrase")
        _plain(self.fields["password1"], NEW_PASSPHRASE_LABEL, passphrase_rule())
        _plain(self.fields["password2"], REPEAT_NEW_LABEL)


class DaybookSetPasswordForm(RewordMixin, account_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _plain(self.fields["password1"], PASSPHRASE_LABEL, passphrase_rule())
        _plain(self.fields["password2"], REPEAT_LABEL)


class DaybookAddEmailForm(account_forms.AddEmailForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _email(self.fields["email"], "Use an address that only you can read.")


# Two-step verification (allauth.mfa).


class PasskeyAnswerMixin:
    """A passkey answer that does not fit (a broken or hostile client) is an ordinary form error, never a
    server error, and is explained in words about passkeys rather than codes."""

    def _refuse(self, error: Exception) -> forms.ValidationError:
        if isinstance(error, forms.ValidationError) and getattr(error, "code", None) not in (None, "incorrect_code"):
            return error  # e.g. too many attempts: keep allauth's own reason
        return forms.ValidationError(PASSKEY_FAILED, code="incorrect_code")


class PasskeyCredentialMixin(PasskeyAnswerMixin):
    def clean_credential(self):  # noqa: ANN201
        try:
            return super().clean_credential()  # type: ignore[misc]
        except (forms.ValidationError, KeyError, TypeError, ValueError, AttributeError) as error:
            raise self._refuse(error) from None


class PasskeyRegistrationMixin(PasskeyAnswerMixin):
    def clean(self):  # noqa: ANN201
        try:
            return super().clean()  # type: ignore[misc]
        except (forms.ValidationError, KeyError, TypeError, ValueError, AttributeError) as error:
            raise self._refuse(error) from None


class DaybookAuthenticateForm(mfa_base_forms.AuthenticateForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _code(self.fields["code"], "Code", CODE_HINT)

    def clean_code(self) -> str:
        """allauth's check, limited per account only: only someone with the right passphrase reaches this step, so
        failures at other addresses (or by a stalker sharing the owner's address) never refuse the owner's code."""
        from allauth.core.internal import ratelimit  # noqa: PLC0415
        from allauth.mfa.models import Authenticator  # noqa: PLC0415

        key = f"mfa-auth-user-{self.user.pk}"
        config = {"second_step_failed": SECOND_STEP_RATE}
        if not ratelimit.consume(context.request, app="allauth.account", action="second_step_failed", config=config, key=key):
            raise get_account_adapter().validation_error("too_many_login_attempts")
        code = self.cleaned_data["code"]
        main_auth = None
        for auth in Authenticator.objects.filter(user=self.user).exclude(type=Authenticator.Type.WEBAUTHN):
            if not main_auth or auth.type == Authenticator.Type.TOTP:
                main_auth = auth
            if auth.wrap().validate_code(code):
                auth.user = self.user
                self.authenticator = auth
                ratelimit.clear(context.request, app="allauth.account", action="second_step_failed", key=key)
                return code
        if main_auth:
            self._emit_authentication_failed(main_auth)
        raise get_mfa_adapter().validation_error("incorrect_code")


class DaybookMFAReauthenticateForm(mfa_base_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _code(self.fields["code"], "Code", CODE_HINT)


class DaybookActivateTOTPForm(totp_forms.ActivateTOTPForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _code(self.fields["code"], "Code from the app", "The app shows a 6-digit code that changes every 30 seconds.")
        self.fields["code"].widget.attrs["inputmode"] = "numeric"


class DaybookLoginWebAuthnForm(PasskeyCredentialMixin, webauthn_forms.LoginWebAuthnForm):
    pass


class DaybookAuthenticateWebAuthnForm(PasskeyCredentialMixin, webauthn_forms.AuthenticateWebAuthnForm):
    pass


class DaybookReauthenticateWebAuthnForm(PasskeyCredentialMixin, webauthn_forms.ReauthenticateWebAuthnForm):
    pass


class DaybookAddWebAuthnForm(PasskeyRegistrationMixin, webauthn_forms.AddWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["credential"].error_messages.update(
            {
                "required": "Use the Add passkey button. Your browser needs JavaScript turned on to make a passkey.",
                "invalid": PASSKEY_FAILED,
            }
        )
        _plain(self.fields["name"], "Name for this passkey", "So that you can tell your passkeys apart, for example ‘My phone’.")
        self.fields["name"].max_length = 100
        if "passwordless" in self.fields:
            _plain(
                self.fields["passwordless"],
                "I want to sign in with this passkey alone, without my email address and passphrase",
                "Your device will ask for your fingerprint, face, PIN or screen lock each time.",
            )
            self.fields["passwordless"].initial = True


class DaybookEditWebAuthnForm(webauthn_forms.EditWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        _plain(self.fields["name"], "Name for this passkey", "For example ‘My phone’.")
        self.fields["name"].max_length = 100
