"""Forms of the person's data pages: each asks the passphrase again where a tap by someone else would do harm."""

from __future__ import annotations

from django import forms

from takeout.models import NoticeChoice


class PassphraseForm(forms.Form):
    passphrase = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), label="Your passphrase", max_length=200)


class LoadForm(forms.Form):
    export = forms.FileField(label="The export file (a .zip made by Daybook)")


class NoticeForm(forms.Form):
    wording = forms.ChoiceField(
        choices=NoticeChoice.WORDINGS,
        widget=forms.RadioSelect,
        label="Notices by e-mail",
        help_text="A notice never names Daybook, your support service or anyone in your circle. It only asks you to sign in.",
    )
    subject = forms.CharField(
        required=False,
        max_length=60,
        label="The e-mail's subject (optional)",
        help_text="Something that means nothing to anyone else, such as 'Your account'. Leave it empty for 'Your account'.",
    )

    def clean_subject(self) -> str:
        subject = self.cleaned_data["subject"].strip()
        if any(word in subject.casefold() for word in ("daybook", "stalk", "harass", "diary", "support", "advocate", "police")):
            raise forms.ValidationError("Choose words that do not say what this is about")
        return subject
