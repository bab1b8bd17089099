from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from botapi.services import idempotency_keys_purge


class Command(BaseCommand):
    help = "Delete stored idempotency keys older than BOT_IDEMPOTENCY_RETENTION_HOURS (cron)."

    def handle(self, *args: Any, **options: Any) -> str:
        deleted = idempotency_keys_purge()
        hours = settings.BOT_IDEMPOTENCY_RETENTION_HOURS
        return f"Purged {deleted} idempotency key(s) older than {hours} h."
