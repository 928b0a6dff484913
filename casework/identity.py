"""Identity before disclosure (design 3.3): before staff disclose anything to someone, or change a person's
safe-contact rules, they confirm that they are speaking to the person: by calling back on the recorded safe number,
or by the code word. To anyone else asking about a person, staff neither confirm nor deny that the service knows them.

The checks live here and are called by the services that disclose or change (casework/services.py
``contact_attempt_record``, :func:`safe_contact_change`), whoever calls them."""

from __future__ import annotations

import datetime as dt
import hmac
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from casework.models import Client, ContactAttempt, ContactOutcome, Identity
from organisations.access import Staff
from organisations.normalise import normal_name

# A safe-contact change needs a conversation with identity confirmed by the same staff member this recently.
CONFIRMED_FOR = dt.timedelta(hours=2)
NEITHER_CONFIRM_NOR_DENY = (
    "If anyone other than the person asks about them (a caller, a relative, a professional you cannot verify, the "
    "police on an unrecorded line): neither confirm nor deny that this service knows them. Say: \u201cI can neither "
    "confirm nor deny whether we are working with anyone. If you give me your details, I will pass them on if that "
    "is appropriate.\u201d Then record the call, and tell a team lead if it felt like someone looking for them."
)


def identity_check(client: Client, *, outcome: str, identity: str, code_word_given: str = "") -> None:
    """Refuse a conversation recorded without the person's identity confirmed (ValidationError)."""
    if identity and identity not in Identity.values:
        raise ValidationError({"identity": "Choose how identity was confirmed."})
    if outcome != ContactOutcome.SPOKE:
        return
    rules = client.safe_contact or {}
    if identity == Identity.CODE_WORD:
        word = (rules.get("code_word") or "").strip()
        if not word:
            raise ValidationError({"identity": "No code word is recorded for this person: call back on the safe number instead."})
        if not hmac.compare_digest(normal_name(word).encode(), normal_name(code_word_given).encode()) or not normal_name(code_word_given):
            raise ValidationError(
                {"code_word_given": "That is not the code word on record. Disclose nothing; record the call as 'Someone else answered' if it may not be them."}
            )
        return
    if identity == Identity.CALL_BACK:
        if not (rules.get("safe_numbers") or "").strip() or rules.get("phone_unsafe"):
            raise ValidationError({"identity": "There is no safe number on record to call back: use the code word, or confirm a safe number first."})
        return
    raise ValidationError(
        {
            "identity": "Before disclosing anything, confirm it is the person (call back on the safe number, or the code word). "
            "If you could not, record the call as 'Someone else answered' and disclose nothing."
        }
    )


def recently_confirmed(staff: Staff, client: Client) -> bool:
    since = timezone.now() - CONFIRMED_FOR
    return ContactAttempt.objects.filter(
        referral__client=client, by=staff.membership, outcome=ContactOutcome.SPOKE, identity__in=[Identity.CALL_BACK, Identity.CODE_WORD], at__gte=since
    ).exists()


@transaction.atomic
def safe_contact_change(*, staff: Staff, client: Client, rules: dict[str, Any]) -> Client:
    """Change the person's safe-contact rules: only after speaking to them with identity confirmed (by this staff
    member, within :data:`CONFIRMED_FOR`). A new safe number clears an earlier "number unsafe" mark."""
    if not recently_confirmed(staff, client):
        raise ValidationError(
            "Safe-contact rules change only on the person's word: first record a conversation with them in which you confirmed their identity."
        )
    allowed = {"safe_numbers", "voicemail_ok", "text_ok", "safe_times", "email_safe", "post_safe", "code_word", "alternative_contact", "suspect_has_access"}
    current = dict(client.safe_contact or {})
    new = {k: (v.strip() if isinstance(v, str) else bool(v)) for k, v in rules.items() if k in allowed}
    if new.get("safe_numbers") and new["safe_numbers"] != current.get("safe_numbers"):
        current.pop("phone_unsafe", None)
    current.update(new)
    client.safe_contact = current
    client.save(update_fields=["safe_contact_enc"])
    record_staff(staff.user, AuditAction.SAFE_CONTACT_CHANGED, organisation=staff.organisation, client=client, target=f"client {client.pk}")
    return client
