"""Contacts for Scotland and Northern Ireland, from support/data/contacts.json. A contact's checked-on date may now be
empty: these were taken from stored copies of their sources on a machine without internet and not yet checked
against the live pages (checker_notes says so, for the administrators). Only missing rows are added: an
administrator's edits to existing rows are kept."""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data" / "contacts.json"


def add_missing(apps, schema_editor):  # noqa: ANN001, ANN201
    Contact = apps.get_model("support", "Contact")
    known = {f.name for f in Contact._meta.get_fields()}
    existing = set(Contact.objects.values_list("slug", flat=True))
    for item in json.loads(DATA.read_text(encoding="utf-8")):
        if item["slug"] in existing:
            continue
        fields = {k: v for k, v in item.items() if k in known}
        fields["checked_on"] = dt.date.fromisoformat(fields["checked_on"]) if fields.get("checked_on") else None
        Contact.objects.create(**fields)


class Migration(migrations.Migration):
    dependencies = [("support", "0004_contacts_by_nation")]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="checked_on",
            field=models.DateField(
                blank=True,
                help_text="When the details were last checked against the source. Empty until someone has checked them: say why in the notes.",
                null=True,
            ),
        ),
        migrations.RunPython(add_missing, migrations.RunPython.noop),
    ]
