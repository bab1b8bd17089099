from typing import Any

from django.db import migrations, models


def mark_ledgers_with_plans(apps: Any, schema_editor: Any) -> None:
    Ledger = apps.get_model("ledgers", "Ledger")
    BudgetItem = apps.get_model("finance", "BudgetItem")
    planned = BudgetItem.objects.values("ledger_id")
    Ledger.objects.filter(pk__in=planned).update(has_budget=True)


class Migration(migrations.Migration):
    dependencies = [
        ("ledgers", "0003_ledger_categories_version"),
        ("finance", "0006_merge_20261201_1415"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledger",
            name="has_budget",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_ledgers_with_plans, migrations.RunPython.noop),
    ]
