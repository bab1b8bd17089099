from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from messaging.services import messages_purge


class Command(BaseCommand):
    help = "Delete chat messages older than MESSAGES_RETENTION_DAYS (cron)."

    def handle(self, *args: Any, **options: Any) -> str:
        purged = messages_purge()
        days = settings.MESSAGES_RETENTION_DAYS
        return f"Purged {purged.messages} message(s) older than {days} days."
