"""Small shared rules of the justice side: access to a client's pages, clean text, dates, reminders.

Access goes through casework.policy (the one service-side policy): a member sees a client's justice pages when
their role sees client records at all (``Can.SEE_CLIENTS``) and the policy gives them full sight. A restricted
client they are not named on gives the break-glass page; anything else is a missing page.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from casework.models import Client
from casework.policy import Sight, sight
from justice.models import Task
from organisations.access import Can, Staff
from organisations.models import Role

MAX_TEXT = 5000




def may_work_on(staff: Staff, client: Client) -> None:
    """The service layer's own check (whoever calls it): the same rule as the pages."""
    if client.organisation_id != staff.organisation.pk or not staff.can(Can.SEE_CLIENTS) or sight(staff, client) is not Sight.FULL:
        raise ValidationError("You cannot work on this client record.")


def is_team_lead(staff: Staff) -> bool:
    return staff.membership.role == Role.TEAM_LEAD


def today() -> dt.date:
    return timezone.localdate()


def clean_text(value: str | None, what: str, *, required: bool = False, minimum: int = 0, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(f"Write {what}.")
    if text and len(text) < minimum:
        raise ValidationError(f"Write {what} in a sentence or two (at least {minimum} characters).")
    if len(text) > limit:
        raise ValidationError(f"{what[0].upper()}{what[1:]} is too long: keep it under {limit} characters.")
    return text


def not_future(day: dt.date | None, what: str) -> None:
    if day is not None and day > today():
        raise ValidationError(f"{what[0].upper()}{what[1:]} cannot be in the future.")


def not_before(later: dt.date | None, earlier: dt.date | None, message: str) -> None:
    if later is not None and earlier is not None and later < earlier:
        raise ValidationError(message)


def remind(client: Client, kind: str, due_on: dt.date, about: str) -> Task:
    """A reminder on the due list (reminders are not records: they are not chained)."""
    return Task.objects.create(client=client, kind=kind, due_on=due_on, about=about)
