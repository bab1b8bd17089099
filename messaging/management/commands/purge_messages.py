from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from messaging.inbox import messages_purge
from messaging.linking.codes import failures_purge


class Command(BaseCommand):
    help = "Delete chat messages older than MESSAGES_RETENTION_DAYS (cron)."

    def handle(self, *args: Any, **options: Any) -> str:
        purged = messages_purge()
        failures_purge(now=timezone.now())
        days = settings.MESSAGES_RETENTION_DAYS
        return f"Purged {purged.messages} message(s) older than {days} days."
