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
