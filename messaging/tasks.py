"""The messengers' queue jobs (procrastinate): what a webhook leaves to be sent, a voice
message heard, and a photo of a receipt answered."""

import math
from typing import Any

from procrastinate import BaseRetryStrategy, JobContext, RetryDecision, RetryStrategy
from procrastinate.contrib.django import app
from procrastinate.jobs import Job

from core import jobs
from messaging import outbound, photos, telegram, voice, whatsapp
from messaging.chat import receipts
from messaging.models import Channel
from messaging.transports import TransportError

# Tries of one message in all: 2, 4, 8 ... seconds apart, at most a minute (about
# four minutes in all), or after the wait Telegram's 429 names. A chat's later
# replies wait for these (they share its lock), so that none overtakes another.
ATTEMPTS = 8
LONGEST_WAIT = 60


class SendRetry(BaseRetryStrategy):
    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts + 1 >= ATTEMPTS:
            return None
        wait = min(2 ** (job.attempts + 1), LONGEST_WAIT)
        if isinstance(exception, TransportError) and exception.retry_after:
            wait = math.ceil(exception.retry_after)
        return RetryDecision(retry_in={"seconds": wait})


@app.task(name=telegram.DELIVER, queue=telegram.QUEUE, retry=SendRetry())
@jobs.fresh_connection
def telegram_deliver(delivery: dict[str, Any]) -> None:
    telegram.deliver(telegram.Delivery.from_json(delivery))


@app.task(name=outbound.RESEND, queue=outbound.QUEUE, retry=SendRetry())
@jobs.fresh_connection
def whatsapp_resend(message_id: int, contact_id: int) -> bool:
    return outbound.resend_as_template(message_id=message_id, contact_id=contact_id)


@app.task(name=voice.HEAR, queue=voice.QUEUE, retry=voice.RETRY, pass_context=True)
@jobs.fresh_connection
def hear(context: JobContext, channel: str, update: Any) -> bool:
    """Fetch, transcribe and answer one voice message. A failure that may pass raises
    `voice.Unheard`, and the queue tries again; the last try tells the person instead."""
    last_try = context.job.attempts >= voice.RETRIES
    if channel == Channel.WHATSAPP:
        return whatsapp.hear(update, last_try=last_try)
    return telegram.hear(update, last_try=last_try)


# A photo's job: unexpected errors (the database restarting) run it again later; a
# download that fails is tried again by the job itself, on its own schedule.
PHOTO_RETRY = RetryStrategy(max_attempts=3, exponential_wait=4)


@app.task(name=receipts.PHOTO_TASK, queue=receipts.QUEUE, retry=PHOTO_RETRY)
@jobs.fresh_connection
def receipt_photo(inbound: dict[str, Any], attempt: int = 0) -> str:
    return photos.answer_photo(inbound, attempt)
