"""Writes of the person's side of a share: asking a service for support, using a link code, narrowing and ending;
and the service's own kept copy. One transaction each, with its audit row. Nothing here sends a message
(circle/notices.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.models import AuditEvent
from audit.services import record, record_staff
from cases.models import Case
from casework.models import Client, Consent, Source
from casework.services import ReferralInput, SafeContact, referral_store
from circle.models import KeptCopy, LinkCode, Share, ShareOrigin
from circle.scope import Scope, scope_of
from organisations.access import Staff
from organisations.models import LawfulBasis, Organisation

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out on a call
CODE_LENGTH = 10  # about 49 bits
CODE_MINUTES = 30
CODE_TRIES = 5  # wrong codes per person (and per address) per window
CODE_TRIES_WINDOW = 15 * 60


class Refused(ValueError):
    """A request refused, with the person's words."""


def _audit(user: Any, action: AuditAction, case: Case, share: Share, target: str = "", *, by_owner: bool = True) -> None:
    """One audit row in the person's case and the organisation's log at once (the person sees the service named)."""
    actor = user if getattr(user, "is_authenticated", False) else None
    AuditEvent.objects.create(
        actor=actor,
        case=case,
        organisation=share.organisation,
        client=share.client,
        action=action.value,
        target=(target or f"share {share.pk}")[:128],
        by_owner=by_owner,
    )


def _check_scope(scope: Scope) -> None:
    errors = scope.check()
    if errors:
        raise ValidationError(errors)


def _owned(user: Any, case: Case) -> Case:
    if case.owner_id != getattr(user, "pk", None):
        raise ValidationError({"case": "Choose one of your own cases"})
    return case


def _new_share(user: Any, case: Case, client: Client, origin: str, scope: Scope) -> Share:
    share = Share.objects.create(
        case=case,
        organisation=client.organisation,
        client=client,
        origin=origin,
        diary=scope.diary,
        diary_from=scope.diary_from if scope.diary else None,
        evidence=scope.evidence,
        reports=scope.reports,
        screening=scope.screening,
    )
    _audit(user, AuditAction.SHARE_GRANTED, case, share)
    return share


def hosted_organisations() -> list[Organisation]:
    """The services hosted on this Daybook that a person may ask for support."""
    return list(Organisation.objects.order_by("name"))


@dataclass(frozen=True)
class SupportRequest:
    organisation: Organisation
    case: Case
    scope: Scope
    name: str
    safe_number: str = ""
    code_word: str = ""
    suspect_has_phone: bool = True


def share_ask_support(*, user: Any, request: SupportRequest) -> Share:
    """ "Get support": a self-referral to the organisation (its triage queue, with the person's safe-contact
    choices) and a share of the case joined to that new client record, in one go."""
    _owned(user, request.case)
    _check_scope(request.scope)
    if not request.name.strip():
        raise ValidationError({"name": "Enter the name the service should use"})
    data = ReferralInput(
        source=Source.SELF,
        consent=Consent.SELF,
        lawful_basis=LawfulBasis.CONSENT,
        full_name=request.name.strip()[:200],
        phones=[request.safe_number.strip()] if request.safe_number.strip() else [],
        safe_contact=SafeContact(safe_numbers=request.safe_number.strip(), code_word=request.code_word.strip(), suspect_has_access=request.suspect_has_phone),
    )
    with transaction.atomic():
        referral, _ = referral_store(organisation=request.organisation, data=data)
        return _new_share(user, request.case, referral.client, ShareOrigin.ASKED, request.scope)


# --- Link codes ----------------------------------------------------------------------------------------------


def code_hash(code: str) -> str:
    clean = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return hashlib.sha256(f"daybook.link-code.v1:{clean}".encode()).hexdigest()


def code_minutes() -> int:
    """How long a new link code works (the ``DAYBOOK_LINK_CODE_MINUTES`` setting, 30 by default)."""
    return int(getattr(settings, "DAYBOOK_LINK_CODE_MINUTES", CODE_MINUTES))


def code_issue(*, staff: Staff, client: Client, scope: Scope) -> str:
    """A new one-time code for ``client`` asking for ``scope``; returned once (only its hash is kept)."""
    _check_scope(scope)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    minutes = code_minutes()
    with transaction.atomic():
        LinkCode.objects.create(
            organisation=staff.organisation,
            client=client,
            created_by=staff.membership,
            code_hash=code_hash(code),
            diary=scope.diary,
            evidence=scope.evidence,
            reports=scope.reports,
            screening=scope.screening,
            expires_at=timezone.now() + dt.timedelta(minutes=minutes),
        )
        record_staff(staff.user, AuditAction.LINK_CODE_ISSUED, organisation=staff.organisation, client=client, target=f"client {client.pk}")
    return f"{code[:5]}-{code[5:]}"


