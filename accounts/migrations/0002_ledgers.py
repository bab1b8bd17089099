import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("ledgers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="active_ledger",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="ledgers.ledger",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="ledger",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="api_tokens",
                to="ledgers.ledger",
            ),
        ),
    ]
