"""The Telegram group linked to a ledger moves from the ledger's own columns
(ledgers 0001 and 0004) to messaging, beside the private chats' links. The ledger's
columns are dropped by ledgers 0006, after this has copied them."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Ledger = apps.get_model("ledgers", "Ledger")
    GroupLink = apps.get_model("messaging", "GroupLink")
    GroupLink.objects.bulk_create(
        GroupLink(ledger_id=pk, chat_id=chat_id, title=title)
        for pk, chat_id, title in Ledger.objects.filter(telegram_chat_id__isnull=False)
        .order_by("pk")
        .values_list("pk", "telegram_chat_id", "telegram_chat_title")
        .iterator()
    )


def copy_links_back(apps, schema_editor):
    Ledger = apps.get_model("ledgers", "Ledger")
    GroupLink = apps.get_model("messaging", "GroupLink")
    for link in GroupLink.objects.order_by("pk").iterator():
        Ledger.objects.filter(pk=link.ledger_id).update(
            telegram_chat_id=link.chat_id, telegram_chat_title=link.title
        )


class Migration(migrations.Migration):
    dependencies = [
        ("ledgers", "0005_merge_20261201_1625"),
        ("messaging", "0002_linkcode_ledger"),
    ]

    operations = [
        migrations.CreateModel(
            name="GroupLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("chat_id", models.BigIntegerField(unique=True, verbose_name="Telegram chat id")),
                (
                    "title",
                    models.CharField(blank=True, max_length=255, verbose_name="Telegram group"),
                ),
                (
                    "linked_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="linked"
                    ),
                ),
                (
                    "ledger",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="group_link",
                        to="ledgers.ledger",
                        verbose_name="ledger",
                    ),
                ),
            ],
            options={
                "verbose_name": "Telegram group",
                "verbose_name_plural": "Telegram groups",
            },
        ),
        migrations.RunPython(copy_links, copy_links_back),
    ]
