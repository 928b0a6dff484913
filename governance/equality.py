"""Optional equality monitoring (issue 16 item 4): the questions and their answers, the staff member's record of a
client's answers (sealed with the client's key, never shown on the client's record) and its validation.

Every question may be left unanswered, and every question offers "Prefer not to say". Categories follow the
2021 Census of England and Wales (ethnic group at its five top-level groups). The fact written for the return
(governance/facts.py) holds only the categories.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.actions import AuditAction
from audit.services import record_staff
from casework.models import Client
from governance.models import EqualityMonitoring
from kernel.localtime import today
from organisations.access import Staff

PREFER_NOT = "prefer_not"
PREFER_NOT_LABEL = "Prefer not to say"
UNANSWERED_LABEL = "Not answered"

QUESTIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "age",
        "Age band",
        [
            ("under_18", "Under 18"),
            ("18_24", "18 to 24"),
            ("25_34", "25 to 34"),
            ("35_44", "35 to 44"),
            ("45_54", "45 to 54"),
            ("55_64", "55 to 64"),
            ("65_74", "65 to 74"),
            ("75_over", "75 and over"),
        ],
    ),
    ("sex", "Sex", [("female", "Female"), ("male", "Male")]),
    ("gender_same", "Gender identity the same as the sex registered at birth", [("yes", "Yes"), ("no", "No")]),
    (
        "ethnicity",
        "Ethnic group",
        [
            ("asian", "Asian, Asian British or Asian Welsh"),
            ("black", "Black, Black British, Black Welsh, Caribbean or African"),
            ("mixed", "Mixed or Multiple ethnic groups"),
            ("white", "White"),
            ("other", "Other ethnic group"),
        ],
    ),
    ("disability", "Disability (a condition or illness lasting 12 months or more that limits day-to-day activities)", [("yes", "Yes"), ("no", "No")]),
    (
        "religion",
        "Religion",
        [
            ("none", "No religion"),
            ("christian", "Christian"),
            ("buddhist", "Buddhist"),
            ("hindu", "Hindu"),
            ("jewish", "Jewish"),
            ("muslim", "Muslim"),
            ("sikh", "Sikh"),
            ("other", "Any other religion"),
        ],
    ),
    (
        "orientation",
        "Sexual orientation",
        [("straight", "Straight or heterosexual"), ("gay_lesbian", "Gay or lesbian"), ("bisexual", "Bisexual"), ("other", "Another sexual orientation")],
    ),
]
KEYS = [key for key, _, _ in QUESTIONS]


def choices(key: str) -> list[tuple[str, str]]:
    """The answers a question allows, "Prefer not to say" last (unanswered is the empty string)."""
    return [*next(c for k, _, c in QUESTIONS if k == key), (PREFER_NOT, PREFER_NOT_LABEL)]


def clean(answers: Mapping[str, object]) -> dict[str, str]:
    """Only known questions, only their answers; an empty answer is left out (not answered)."""
    unknown = set(answers) - set(KEYS)
    if unknown:
        raise ValidationError("Answer only the questions asked.")
    out: dict[str, str] = {}
    for key in KEYS:
        value = answers.get(key) or ""
        if not isinstance(value, str):
            raise ValidationError({key: "Choose an answer from the list, or leave it unanswered."})
        if value == "":
            continue
        if value not in dict(choices(key)):
            raise ValidationError({key: "Choose an answer from the list, or leave it unanswered."})
        out[key] = value
    return out


def answers_of(client: Client) -> dict[str, str]:
    row = EqualityMonitoring.objects.filter(client=client).first()
    if row is None:
        return {}
    row.client = client
    return dict(row.answers or {})


@transaction.atomic
def record(*, staff: Staff, client: Client, answers: Mapping[str, object]) -> EqualityMonitoring:
    """Record (or change) the client's answers, sealed with the client's key."""
    if client.organisation_id != staff.organisation.pk:
        raise ValidationError("No such client.")
    cleaned = clean(answers)
    row = EqualityMonitoring.objects.select_for_update().filter(client=client).first()
    if row is None:
        row = EqualityMonitoring(organisation=staff.organisation, client=client, recorded_on=today())
    row.client = client
    row.answers = cleaned
    row.updated_at = timezone.now()
    row.updated_by = staff.membership
    row.save()
    record_staff(staff.user, AuditAction.EQUALITY_RECORDED, organisation=staff.organisation, client=client, target=f"{len(cleaned)} answers")
    return row
