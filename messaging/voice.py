"""Voice messages: screened in the webhook, heard by a queue job.

The webhook claims the update and defers `HEAR` in the claim's transaction, then
answers at once. The job fetches the audio (Telegram's getFile, Twilio's media URL),
has the speech service transcribe it and answers the words as if they had been typed
(`telegram.hear`, `whatsapp.hear`). A service that is down or slow is tried again by
the queue with backoff; after the last try, or when the service refuses the audio,
the person is told, and their message is kept in the conversation all the same.
"""

import dataclasses
import logging
from typing import Any

from procrastinate import RetryStrategy

from core import jobs
from messaging import speech
from messaging.chat import exchange
from messaging.chat.exchange import Inbound, Voice
from messaging.linking import contacts
from messaging.transports import Download, TransportError, telegram_file, twilio_media

logger = logging.getLogger(__name__)

QUEUE = "messaging"
HEAR = "messaging.hear"
# Tried 5 times in all, 3, 9, 27 and 81 seconds apart: a speech server restarting
# (a model loads in a minute or so) is waited out, and the answer comes within ~2 min.
RETRIES = 4
RETRY = RetryStrategy(max_attempts=RETRIES, exponential_wait=3)


# OpenAI's service tells a format by the file's name (flac mp3 mp4 mpeg mpga m4a ogg wav
# webm), so the name carries the extension it knows; `mimetypes` would name OGG ".oga".
EXTENSIONS = {
    "audio/ogg": ".ogg",
    "audio/opus": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/mp3": ".mp3",
    "audio/mp4": ".m4a",
    "audio/x-m4a": ".m4a",
    "audio/aac": ".aac",
    "audio/amr": ".amr",
    "audio/wav": ".wav",
    "audio/x-wav": ".wav",
    "audio/webm": ".webm",
    "audio/flac": ".flac",
}


class Unheard(Exception):
    """The audio could not be fetched or heard this time; the queue tries again."""


def screen(voice: Voice) -> Voice:
    """`voice` with the problem known before fetching it: no service, or too long."""
    if not speech.enabled():
        return dataclasses.replace(voice, problem="off")
    too_long = voice.duration is not None and voice.duration > speech.MAX_SECONDS
    if too_long or (voice.size is not None and voice.size > speech.MAX_BYTES):
        return dataclasses.replace(voice, problem="too_long")
    return voice


def defer(*, channel: str, update: Any) -> int:
    """Hear the update's voice message after this transaction commits (or never)."""
    return jobs.defer(HEAR, queue=QUEUE, channel=channel, update=update)


def hear(item: Inbound, *, last_try: bool) -> Inbound:
    """`item` as if its words had been typed, or with the reason they were not heard.
    Raises Unheard on a failure that may pass, unless this is the last try."""
    voice = item.voice
    assert voice is not None
    if voice.problem:
        return item
    try:
        audio = _fetch(voice)
        text = speech.transcribe(
            audio.data,
            filename=_filename(voice, audio),
            content_type=voice.content_type or audio.content_type,
            language=_language(item),
        )
    except (TransportError, speech.SpeechError) as exc:
        if isinstance(exc, TransportError) and exc.code == "too_large":
            return _unheard(item, "too_long")
        if not exc.permanent and not last_try:
            raise Unheard(str(exc)) from exc
        logger.warning("voice: update %s not heard: %s", item.update_id, exc)
        return _unheard(item, "failed")
    if not text:
        return _unheard(item, "silent")
    return dataclasses.replace(item, text=text[:4096], heard=text[:4096], unsupported=False)


def _unheard(item: Inbound, problem: str) -> Inbound:
    assert item.voice is not None
    return dataclasses.replace(item, voice=dataclasses.replace(item.voice, problem=problem))


def _fetch(voice: Voice) -> Download:
    if voice.file_id:
        return telegram_file(voice.file_id, max_bytes=speech.MAX_BYTES)
    return twilio_media(voice.url, max_bytes=speech.MAX_BYTES)


def _filename(voice: Voice, audio: Download) -> str:
    # Telegram's voice notes are OGG/Opus, as are WhatsApp's; an audio file keeps its name.
    if voice.filename:
        return voice.filename
    content_type = voice.content_type or audio.content_type
    return f"voice{EXTENSIONS.get(content_type, '.ogg')}"


def _language(item: Inbound) -> str:
    """The language the person speaks to Kopilka: their link's, their account's, or
    (not linked yet) their messenger's."""
    telegram_id = item.account.telegram_id
    if telegram_id is not None:
        contact = contacts.contact_for_telegram_id(telegram_id=telegram_id)
    else:
        contact = contacts.contact_for_chat(channel=item.channel, chat_id=item.chat_id)
    if contact is not None:
        return contact.language or contact.user.language or "ru"
    return exchange.language_of(item.language or "ru")
