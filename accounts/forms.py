from __future__ import annotations

from allauth.account.forms import SignupForm


class DaybookSignupForm(SignupForm):
    """allauth's sign-up form with plain-language labels."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].help_text = "Use an address the person harassing you cannot read. We never send the contents of your diary by email."
        self.fields["password1"].label = "Passphrase"
        if "password2" in self.fields:
            self.fields["password2"].label = "Type the passphrase again"
