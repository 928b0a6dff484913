"""python manage.py load_demo [--email EMAIL]

Adds the clearly labelled sample case. Without --email it creates (or reuses) a demo account and
prints its sign-in details."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from diary.demo import load_sample_case

DEMO_EMAIL = "demo@example.invalid"


class Command(BaseCommand):
    help = "Load the sample case (made-up data) for an account, creating a demo account if none is given."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="Add the sample case to this existing account.")

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        password = None
        if options.get("email"):
            user = User.objects.filter(email__iexact=options["email"]).first()
            if user is None:
                raise CommandError(f"No account with the email {options['email']}")
        else:
            user = User.objects.filter(email=DEMO_EMAIL).first()
            if user is None:
                password = "-".join(secrets.choice(WORDS) for _ in range(4))
                user = User.objects.create_user(username="demo", email=DEMO_EMAIL, password=password)
                from allauth.account.models import EmailAddress  # noqa: PLC0415

                EmailAddress.objects.create(user=user, email=DEMO_EMAIL, primary=True, verified=True)
        case = load_sample_case(user)
        self.stdout.write(f"Sample case {case.pk} added for {user.email} ({case.incidents.count()} incidents).")
        if password:
            self.stdout.write(f"Sign in with email {DEMO_EMAIL} and passphrase {password}")


WORDS = [
    "kettle",
    "orange",
    "harbour",
    "bicycle",
    "meadow",
    "lantern",
    "pepper",
    "violet",
    "canal",
    "thimble",
    "walnut",
    "puzzle",
    "garden",
    "copper",
    "ribbon",
    "pebble",
    "willow",
    "saddle",
    "marble",
    "cobalt",
]
