from typing import Any

from django.conf import settings
from django.core import checks


@checks.register()
def telegram_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if not settings.TELEGRAM_BOT_TOKEN:
        problems.append(
            checks.Warning(
                "TELEGRAM_BOT_TOKEN is not set: the Telegram bot is off.",
                hint="Create a bot with @BotFather and set TELEGRAM_BOT_TOKEN (see README).",
                id="messaging.W001",
            )
        )
    elif not settings.TELEGRAM_WEBHOOK_SECRET:
        problems.append(
            checks.Warning(
                "TELEGRAM_WEBHOOK_SECRET is not set: the webhook refuses every update.",
                hint="Set it, then run manage.py telegram_set_webhook (or use telegram_poll).",
                id="messaging.W002",
            )
        )
    return problems


@checks.register()
def whatsapp_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    names = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM")
    missing = [name for name in names if not getattr(settings, name)]
    if missing:
        return [
            checks.Warning(
                f"{', '.join(missing)} not set: WhatsApp is off.",
                hint="Set the Twilio account, its auth token and the WhatsApp sender (see README).",
                id="messaging.W003",
            )
        ]
    problems: list[checks.CheckMessage] = []
    if not settings.PUBLIC_URL:
        problems.append(
            checks.Warning(
                "PUBLIC_URL is not set: Twilio's signatures cannot be checked, so the WhatsApp "
                "webhook refuses every message.",
                hint="Set PUBLIC_URL to the address Twilio calls, such as https://kopilka.example.org.",
                id="messaging.W004",
            )
        )
    if not any(settings.TWILIO_TEMPLATES.values()):
        problems.append(
            checks.Warning(
                "No TWILIO_TEMPLATE_* is set: reminders and alerts reach WhatsApp only inside "
                "the 24-hour window.",
                hint="Create the Content Templates the README lists and set their HX... SIDs.",
                id="messaging.W005",
            )
        )
    return problems
