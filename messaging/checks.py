"""Whether the messengers, and the speech service that hears their voice messages, are
set up. A channel switched off by choice (none of its settings) is an Info: not a
deployment problem, and `check --deploy --fail-level WARNING` passes. A channel set up
halfway, which then refuses or drops messages, is a Warning."""

from typing import Any

from django.conf import settings
from django.core import checks

TWILIO_SETTINGS = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_WHATSAPP_FROM")


@checks.register()
def telegram_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if not settings.TELEGRAM_BOT_TOKEN:
        problems.append(
            checks.Info(
                "TELEGRAM_BOT_TOKEN is not set: the Telegram bot is off.",
                hint="To use it, create a bot with @BotFather and set TELEGRAM_BOT_TOKEN.",
                id="messaging.I001",
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
    missing = [name for name in TWILIO_SETTINGS if not getattr(settings, name)]
    if len(missing) == len(TWILIO_SETTINGS):
        return [
            checks.Info(
                "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM are not set: "
                "WhatsApp is off.",
                hint="To use it, set the Twilio account, its auth token and the WhatsApp sender.",
                id="messaging.I003",
            )
        ]
    if missing:
        return [
            checks.Warning(
                f"{', '.join(missing)} not set: WhatsApp is off although "
                f"{', '.join(n for n in TWILIO_SETTINGS if n not in missing)} is set.",
                hint="Set the Twilio account, its auth token and the WhatsApp sender, or none.",
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
        # Replies work; only what Kopilka starts (reminders, alerts) waits for the person
        # to have written within 24 hours. A choice, not a fault.
        problems.append(
            checks.Info(
                "No TWILIO_TEMPLATE_* is set: reminders and alerts reach WhatsApp only inside "
                "the 24-hour window.",
                hint="To send them any time, create the Content Templates and set their HX... SIDs.",
                id="messaging.I005",
            )
        )
    return problems


@checks.register()
def speech_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.SPEECH_TO_TEXT_URL:
        return []
    return [
        checks.Info(
            "SPEECH_TO_TEXT_URL is not set: voice messages are off (people are asked to type).",
            hint="To hear them, set SPEECH_TO_TEXT_URL to an OpenAI-compatible speech-to-text "
            "API, such as http://stt.internal:8000/v1 (and SPEECH_TO_TEXT_KEY if it needs one).",
            id="messaging.I006",
        )
    ]
