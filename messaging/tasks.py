"""The messengers' queue tasks (procrastinate): hearing a voice message."""

from typing import Any

from procrastinate import JobContext
from procrastinate.contrib.django import app

from core.jobs import fresh_connection
from messaging import telegram, voice, whatsapp
from messaging.models import Channel


@app.task(name=voice.HEAR, queue=voice.QUEUE, retry=voice.RETRY, pass_context=True)
@fresh_connection
def hear(context: JobContext, channel: str, update: Any) -> bool:
    """Fetch, transcribe and answer one voice message. A failure that may pass raises
    `voice.Unheard`, and the queue tries again; the last try tells the person instead."""
    last_try = context.job.attempts >= voice.RETRIES
    if channel == Channel.WHATSAPP:
        return whatsapp.hear(update, last_try=last_try)
    return telegram.hear(update, last_try=last_try)
