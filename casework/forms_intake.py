"""Forms of the intake side: the daily file, the self-referral form, a partner's referral, merging duplicates and
a first contact with its identity check. They help the person; casework/ services enforce the rules."""

from __future__ import annotations

import re

from django import forms

from casework.models import Consent, ContactOutcome, Identity, Relationship
from casework.services import ReferralInput, SafeContact
from organisations.models import ApiCredential

MAX_FEED_MB = 256


def _area(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class FeedForm(forms.Form):
    credential = forms.ModelChoiceField(label="Which police sender the file is from", queryset=ApiCredential.objects.none())
    file_format = forms.ChoiceField(label="Format", choices=[("csv", "CSV"), ("jsonl", "JSON Lines")], widget=forms.RadioSelect, initial="csv")
    file = forms.FileField(label="The daily file", help_text=f"Up to {MAX_FEED_MB} MB. Good rows are taken; bad rows come back to you with their line.")

    def __init__(self, *args: object, organisation: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["credential"].queryset = ApiCredential.objects.filter(organisation=organisation, revoked_at__isnull=True)


class PersonFieldsMixin(forms.Form):
    """Safe contact first (design 6), then who the person is: shared by the self-referral and a partner's form."""

    safe_numbers = forms.CharField(label="A phone number that is safe to call", max_length=100, required=False)
    safe_times = forms.CharField(label="When it is safe to call (optional)", max_length=200, required=False)
    voicemail_ok = forms.BooleanField(label="It is safe to leave a voicemail", required=False)
    text_ok = forms.BooleanField(label="It is safe to send a text message", required=False)
    email_safe = forms.BooleanField(label="It is safe to e-mail", required=False)
    post_safe = forms.BooleanField(label="It is safe to send post", required=False)
    suspect_has_access = forms.BooleanField(label="The person causing harm lives with them or can see their phone", required=False)
    code_word = forms.CharField(label="A code word we can ask for before we say why we are calling (optional)", max_length=60, required=False)
    full_name = forms.CharField(label="Name of the person who needs support", max_length=200)
    date_of_birth = forms.DateField(label="Their date of birth (optional)", widget=forms.DateInput(attrs={"type": "date"}), required=False)
    email = forms.EmailField(label="E-mail address (optional, only if e-mail is safe)", max_length=254, required=False)
    address_area = forms.CharField(label="Town or area they live in (optional)", max_length=200, required=False)
    language = forms.CharField(label="Language they would like us to use (optional)", max_length=60, required=False)
    interpreter = forms.CharField(label="Interpreter or communication needs (optional)", max_length=200, required=False)
    access_needs = forms.CharField(label="Access needs (optional)", max_length=200, required=False)
    suspect_name = forms.CharField(label="Name of the person causing harm, if known (optional)", max_length=200, required=False)
    suspect_relationship = forms.ChoiceField(label="Who they are to the person", choices=Relationship.choices, initial=Relationship.UNKNOWN)
    account = forms.CharField(label="What is happening, in a few words (optional)", widget=_area(4), max_length=4000, required=False)

    def clean(self) -> dict:
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str) and re.search(r"[\u202a-\u202e\u2066-\u2069]", value):
                self.add_error(name, "Remove the invisible direction-control characters.")
        if not (data.get("safe_numbers") or "").strip() and not data.get("email"):
            self.add_error("safe_numbers", "Give a safe number, or an e-mail address if e-mail is safe, so the service can reach them.")
        if data.get("email") and not data.get("email_safe"):
            self.add_error("email_safe", "Only give an e-mail address if e-mail is safe: tick this, or leave the address out.")
        return data

    def safe_contact(self) -> SafeContact:
        d = self.cleaned_data
        return SafeContact(
            **{
                k: d.get(k) or ("" if k in ("safe_numbers", "safe_times", "code_word", "alternative_contact") else False)
                for k in SafeContact.__dataclass_fields__
            }
        )

    def person(self) -> dict:
        d = self.cleaned_data
        out = {
            k: (d.get(k) or "").strip() for k in ("full_name", "email", "address_area", "language", "interpreter", "access_needs", "suspect_name", "account")
        }
        out["date_of_birth"] = d.get("date_of_birth")
        out["phones"] = [d["safe_numbers"].strip()] if (d.get("safe_numbers") or "").strip() else []
        out["suspect_relationship"] = d.get("suspect_relationship") or Relationship.UNKNOWN
        return out


WHO = [("self", "I am the person who needs support"), ("someone_else", "I am filling this in for someone else")]


class SelfReferralForm(PersonFieldsMixin):
    who = forms.ChoiceField(label="Who is filling this in?", choices=WHO, widget=forms.RadioSelect)
    person_knows = forms.ChoiceField(
        label="If you are filling this in for someone else: do they know?",
        choices=[("yes", "Yes, they know and agree"), ("no", "No, they do not know")],
        widget=forms.RadioSelect,
        required=False,
    )
    referrer = forms.CharField(label="If for someone else: your name and how you know them", max_length=200, required=False)
    # Abuse limits without a third-party captcha: a field people never see, and the time the form was shown.
    website = forms.CharField(label="Leave this empty", max_length=200, required=False)
    shown = forms.CharField(widget=forms.HiddenInput, required=False)

    field_order = ["who", "person_knows", "referrer"]

    def clean(self) -> dict:
        data = super().clean()
        if data.get("who") == "someone_else":
            if data.get("person_knows") not in ("yes", "no"):
                self.add_error("person_knows", "Say whether the person knows about this referral.")
            if not (data.get("referrer") or "").strip():
                self.add_error("referrer", "Give your name and how you know them.")
        return data

    def consent(self) -> str:
        d = self.cleaned_data
        if d["who"] == "self":
            return Consent.SELF
        return Consent.THIRD_PARTY_KNOWS if d["person_knows"] == "yes" else Consent.THIRD_PARTY_UNAWARE


class PartnerReferralForm(PersonFieldsMixin):
    consent = forms.ChoiceField(
        label="The person's consent",
        choices=[
            (Consent.EXPLICIT, "They gave explicit consent to this referral"),
            (Consent.THIRD_PARTY_KNOWS, "They know about it"),
            (Consent.THIRD_PARTY_UNAWARE, "They do not know about it"),
        ],
        widget=forms.RadioSelect,
    )
    referrer = forms.CharField(label="Your name and role", max_length=200)
    household = forms.CharField(label="Children and adults at risk in the household (optional)", widget=_area(2), max_length=2000, required=False)

    field_order = ["consent", "referrer"]


def referral_input_from(form: PersonFieldsMixin, **fixed: object) -> ReferralInput:
    person = form.person()
    extra = {k: form.cleaned_data[k] for k in ("household",) if k in form.cleaned_data}
    return ReferralInput(safe_contact=form.safe_contact(), **person, **extra, **fixed)  # type: ignore[arg-type]


class MergeForm(forms.Form):
    other = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="Why these are the same person", max_length=500, widget=_area(2))


