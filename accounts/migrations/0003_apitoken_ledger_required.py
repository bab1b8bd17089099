import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_ledgers"),
        ("ledgers", "0002_backfill_personal_ledgers"),
    ]

    operations = [
        migrations.AlterField(
            model_name="apitoken",
            name="ledger",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_tokens",
                to="ledgers.ledger",
            ),
        ),
    ]
