"""The rules a referral must pass before anything about it is stored (design 3.1; anchors 7.1).

* An opted-out referral is refused.
* Domestic abuse or a sexual offence needs the person's explicit consent (the police seek it first); without it the
  referral is refused. Domestic abuse is derived from the suspect's relationship (partner, ex-partner, family:
  "personally connected", Domestic Abuse Act 2021 s.2) as well as from the offence flag, because feeds often
  leave the flag unset on stalking by an ex-partner.
* A person who refers themselves has consented for themselves.

A refused referral is never stored; only an audit row without content says that one was refused, and why.
"""

from __future__ import annotations

from collections.abc import Iterable

from casework.models import Consent, Offence, Relationship

DOMESTIC_RELATIONSHIPS = frozenset({Relationship.PARTNER, Relationship.EX_PARTNER, Relationship.FAMILY})
SEXUAL_OFFENCES = frozenset({Offence.SEXUAL})
EXPLICIT = frozenset({Consent.EXPLICIT, Consent.SELF})

OPTED_OUT_MESSAGE = "The person opted out of being referred, so this referral cannot be taken. Nothing has been stored."
NEEDS_CONSENT_MESSAGE = (
    "This referral is about {what}, which needs the person's explicit consent before it is passed on. "
    "It has not been stored. Ask the referrer to get consent, or record that the person referred themselves."
)


def is_domestic_abuse(flag: bool, relationship: str) -> bool:
    return bool(flag) or relationship in DOMESTIC_RELATIONSHIPS


def is_sexual_offence(flag: bool, offences: Iterable[str]) -> bool:
    return bool(flag) or any(o in SEXUAL_OFFENCES for o in offences)


def refusal(*, consent: str, domestic_abuse: bool, sexual_offence: bool) -> str | None:
    """Why the referral must be refused, in words for the referrer; None when it may be taken."""
    if consent == Consent.OPTED_OUT:
        return OPTED_OUT_MESSAGE
    if (domestic_abuse or sexual_offence) and consent not in EXPLICIT:
        what = " and ".join(w for w, on in (("domestic abuse", domestic_abuse), ("a sexual offence", sexual_offence)) if on)
        return NEEDS_CONSENT_MESSAGE.format(what=what)
    return None


def refusal_code(*, consent: str, domestic_abuse: bool, sexual_offence: bool) -> str:
    """A short code for the audit row (never content)."""
    if consent == Consent.OPTED_OUT:
        return "opted out"
    return "no explicit consent (" + ", ".join(w for w, on in (("domestic abuse", domestic_abuse), ("sexual offence", sexual_offence)) if on) + ")"