def _tries_key(kind: str, who: str) -> str:
    return f"circle-code-tries:{kind}:{who}"


def _too_many(user: Any, address: str) -> bool:
    return any((cache.get(_tries_key(k, w)) or 0) >= CODE_TRIES for k, w in (("user", str(user.pk)), ("ip", address)))


def _count_try(user: Any, address: str) -> None:
    for key in (_tries_key("user", str(user.pk)), _tries_key("ip", address)):
        cache.add(key, 0, timeout=CODE_TRIES_WINDOW)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=CODE_TRIES_WINDOW)


NOT_VALID = "That code is not valid. Check it with your support service: codes work once, for a short time."
TOO_MANY = "Too many codes tried. Wait 15 minutes, then try again."


def code_lookup(*, user: Any, code: str, address: str) -> LinkCode:
    """The unused, unexpired code, or Refused (wrong tries are counted and limited per person and address)."""
    if _too_many(user, address):
        raise Refused(TOO_MANY)
    row = (
        LinkCode.objects.select_related("organisation", "client").filter(code_hash=code_hash(code), used_at__isnull=True, expires_at__gt=timezone.now()).first()
    )
    if row is None:
        _count_try(user, address)
        with transaction.atomic():
            record(user, AuditAction.LINK_CODE_REFUSED, None, "wrong, used or expired code")
        raise Refused(NOT_VALID)
    return row


def code_pending(digest: str | None) -> LinkCode | None:
    """The code kept in the person's session between the two pages, while it is still unused and unexpired."""
    if not digest:
        return None
    return LinkCode.objects.select_related("organisation").filter(code_hash=digest, used_at__isnull=True, expires_at__gt=timezone.now()).first()


def code_accept(*, user: Any, digest: str, case: Case, scope: Scope) -> Share:
    """Use the code (by its hash, kept in the person's session between the two pages) to share ``case``.
    The person may give less than the service asked, never more."""
    _owned(user, case)
    _check_scope(scope)
    with transaction.atomic():
        row = LinkCode.objects.select_for_update().select_related("organisation", "client").filter(code_hash=digest).first()
        if row is None or row.used_at is not None or row.expires_at <= timezone.now():
            raise Refused(NOT_VALID)
        if not scope.within(scope_of(row)):
            raise ValidationError({"diary": "You can share less than the service asked for, not more"})
        share = _new_share(user, case, row.client, ShareOrigin.CODE, scope)
        row.used_at = timezone.now()
        row.share = share
        row.save(update_fields=["used_at", "share"])
    return share


# --- Narrowing and ending ------------------------------------------------------------------------------------


def _passphrase(user: Any, passphrase: str) -> None:
    if not user.check_password(passphrase or ""):
        raise ValidationError({"passphrase": "That is not your passphrase"})


def share_narrow(*, user: Any, share: Share, scope: Scope, passphrase: str) -> Share:
    _passphrase(user, passphrase)
    _check_scope(scope)
    if not scope.within(scope_of(share)):
        raise ValidationError({"diary": "You can only share less here. To share more, ask for support again."})
    with transaction.atomic():
        current = Share.objects.select_for_update().get(pk=share.pk)
        if current.ended_at is not None:
            raise Refused("This sharing has already ended.")
        for name in ("diary", "evidence", "reports", "screening"):
            setattr(current, name, getattr(scope, name))
        current.diary_from = scope.diary_from if scope.diary else None
        current.save()
        _audit(user, AuditAction.SHARE_NARROWED, share.case, current, f"share {share.pk}: " + "; ".join(scope.words())[:100])
    return current


def share_end(*, user: Any, share: Share, passphrase: str) -> Share:
    _passphrase(user, passphrase)
    with transaction.atomic():
        current = Share.objects.select_for_update().get(pk=share.pk)
        if current.ended_at is None:
            current.ended_at = timezone.now()
            current.save(update_fields=["ended_at"])
            _audit(user, AuditAction.SHARE_ENDED, share.case, current)
    return current


# --- The service's own copy -----------------------------------------------------------------------------------

MAX_COPY = 20_000


def copy_keep(*, staff: Staff, share: Share, what: str, text: str, reason: str) -> KeptCopy:
    """Keep the service's own copy of something read through ``share`` (already checked by the policy)."""
    if not reason.strip():
        raise ValidationError({"reason": "Say what the service relies on this for"})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep this under 500 characters"})
    with transaction.atomic():
        copy = KeptCopy(organisation=staff.organisation, client=share.client, share=share, copied_by=staff.membership, what=what[:100])
        copy.text = text[:MAX_COPY]
        copy.reason = reason.strip()
        copy.save()
        _audit(staff.user, AuditAction.SHARE_COPY_KEPT, share.case, share, what, by_owner=False)
    return copy
