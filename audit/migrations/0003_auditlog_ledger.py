import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only"),
        ("ledgers", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditlog",
            name="ledger",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="ledgers.ledger",
            ),
        ),
    ]
