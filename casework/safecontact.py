"""The safe-contact rules a contact attempt must keep (design 3.3), checked by the contact log.

A broken rule is refused unless the staff member gives a reason to override it (at least 10 characters); the
reason is sealed with the attempt and the override is written in the audit row."""

from __future__ import annotations

from typing import Any

from casework.models import ContactOutcome


def broken_rules(safe_contact: dict[str, Any] | None, *, channel: str, outcome: str) -> list[str]:
    """The rules this attempt would break, in words; an empty list when it keeps them all."""
    rules = safe_contact or {}
    broken = []
    if channel == "text" and not rules.get("text_ok"):
        broken.append("Text messages are not safe for this person.")
    if channel == "email" and not rules.get("email_safe"):
        broken.append("E-mail is not safe for this person.")
    if outcome == ContactOutcome.VOICEMAIL and not rules.get("voicemail_ok"):
        broken.append("A voicemail must not be left for this person.")
    if channel in ("phone", "text") and rules.get("phone_unsafe"):
        broken.append(f"The number on record is unsafe ({rules['phone_unsafe']}).")
    if channel in ("phone", "text") and rules.get("suspect_has_access"):
        broken.append("The suspect lives with them or has access to their phone.")
    return broken
