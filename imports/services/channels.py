"""Source channels of imported records (WhatsApp, SMS, e-mail...) and the diary channel each is recorded under."""

from __future__ import annotations

SOURCES: dict[str, tuple[str, str]] = {
    # source channel: (what the person sees, diary channel)
    "whatsapp": ("WhatsApp", "messaging_app"),
    "telegram": ("Telegram", "messaging_app"),
    "signal": ("Signal", "messaging_app"),
    "messenger": ("Messenger", "messaging_app"),
    "instagram": ("Instagram", "social_media"),
    "facebook": ("Facebook", "social_media"),
    "sms": ("text", "text"),
    "mms": ("text", "text"),
    "text": ("text", "text"),
    "imessage": ("iMessage", "text"),
    "rcs": ("text", "text"),
    "email": ("e-mail", "email"),
    "e-mail": ("e-mail", "email"),
    "phone": ("phone", "phone_call"),
    "call": ("phone", "phone_call"),
    "calls": ("phone", "phone_call"),
    "voicemail": ("phone", "phone_call"),
}
CHANNEL_NAMES = {"messaging_app": "messaging app", "text": "text message", "phone_call": "phone", "email": "e-mail", "social_media": "social media"}
# The diary's channel codes: an import records its incidents under one of these.
CHANNEL_CODES = {"in_person", "phone_call", "text", "messaging_app", "email", "social_media", "letter", "gift", "third_party", "other"}


def source_of(channel: str) -> tuple[str, str]:
    """(label, diary channel) for a record's source channel; unknown CSV channels are "other"."""
    key = (channel or "").strip().casefold()
    if key in SOURCES:
        return SOURCES[key]
    return (channel.strip()[:20] or "other", "other")