class FirstContactForm(forms.Form):
    """A contact attempt with the identity check and the privacy notice (design 3.3)."""

    at = forms.DateTimeField(label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    channel = forms.ChoiceField(label="How", choices=[("phone", "Phone"), ("text", "Text message"), ("email", "E-mail"), ("in_person", "In person")])
    outcome = forms.ChoiceField(label="What happened", choices=ContactOutcome.choices, widget=forms.RadioSelect)
    identity = forms.ChoiceField(
        label="If you spoke to someone: how you confirmed it was the person", choices=[("", "Nobody was spoken to"), *Identity.choices], required=False
    )
    code_word_given = forms.CharField(label="The code word they gave (checked, never stored)", max_length=60, required=False)
    privacy_notice = forms.BooleanField(label="I gave the privacy notice", required=False)
    override_reason = forms.CharField(
        label="If this breaks a safe-contact rule: why (optional)",
        max_length=1000,
        required=False,
        help_text="Only when there was no safe way, for example an emergency.",
    )
    # Issue 15 item 7: an interpreter recorded for each contact.
    language = forms.CharField(label="Language used (optional)", max_length=60, required=False)
    interpreter_used = forms.BooleanField(label="An interpreter was used", required=False)
    interpreter = forms.CharField(
        label="If so: the interpreter (agency and interpreter number)",
        max_length=200,
        required=False,
        help_text="Never family, children or anyone from the suspect's circle.",
    )


class SafeContactForm(forms.Form):
    safe_numbers = forms.CharField(label="Safe numbers", max_length=200, required=False)
    voicemail_ok = forms.BooleanField(label="A voicemail may be left", required=False)
    text_ok = forms.BooleanField(label="A text message may be sent", required=False)
    safe_times = forms.CharField(label="Safe times to call", max_length=200, required=False)
    email_safe = forms.BooleanField(label="E-mail is safe", required=False)
    post_safe = forms.BooleanField(label="Post is safe", required=False)
    code_word = forms.CharField(label="Code word", max_length=60, required=False)
    alternative_contact = forms.CharField(label="Alternative safe contact", max_length=200, required=False)
    suspect_has_access = forms.BooleanField(label="The suspect lives with them or has access to their phone", required=False)
