# The ChainEntry model moves to the chain app. State only: the table diary_chainentry and its rows stay where
# they are (chain.models.ChainEntry keeps db_table="diary_chainentry"); no data moves.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('diary', '0003_integrity_check'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ChainEntry')],
            database_operations=[],
        ),
    ]
