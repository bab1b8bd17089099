from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from messaging import telegram
from messaging.transports import Telegram, TransportError


class Command(BaseCommand):
    help = "Point Telegram at PUBLIC_URL's webhook (with the secret) and register the commands."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="The webhook's address. Default: from PUBLIC_URL.")

    def handle(self, *args: Any, **options: Any) -> str:
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set.")
        if not settings.TELEGRAM_WEBHOOK_SECRET:
            raise CommandError("TELEGRAM_WEBHOOK_SECRET is not set.")
        url = options["url"]
        if not url:
            if not settings.PUBLIC_URL.startswith("https://"):
                raise CommandError("PUBLIC_URL must be the site's https:// address (or use --url).")
            url = settings.PUBLIC_URL + reverse("messaging:telegram_webhook")
        transport = Telegram()
        try:
            transport.call(
                "setWebhook",
                {
                    "url": url,
                    "secret_token": settings.TELEGRAM_WEBHOOK_SECRET,
                    "allowed_updates": telegram.ALLOWED_UPDATES,
                    "drop_pending_updates": False,
                },
            )
            telegram.set_commands(transport)
        except TransportError as exc:
            raise CommandError(f"Telegram refused: {exc}") from None
        return f"Webhook set to {url} ({', '.join(telegram.ALLOWED_UPDATES)}); commands registered."
