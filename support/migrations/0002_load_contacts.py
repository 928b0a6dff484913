"""Load the support contacts from support/data/contacts.json (editable afterwards in the admin)."""

import datetime as dt
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "contacts.json"


def load(apps, schema_editor):  # noqa: ANN001, ANN201
    Contact = apps.get_model("support", "Contact")
    known = {f.name for f in Contact._meta.get_fields()}
    for item in json.loads(DATA.read_text(encoding="utf-8")):
        if not item.get("checked_on"):
            continue  # a contact not yet checked against its source is added by 0005, where the date may be empty
        fields = {k: v for k, v in item.items() if k in known}  # later fields are filled by later migrations
        fields["checked_on"] = dt.date.fromisoformat(fields["checked_on"])
        slug = fields.pop("slug")
        Contact.objects.update_or_create(slug=slug, defaults=fields)


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
