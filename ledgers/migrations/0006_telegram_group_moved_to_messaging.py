"""The ledger's Telegram group now lives in messaging (messaging 0003 copied it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ledgers", "0005_merge_20261201_1625"),
        ("messaging", "0003_group_link"),
    ]

    operations = [
        migrations.RemoveField(model_name="ledger", name="telegram_chat_id"),
        migrations.RemoveField(model_name="ledger", name="telegram_chat_title"),
    ]
