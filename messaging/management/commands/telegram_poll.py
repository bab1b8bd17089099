import logging
import signal
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from messaging import telegram
from messaging.inbox import poll_offset_save
from messaging.models import Channel, PollCursor
from messaging.transports import Telegram, TransportError

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Handle Telegram updates by long polling (no public address needed); SIGTERM stops it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=int, default=25, help="Long-poll seconds.")
        parser.add_argument("--once", action="store_true", help="One getUpdates round, then exit.")

    def handle(self, *args: Any, **options: Any) -> str:
        if not settings.TELEGRAM_BOT_TOKEN:
            raise CommandError("TELEGRAM_BOT_TOKEN is not set.")
        self.stopping = False
        previous = signal.signal(signal.SIGTERM, self._stop)
        transport = Telegram()
        handled = offset = 0
        try:
            # getUpdates is refused while a webhook is set.
            transport.call("deleteWebhook", {"drop_pending_updates": False})
            telegram.set_commands(transport)
            cursor, _created = PollCursor.objects.get_or_create(channel=Channel.TELEGRAM)
            offset = cursor.offset
            while not self.stopping:
                try:
                    updates = transport.call(
                        "getUpdates",
                        {
                            "offset": offset,
                            "timeout": options["timeout"],
                            "allowed_updates": telegram.ALLOWED_UPDATES,
                        },
                        timeout=options["timeout"],
                    )
                except TransportError as exc:
                    if exc.permanent:
                        raise CommandError(f"Telegram refused: {exc}") from None
                    logger.warning("telegram_poll: %s", exc)
                    if options["once"]:
                        break
                    continue
                for update in updates or []:
                    update_id = update.get("update_id") if isinstance(update, dict) else None
                    if not isinstance(update_id, int):
                        continue
                    # A repeat after a crash is harmless: the update's claim refuses it.
                    if telegram.handle_update_or_log(update):
                        handled += 1
                    offset = update_id + 1
                    poll_offset_save(channel=Channel.TELEGRAM, offset=offset)
                if options["once"]:
                    break
        finally:
            signal.signal(signal.SIGTERM, previous)
        return f"Handled {handled} update(s); the next offset is {offset}."

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        # Finish the batch in hand and save its offset, then leave.
        self.stopping = True
