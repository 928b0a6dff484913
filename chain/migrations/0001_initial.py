# ChainEntry, moved here from the diary. State only: the existing table diary_chainentry (created by
# diary 0001_initial) is taken over as it is, with its rows, index and constraint; no data moves.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0001_initial'),
        ('diary', '0004_chainentry_moves_to_chain'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ChainEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('seq', models.PositiveIntegerField()),
                        ('kind', models.CharField(max_length=32)),
                        ('ref', models.CharField(max_length=64)),
                        ('at', models.CharField(max_length=40)),
                        ('payload_sha256', models.CharField(max_length=64)),
                        ('prev_hash', models.CharField(max_length=64)),
                        ('entry_hash', models.CharField(max_length=64)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chain', to='cases.case')),
                    ],
                    options={
                        'db_table': 'diary_chainentry',
                        'ordering': ['seq'],
                        'constraints': [models.UniqueConstraint(fields=('case', 'seq'), name='chain_seq_unique')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
