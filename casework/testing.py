"""Helpers for the casework tests: a referral recorded through the service, as a staff member would."""

from __future__ import annotations

from typing import Any

from casework.models import Consent, Referral, Source
from casework.services import ReferralInput, SafeContact, referral_record
from organisations.access import Staff
from organisations.models import LawfulBasis, Membership


def staff_of(membership: Membership) -> Staff:
    return Staff(organisation=membership.organisation, membership=membership)


def referral_input(**kwargs: Any) -> ReferralInput:
    values: dict[str, Any] = {
        "source": Source.STAFF_CALL,
        "consent": Consent.SELF,
        "lawful_basis": LawfulBasis.CONSENT,
        "full_name": "Alice Example",
        "safe_contact": SafeContact(safe_numbers="07700 900001", voicemail_ok=False, code_word="bluebird"),
    }
    values.update(kwargs)
    return ReferralInput(**values)


def make_referral(membership: Membership, **kwargs: Any) -> Referral:
    return referral_record(staff=staff_of(membership), data=referral_input(**kwargs))
