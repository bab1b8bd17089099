"""The queue job that answers a photo sent to the bot: fetch it, then let the chat read
and record it (`messaging.chat.receipts`), then send the answer.

The webhook only deferred the job, inside the update's claim. Here the image is
fetched first, outside any transaction (from Telegram with getFile, from Twilio with
the account's credentials; at most 5 MB, with timeouts); then the update goes back to
the chat with the bytes, in one transaction, and the replies go out after the commit.
A network failure asks again a little later; after the last try, or for a file that
cannot come (too large, gone), the person is told.
"""

import dataclasses
import logging
from typing import Any

from django.db import transaction

from core import jobs
from finance.readers.receipts import MAX_IMAGE_BYTES
from messaging import telegram, whatsapp
from messaging.chat import exchange, groups, private, receipts
from messaging.models import Channel
from messaging.transports import Telegram, TransportError, telegram_file, twilio_media

logger = logging.getLogger(__name__)

# Seconds before each new try of a download that failed on the way (Telegram or
# Twilio busy, the network): about ten minutes in all, then the person is told.
RETRY_AFTER = (5, 30, 120, 600)


def fetch(image: exchange.Attachment, channel: str) -> bytes:
    """The image's bytes, or TransportError."""
    if channel == Channel.TELEGRAM:
        return telegram_file(image.ref, max_bytes=MAX_IMAGE_BYTES).data
    return twilio_media(image.ref, max_bytes=MAX_IMAGE_BYTES).data


def answer_photo(inbound: dict[str, Any], attempt: int = 0) -> str:
    """Answer the photo of the update `inbound` (`exchange.inbound_data`); what
    happened, in a word."""
    item = exchange.inbound_from(inbound)
    image = item.image
    if image is None:
        return "no image"
    try:
        fetched = dataclasses.replace(image, data=fetch(image, item.channel))
    except TransportError as exc:
        if not exc.permanent and attempt < len(RETRY_AFTER):
            logger.info("photos: update %s, try %s: %s", item.update_id, attempt + 1, exc)
            jobs.defer(
                receipts.PHOTO_TASK,
                queue=receipts.QUEUE,
                schedule_in_seconds=RETRY_AFTER[attempt],
                inbound=inbound,
                attempt=attempt + 1,
            )
            return "retry"
        logger.warning("photos: update %s: %s", item.update_id, exc)
        problem = receipts.TOO_LARGE if exc.code == "too_large" else "unavailable"
        fetched = dataclasses.replace(image, problem=problem)
    item = dataclasses.replace(item, image=fetched)
    with transaction.atomic():
        handled = private.respond(item) if item.private else groups.respond(item)
        delivery = telegram.compose(item, handled) if item.channel == Channel.TELEGRAM else None
    if delivery is not None:
        telegram.deliver(delivery, Telegram())
    else:
        whatsapp.deliver(item.chat_id, handled)
    return "answered" if handled.replies else "silent"
