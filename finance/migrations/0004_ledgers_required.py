"""The books move to ledgers, step 3: after the backfill, every row has its ledger;
uniqueness that was per user becomes per ledger."""

import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0003_ledgers_add"),
        ("ledgers", "0002_backfill_personal_ledgers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="transaction",
            name="ledger",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="transactions",
                to="ledgers.ledger",
            ),
        ),
        migrations.AlterField(
            model_name="transaction",
            name="paid_by",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="paid_transactions",
                to=settings.AUTH_USER_MODEL,
                verbose_name="paid by",
            ),
        ),
        migrations.AlterField(
            model_name="category",
            name="ledger",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="categories",
                to="ledgers.ledger",
            ),
        ),
        migrations.AlterField(
            model_name="budgetitem",
            name="ledger",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="budget_items",
                to="ledgers.ledger",
            ),
        ),
        migrations.RemoveConstraint(model_name="category", name="finance_category_unique_slug"),
        migrations.RemoveConstraint(model_name="category", name="finance_category_unique_name"),
        migrations.RemoveConstraint(
            model_name="budgetitem", name="finance_budgetitem_unique_month"
        ),
        migrations.RemoveField(model_name="category", name="user"),
        migrations.RemoveField(model_name="budgetitem", name="user"),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                fields=("ledger", "slug"), name="finance_category_unique_ledger_slug"
            ),
        ),
        migrations.AddConstraint(
            model_name="category",
            constraint=models.UniqueConstraint(
                models.F("ledger"),
                models.F("kind"),
                django.db.models.functions.text.Lower("name"),
                name="finance_category_unique_ledger_name",
            ),
        ),
        migrations.AddConstraint(
            model_name="budgetitem",
            constraint=models.UniqueConstraint(
                fields=("ledger", "month", "category"),
                name="finance_budgetitem_unique_ledger_month",
            ),
        ),
        migrations.AddIndex(
            model_name="transaction",
            index=models.Index(fields=["ledger", "date"], name="finance_tx_ledger_date"),
        ),
    ]
