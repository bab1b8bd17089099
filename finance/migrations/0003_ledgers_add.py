"""The books move to ledgers, step 1: the new columns, nullable until the backfill."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("finance", "0002_transaction_fk_indexes"),
        ("ledgers", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Dropped before the rename: the index names the old field, and the backfill
        # rewrites every row anyway. 0004 indexes (ledger, date) instead.
        migrations.RemoveIndex(model_name="transaction", name="finance_tx_user_date"),
        migrations.RenameField(model_name="transaction", old_name="user", new_name="created_by"),
        migrations.AlterField(
            model_name="transaction",
            name="created_by",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="transactions",
                to=settings.AUTH_USER_MODEL,
                verbose_name="recorded by",
            ),
        ),
        migrations.AddField(
            model_name="transaction",
            name="ledger",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="transactions",
                to="ledgers.ledger",
            ),
        ),
        migrations.AddField(
            model_name="transaction",
            name="paid_by",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="paid_transactions",
                to=settings.AUTH_USER_MODEL,
                verbose_name="paid by",
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="ledger",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="categories",
                to="ledgers.ledger",
            ),
        ),
        migrations.AddField(
            model_name="budgetitem",
            name="ledger",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="budget_items",
                to="ledgers.ledger",
            ),
        ),
        migrations.AddField(
            model_name="categoryalias",
            name="user",
            field=models.ForeignKey(
                blank=True,
                help_text="Whose correction taught it; empty for the ledger's own keywords.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="learned_aliases",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RemoveConstraint(model_name="categoryalias", name="finance_alias_unique_word"),
        migrations.AddConstraint(
            model_name="categoryalias",
            constraint=models.UniqueConstraint(
                fields=("category", "word", "user"),
                name="finance_alias_unique_word_per_person",
                nulls_distinct=False,
            ),
        ),
    ]
