"""Fill in where each contact helps (nations) and move data-checking notes out of the person's view
(checker_notes), from support/data/contacts.json. Only these fields are touched: other admin edits are kept."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "contacts.json"
FIELDS = ("nations", "checker_notes", "unverified")


def load(apps, schema_editor):  # noqa: ANN001, ANN201
    Contact = apps.get_model("support", "Contact")
    for item in json.loads(DATA.read_text(encoding="utf-8")):
        Contact.objects.filter(slug=item["slug"]).update(**{name: item.get(name, "") for name in FIELDS})


class Migration(migrations.Migration):
    dependencies = [("support", "0003_contact_nations_and_checker_notes")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
