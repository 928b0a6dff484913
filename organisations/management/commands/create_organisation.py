"""python manage.py create_organisation --name "..." --nation ENG --admin-email a@b [--slug s] [--admin-name n]

Sets up a service: its own key, default settings, and a first organisation admin (an existing account, who
must then turn on two-step verification: staff pages need it every time)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from organisations.models import Nation
from organisations.services import organisation_create


class Command(BaseCommand):
    help = "Create an organisation (a support service) with its first organisation admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--nation", required=True, choices=Nation.values, help="Bank holidays of: ENG, WLS, SCT or NIR.")
        parser.add_argument("--slug", default="", help="Short name used in addresses (/staff/<slug>/); made from the name if left out.")
        parser.add_argument("--admin-email", required=True, help="The e-mail address of an existing account.")
        parser.add_argument("--admin-name", default="", help="How colleagues know the admin.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(email__iexact=options["admin_email"]).first()
        if user is None:
            raise CommandError(f"No account with the e-mail address {options['admin_email']}. Sign up first, then run this again.")
        try:
            org = organisation_create(name=options["name"], nation=options["nation"], slug=options["slug"], admin=user, admin_name=options["admin_name"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Organisation {org.name} created: /staff/{org.slug}/ ({org.get_nation_display()} bank holidays).")
