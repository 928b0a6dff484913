"""What leaves Daybook about the circle: nothing, unless the person asked for neutral notices (issue 17, item 5).

Shares, link codes, sightings and deletions send no e-mail and no text by default: a message about them could tell
someone holding the person's phone or mailbox that the person has a support service or a circle. A person may ask,
at /account/notices/ (takeout/), for a neutral notice in words they choose from a fixed list ("There is something
new in your account."), under a subject of their own, never naming Daybook, a service, a contact or what happened.
At most one notice is sent in ``NOTICE_GAP``, so a burst of sightings is not a burst of e-mails.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

NOTICE_GAP = dt.timedelta(hours=6)
DEFAULT_SUBJECT = "Your account"


def _choice(user: Any) -> Any:
    if not getattr(user, "pk", None):
        return None
    model = apps.get_model("takeout", "NoticeChoice")  # by name: the person's choice lives with their data settings
    return model.objects.filter(owner_id=user.pk).first()


def asked_for_neutral_notices(user: Any) -> bool:
    """The person's choice: no row, or "none", means no notices."""
    choice = _choice(user)
    return choice is not None and choice.wording != "none" and bool(getattr(user, "email", ""))


def neutral_notice(user: Any) -> bool:
    """Send a neutral notice if, and only if, the person asked for them and none went out recently."""
    choice = _choice(user)
    if choice is None or choice.wording == "none" or not getattr(user, "email", ""):
        return False
    now = timezone.now()
    model = type(choice)
    with transaction.atomic():
        claimed = model.objects.filter(pk=choice.pk).exclude(last_sent_at__gt=now - NOTICE_GAP).update(last_sent_at=now)
    if not claimed:
        return False
    words = dict(model.WORDINGS)[choice.wording]
    send_mail(choice.subject or DEFAULT_SUBJECT, f"{words}\n", settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def notice_later(user: Any) -> None:
    """Send the notice once the caller's transaction has committed (nothing goes out for a change rolled back)."""
    transaction.on_commit(lambda: neutral_notice(user))
