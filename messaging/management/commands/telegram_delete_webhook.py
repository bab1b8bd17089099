from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from messaging.transports import Telegram, TransportError


class Command(BaseCommand):
    help = "Remove the Telegram webhook (pending updates stay for getUpdates)."

    def handle(self, *args: Any, **options: Any) -> str:
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set.")
        try:
            Telegram().call("deleteWebhook", {"drop_pending_updates": False})
        except TransportError as exc:
            raise CommandError(f"Telegram refused: {exc}") from None
        return "Webhook deleted."
