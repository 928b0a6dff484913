"""Police referrals, updates and withdrawals (design 3.1 and 8), whether they come through the API or a daily file.

One field table (:data:`REFERRAL_FIELDS`, :data:`UPDATE_FIELDS`, :data:`WITHDRAWAL_FIELDS`) is the single schema
definition: it validates a message field by field, gives the daily file its columns and generates the OpenAPI
document (api/openapi.py). A message is validated whole before anything is written, so a bad one leaves nothing.

* The force comes from the sender's credential, never from the message.
* The same force, crime reference and person never make two referrals: their natural key is a blind-index token
  (organisations/keys.py) of the normalised three, so a repeat returns the referral already stored.
* An update (new officer, no further action, charged) names the same three and is applied in the order the force
  sent it: a replay of one already applied is answered as before; an older one is refused as out of order.
* A withdrawal (late opt-out) purges the referral, leaving a :class:`PurgedReferral` without content.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from audit.actions import AuditAction
from audit.services import record_staff
from casework import services
from casework.models import (
    SUCCESSFUL_OUTCOMES,
    Client,
    Consent,
    Offence,
    PurgedReferral,
    Referral,
    ReferralStatus,
    ReferralUpdate,
    Relationship,
    Risk,
    Source,
    UpdateKind,
)
from organisations.models import ApiCredential
from organisations.normalise import normal_name

# Attempts without reaching the person after which the force is told "could not be reached", for an organisation
# without settings; otherwise its own ``failed_attempts_limit`` (organisations/models.py, the same number after
# which its next step is offered on the referral page).
UNREACHABLE_AFTER = 3
POLICE_CONSENT = (Consent.OPT_OUT_NOTICE, Consent.EXPLICIT, Consent.OPTED_OUT)
# Characters that reorder text on screen (bidi overrides and isolates) can make a name read as another: refused.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_BIDI = re.compile("[" + "".join(map(re.escape, sorted(BIDI_CONTROLS))) + "]")
# Unicode category Cc (U+0000-U+001F and U+007F-U+009F), less tab and newline.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
CRIME_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/\-. ]{0,39}$")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text, code, date, datetime, bool, choice, choices, texts
    description: str
    required: bool = False
    max_length: int = 200
    choices: tuple[str, ...] = ()


def _values(choices: Any) -> tuple[str, ...]:
    return tuple(choices.values)


REFERRAL_FIELDS: tuple[Field, ...] = (
    Field("crime_reference", "code", "The force's crime reference (letters, digits, / - . and spaces).", required=True, max_length=40),
    Field("consent", "choice", "opt_out_notice: told and did not opt out; explicit: explicit consent; opted_out: refused.", True, choices=POLICE_CONSENT),
    Field("full_name", "text", "The person's name (any script).", required=True),
    Field("date_of_birth", "date", "YYYY-MM-DD, in the past."),
    Field("phones", "texts", "Phone numbers as given (UK or international)."),
    Field("email", "text", "E-mail address.", max_length=254),
    Field("address_area", "text", "Area only (town or postcode district), not the address."),
    Field("language", "text", "Preferred language.", max_length=100),
    Field("interpreter", "text", "Interpreter needs (never family, children or the suspect's circle).", max_length=300),
    Field("access_needs", "text", "Access needs.", max_length=500),
    Field("safe_numbers", "text", "Numbers safe to call."),
    Field("voicemail_ok", "bool", "A voicemail may be left."),
    Field("text_ok", "bool", "A text message may be sent."),
    Field("safe_times", "text", "Times it is safe to call."),
    Field("email_safe", "bool", "E-mail is safe."),
    Field("post_safe", "bool", "Post is safe."),
    Field("code_word", "text", "A code word agreed with the person.", max_length=100),
    Field("alternative_contact", "text", "An alternative safe contact."),
    Field("suspect_has_access", "bool", "The suspect lives with the person or has access to their phone."),
    Field("officer", "text", "Officer in charge."),
    Field("home_office_code", "code", "Home Office crime code.", max_length=10),
    Field("date_reported", "date", "YYYY-MM-DD, not in the future."),
    Field("enhanced_rights", "bool", "Entitled to enhanced rights under the Victims' Code."),
    Field("offences", "choices", "Offence types.", choices=_values(Offence)),
    Field("domestic_abuse", "bool", "Flagged as domestic abuse (also derived from the relationship)."),
    Field("sexual_offence", "bool", "A sexual offence."),
    Field("police_risk", "choice", "The police risk grading, if any.", choices=_values(Risk)),
    Field("suspect_name", "text", "The suspect's name."),
    Field("suspect_relationship", "choice", "The suspect's relationship to the person.", choices=_values(Relationship)),
    Field("suspect_is_police", "bool", "The suspect is a police officer or staff."),
    Field("household", "text", "Children and adults at risk in the household.", max_length=2000),
    Field("account", "text", "A brief account.", max_length=4000),
)
KEY_FIELDS: tuple[Field, ...] = (REFERRAL_FIELDS[0], REFERRAL_FIELDS[2])
UPDATE_FIELDS: tuple[Field, ...] = (
    *KEY_FIELDS,
    Field("kind", "choice", "What changed.", required=True, choices=_values(UpdateKind)),
    Field("sent_at", "datetime", "When the force sent the update (ISO 8601 with offset); orders updates.", required=True),
    Field("officer", "text", "The new officer in charge (kind new_officer).", max_length=200),
    Field("detail", "text", "The charge or decision in the force's words.", max_length=1000),
)
WITHDRAWAL_FIELDS: tuple[Field, ...] = (*KEY_FIELDS, Field("reason", "choice", "Why: the person opted out late.", required=True, choices=("late_opt_out",)))
# Text fields where markup has no place (names, references, numbers): "<" and ">" are refused there.
NO_MARKUP = {"crime_reference", "full_name", "phones", "email", "suspect_name", "officer", "home_office_code", "code_word", "safe_numbers"}

TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0", ""}


class MessageInvalid(Exception):
    """Field-level errors: {field: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


class UnknownReferral(Exception):
    pass


class OutOfOrder(Exception):
    pass


def _text(value: str, f: Field) -> str | None:
    """Checks shared by every text; returns an error message or None."""
    if len(value) > f.max_length:
        return f"At most {f.max_length} characters."
    if _BIDI.search(value):
        return "Remove the invisible direction-control characters."
    if _CONTROL.search(value):
        return "Remove control characters."
    if f.name in NO_MARKUP and ("<" in value or ">" in value):
        return "Remove < and > (no markup here)."
    return None


def parse(message: Mapping[str, Any], fields: tuple[Field, ...], *, from_text: bool = False) -> dict[str, Any]:
    """Validate a message against a field table. JSON must use the right types; a daily file row (``from_text``)
    gives strings, read as booleans ("true"/"false") and lists (separated by ";"). Raises MessageInvalid."""
    known = {f.name: f for f in fields}
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name in message:
        if name not in known:
            errors[str(name)[:60]] = "Unknown field."
    today = timezone.localdate()
    for f in fields:
        raw = message.get(f.name)
        if from_text and isinstance(raw, str) and f.kind in ("bool", "choices", "texts"):
            raw = _from_text(raw, f)
        if raw is None or raw == "" or raw == []:
            if f.required:
                errors[f.name] = "Required."
            continue
        try:
            out[f.name] = _field(raw, f, today)
        except ValueError as exc:
            errors[f.name] = str(exc)
    if errors:
        raise MessageInvalid(errors)
    return out


def _from_text(raw: str, f: Field) -> Any:
    raw = raw.strip()
    if f.kind == "bool":
        if raw.lower() in TRUE_WORDS:
            return True
        if raw.lower() in FALSE_WORDS:
            return None
        return raw
    return [p.strip() for p in raw.split(";") if p.strip()]


def _field(raw: Any, f: Field, today: dt.date) -> Any:  # noqa: C901, PLR0912
    if f.kind == "bool":
        if not isinstance(raw, bool):
            raise ValueError("Must be true or false.")
        return raw
    if f.kind in ("choices", "texts"):
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ValueError("Must be a list of strings.")
        if len(raw) > 20:
            raise ValueError("At most 20 items.")
        if f.kind == "choices":
            bad = [v for v in raw if v not in f.choices]
            if bad:
                raise ValueError(f"Unknown value {bad[0][:40]!r}; one of: {', '.join(f.choices)}.")
        for v in raw:
            if msg := _text(v, f):
                raise ValueError(msg)
        return list(raw)
    if not isinstance(raw, str):
        raise ValueError("Must be a string.")
    value = raw.strip()
    if f.kind == "choice":
        if value not in f.choices:
            raise ValueError(f"Unknown value; one of: {', '.join(f.choices)}.")
        return value
    if f.kind == "date":
        try:
            # fromisoformat also takes 19900401 and week dates (1990-W13-7); the documented form is YYYY-MM-DD.
            if not ISO_DATE.match(value):
                raise ValueError
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("Not a real date in the form YYYY-MM-DD.") from None
        if day > today:
            raise ValueError("Cannot be in the future.")
        if day.year < 1900:
            raise ValueError("Too far in the past.")
        return day
    if f.kind == "datetime":
        try:
            when = parse_datetime(value)
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise ValueError("Not a date and time in ISO 8601 with a UTC offset.")
        if when > timezone.now() + dt.timedelta(minutes=5):
            raise ValueError("Cannot be in the future.")
        return when
    if msg := _text(value, f):
        raise ValueError(msg)
    if f.name == "crime_reference" and not CRIME_REFERENCE.match(value):
        raise ValueError("Letters, digits, / - . and spaces only, at most 40.")
    if f.required and not value:
        raise ValueError("Required.")
    return value


def natural_key(credential: ApiCredential, crime_reference: str, full_name: str) -> str:
    crime = re.sub(r"[\s/\-.]", "", crime_reference).upper()
    force = re.sub(r"\s+", " ", credential.force).strip().lower()
    return credential.organisation.blind_token("police_referral", f"{force}|{crime}|{normal_name(full_name)}")


def referral_input(credential: ApiCredential, clean: dict[str, Any], source: str) -> services.ReferralInput:
    safe = services.SafeContact(**{k: clean[k] for k in services.SafeContact.__dataclass_fields__ if k in clean})
    simple = {
        k: clean[k]
        for k in services.ReferralInput.__dataclass_fields__
        if k in clean and k not in ("safe_contact", "source", "lawful_basis", "agreement", "sender", "force")
    }
    return services.ReferralInput(
        source=source,
        lawful_basis=credential.agreement.lawful_basis,
        agreement=credential.agreement,
        sender=credential.sender,
        force=credential.force,
        safe_contact=safe,
        **simple,
    )


def prepare(credential: ApiCredential, message: Mapping[str, Any], *, source: str, from_text: bool = False) -> tuple[services.ReferralInput, str]:
    """A referral message validated field by field (MessageInvalid), as the service's input and its natural key."""
    clean = parse(message, REFERRAL_FIELDS, from_text=from_text)
    return referral_input(credential, clean, source), natural_key(credential, clean["crime_reference"], clean["full_name"])


def create(credential: ApiCredential, message: Mapping[str, Any], *, source: str = Source.POLICE_API, from_text: bool = False) -> tuple[Referral, bool]:
    """Validate and store a police referral. Raises MessageInvalid, services.ReferralRefused (nothing stored)."""
    data, key = prepare(credential, message, source=source, from_text=from_text)
    try:
        return services.referral_store(organisation=credential.organisation, data=data, credential=credential, natural_key=key)
    except ValidationError as exc:
        raise MessageInvalid({k: " ".join(v) for k, v in exc.message_dict.items()}) from None


def _find(credential: ApiCredential, clean: dict[str, Any]) -> Referral:
    key = natural_key(credential, clean["crime_reference"], clean["full_name"])
    referral = Referral.objects.select_related("client", "client__organisation").filter(organisation=credential.organisation, natural_key=key).first()
    if referral is None:
        raise UnknownReferral
    return referral


@transaction.atomic
def update(credential: ApiCredential, message: Mapping[str, Any], *, from_text: bool = False) -> tuple[Referral, bool]:
    """Apply an update; (referral, applied). A replay of an applied update is (referral, False); an older one
    raises OutOfOrder; no referral under the key raises UnknownReferral."""
    clean = parse(message, UPDATE_FIELDS, from_text=from_text)
    if clean["kind"] == UpdateKind.NEW_OFFICER and not clean.get("officer"):
        raise MessageInvalid({"officer": "Name the new officer in charge."})
    referral = _find(credential, clean)
    referral = Referral.objects.select_for_update().select_related("client", "client__organisation").get(pk=referral.pk)
    sent_at = clean["sent_at"]
    if referral.updates.filter(sent_at=sent_at, kind=clean["kind"]).exists():
        return referral, False
    if referral.last_update_sent_at and sent_at <= referral.last_update_sent_at:
        raise OutOfOrder
    row = ReferralUpdate(referral=referral, kind=clean["kind"], sent_at=sent_at)
    row.detail = clean.get("officer") or clean.get("detail", "")
    row.save()
    referral.last_update_sent_at = sent_at
    fields = ["last_update_sent_at"]
    if clean["kind"] == UpdateKind.NEW_OFFICER:
        referral.officer = clean["officer"]
        fields.append("officer_enc")
    referral.save(update_fields=fields)
    record_staff(None, AuditAction.REFERRAL_UPDATED, organisation=referral.organisation, client=referral.client, target=f"referral {referral.pk}: {row.kind}")
    return referral, True


@transaction.atomic
def withdraw(credential: ApiCredential, message: Mapping[str, Any], *, from_text: bool = False) -> PurgedReferral:
    """A late opt-out: the referral's content is purged (and its client, when it has no other referral); a record
    without content remains."""
    clean = parse(message, WITHDRAWAL_FIELDS, from_text=from_text)
    referral = _find(credential, clean)
    return purge(referral)


# Records an app above casework must keep even when the client's last referral is purged (care registers one:
# a safeguarding record is never erased by a withdrawal of consent). Each returns True to keep the client.
KEEPS: list[Callable[[Client], bool]] = []


def purge(referral: Referral) -> PurgedReferral:
    record = PurgedReferral.objects.create(
        organisation=referral.organisation, uuid=referral.uuid, source=referral.source, credential=referral.credential, received_at=referral.received_at
    )
    client = referral.client
    pk = referral.pk
    referral.delete()
    if not client.referrals.exists() and not any(keep(client) for keep in KEEPS):
        Client.objects.filter(pk=client.pk).delete()
        client = None
    record_staff(None, AuditAction.REFERRAL_PURGED, organisation=record.organisation, client=client, target=f"referral {pk} (purged {record.pk})")
    return record


def unreachable_after(organisation: Any) -> int:
    """The organisation's own number of failed first-contact attempts after which the person could not be reached."""
    settings = getattr(organisation, "settings", None) if organisation is not None else None
    return int(settings.failed_attempts_limit) if settings is not None else UNREACHABLE_AFTER


def outcome(referral: Referral, limit: int | None = None) -> str:
    """What the sender is told became of its referral: contacted, declined, passed_on, could_not_be_reached (after
    the organisation's own limit of failed attempts), accepted or received (nothing more: no content, no staff
    names). ``limit``: the organisation's limit when the caller has read it once for many referrals."""
    if referral.first_contact_at:
        return "contacted"
    if referral.status == ReferralStatus.DECLINED:
        return "declined"
    if referral.status == ReferralStatus.PASSED_ON:
        return "passed_on"
    if limit is None:
        limit = unreachable_after(referral.organisation)
    if referral.attempts.exclude(outcome__in=SUCCESSFUL_OUTCOMES).count() >= limit:
        return "could_not_be_reached"
    if referral.status == ReferralStatus.ACCEPTED:
        return "accepted"
    return "received"


OUTCOMES = ("received", "accepted", "contacted", "declined", "passed_on", "could_not_be_reached", "withdrawn")
