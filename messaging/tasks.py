"""The messengers' queue jobs (procrastinate): a photo sent to the bot, answered."""

from typing import Any

from procrastinate import RetryStrategy
from procrastinate.contrib.django import app

from core.jobs import fresh_connection
from messaging import photos
from messaging.chat import receipts

# Unexpected errors (the database restarting): the job runs again later. A download
# that fails is tried again by the job itself, on its own schedule.
RETRY = RetryStrategy(max_attempts=3, exponential_wait=4)


@app.task(name=receipts.PHOTO_TASK, queue=receipts.QUEUE, retry=RETRY)
@fresh_connection
def receipt_photo(inbound: dict[str, Any], attempt: int = 0) -> str:
    return photos.answer_photo(inbound, attempt)
