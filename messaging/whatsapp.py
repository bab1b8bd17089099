"""WhatsApp's side of the chat, through Twilio: messages in, TwiML out.

Twilio posts each inbound message as a form (`MessageSid`, `From`, `WaId`, `Body`,
`NumMedia`, ...). Replies to it go back in the webhook's answer as TwiML: the person has
just written, so the 24-hour customer-service window is open. What Kopilka starts itself
(reminders, alerts, reports) goes out through `messaging.outbound`.
"""

import hmac
import logging
import re
from collections.abc import Mapping
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from messaging import inbox, voice
from messaging.chat import exchange, private, router
from messaging.linking import contacts
from messaging.linking.contacts import Account
from messaging.models import Channel
from messaging.outbound import public_url
from messaging.transports import WHATSAPP_TEXT_LIMIT, TransportError, WhatsApp, chunks

logger = logging.getLogger(__name__)

CHANNEL = Channel.WHATSAPP
SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"
SIGNATURE_SETTINGS_HEADER = "HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS"
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")


def enabled() -> bool:
    return bool(
        settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_WHATSAPP_FROM
    )


def number() -> str:
    """The sender's number as wa.me wants it: digits only."""
    return re.sub(r"\D", "", settings.TWILIO_WHATSAPP_FROM)


def _setting(header: str, name: str) -> str:
    for part in header.split(","):
        key, separator, value = part.partition("=")
        if separator and key.strip() == name:
            return value.strip()
    return ""


def signature_valid(
    *, url: str, params: Mapping[str, str] | str, signature: str, signature_settings: str = ""
) -> bool:
    """Whether Twilio signed this request: with the auth token (HMAC-SHA1), or, when
    `X-Twilio-Webhooks-Signature-Settings` names a SharedKey, with that key's secret and
    the algorithm it names (HMAC-SHA256). The package's validator does the arithmetic."""
    if not signature or not settings.PUBLIC_URL:
        return False
    if isinstance(params, str) and "bodySHA256" not in parse_qs(urlsplit(url).query):
        # A JSON body is signed through its hash in the URL: without one, nothing is.
        return False
    secret = settings.TWILIO_AUTH_TOKEN
    key_sid = _setting(signature_settings, "key")
    if key_sid:
        expected = settings.TWILIO_WEBHOOK_KEY_SID
        if not expected or not hmac.compare_digest(key_sid.encode(), expected.encode()):
            return False
        secret = settings.TWILIO_WEBHOOK_KEY_SECRET
    if not secret:
        return False
    algorithm = get_signature_algorithm(signature_settings)
    return bool(RequestValidator(secret).validate(url, params, signature, algorithm))


def signed(request: HttpRequest) -> bool:
    """Whether Twilio signed this very request, as it called it (`public_url`)."""
    json_body = request.content_type == "application/json"
    return signature_valid(
        url=public_url(request.get_full_path()),
        params=request.body.decode("utf-8", "replace") if json_body else request.POST,
        signature=request.META.get(SIGNATURE_HEADER, ""),
        signature_settings=request.META.get(SIGNATURE_SETTINGS_HEADER, ""),
    )


def text_language(text: str) -> str:
    """Russian unless the text is in Latin letters only; `link <code>` (what the wa.me
    link prepares, whoever sends it) says nothing about the language."""
    cmd = router.command(text, plain=True)
    if cmd is not None and cmd.name in {"link", "start"}:
        return "ru"
    return "en" if LATIN.search(text) and not CYRILLIC.search(text) else "ru"


def inbound(params: Mapping[str, str]) -> exchange.Inbound | None:
    """The webhook's form as the chat sees it, or None when there is nothing to answer."""
    # A NUL (%00) in the form is answered like any other text, not refused by the database.
    params = {key: exchange.storable(value) for key, value in params.items()}
    sid = params.get("MessageSid", "")
    sender = params.get("From", "")
    account = params.get("AccountSid", "")
    if not re.fullmatch(r"[A-Z]{2}[0-9a-f]{32}", sid) or not sender.startswith("whatsapp:+"):
        return None
    if account and account != settings.TWILIO_ACCOUNT_SID:
        return None  # another Twilio account's number pointed here: not ours to answer
    wa_id = re.sub(r"\D", "", params.get("WaId", "")) or re.sub(r"\D", "", sender)
    text = params.get("Body", "")[:4096]
    try:
        media = int(params.get("NumMedia", "0") or 0)
    except ValueError:
        media = 0
    found = _voice(params) if media == 1 else None
    # An image is a receipt to read, its caption in Body; other media are not understood.
    image = None
    content_type = params.get("MediaContentType0", "").lower()
    if media and content_type in exchange.IMAGE_TYPES and params.get("MediaUrl0"):
        image = exchange.Attachment(ref=params["MediaUrl0"][:1000], content_type=content_type)
    return exchange.Inbound(
        voice=voice.screen(found) if found is not None else None,
        channel=CHANNEL,
        update_id=sid,
        chat_id=sender[:64],
        account=Account(
            channel=CHANNEL,
            chat_id=sender[:64],
            whatsapp_id=wa_id[:64],
            phone=f"+{wa_id}"[:32],
            display_name=params.get("ProfileName", "")[:200],
        ),
        text=text if not media or image is not None else "",
        message_id=sid,
        language=text_language(text),
        unsupported=image is None and (bool(media) or not text.strip()),
        image=image,
    )


def _voice(params: Mapping[str, str]) -> exchange.Voice | None:
    """An audio message (a voice note is `audio/ogg`); Twilio tells neither its length
    nor its size, so the download's bound (Content-Length, then the bytes) refuses a
    large one."""
    content_type = params.get("MediaContentType0", "").split(";")[0].strip().lower()
    url = params.get("MediaUrl0", "")
    if not content_type.startswith("audio/") or not url:
        return None
    return exchange.Voice(url=url, content_type=content_type)


def handle_message(params: Mapping[str, str]) -> list[str]:
    """Answer one inbound message once, however often Twilio delivers it: the texts of
    the replies (none for a repeat or for something that is not a message; none yet for
    a voice message, which the queue hears and answers)."""
    item = inbound(params)
    if item is None:
        return []
    with transaction.atomic():
        if not inbox.update_claim(channel=CHANNEL, update_id=item.update_id):
            return []
        if item.voice is not None and not item.voice.problem and _to_hear(item):
            voice.defer(channel=CHANNEL, update=dict(params.items()))
            return []
        handled = private.respond(item)
    return [reply.text for reply in handled.replies]


def _to_hear(item: exchange.Inbound) -> bool:
    # Only a linked person's audio goes to the speech service.
    return contacts.contact_for_chat(channel=CHANNEL, chat_id=item.chat_id) is not None


def hear(params: Mapping[str, str], *, last_try: bool, transport: WhatsApp | None = None) -> bool:
    """The queue's half of a voice message `handle_message` claimed: hear it, answer the
    words as a typed message is answered, and send the replies (the person has just
    written: the 24-hour window is open). False when it was answered already."""
    item = inbound(params)
    if item is None or item.voice is None:
        return False
    item = voice.hear(item, last_try=last_try)
    with transaction.atomic():
        if not inbox.update_claim(channel=CHANNEL, update_id=f"heard:{item.update_id}"):
            return False
        handled = private.respond(item)
    transport = transport or WhatsApp()
    try:
        for reply in handled.replies:
            sid = transport.send(chat_id=item.chat_id, text=reply.text)
            if reply.message is not None and sid:
                inbox.message_sent(message_id=reply.message.pk, external_id=sid)
    except TransportError as exc:
        logger.warning("whatsapp: reply to %s not sent: %s", item.update_id, exc)
    return True


def twiml(texts: list[str]) -> str:
    response = MessagingResponse()
    for text in texts:
        for piece in chunks(text, WHATSAPP_TEXT_LIMIT):
            response.message(piece)
    return str(response)


def deliver(chat_id: str, handled: exchange.Handled, transport: WhatsApp | None = None) -> None:
    """Send the replies a queue job composed (to a photo): not in a webhook's TwiML, but
    the person has just written, so the 24-hour window is open."""
    transport = transport or WhatsApp()
    for reply in handled.replies:
        try:
            sid = transport.send(chat_id=chat_id, text=reply.text)
        except TransportError as exc:
            logger.warning("whatsapp: reply to %s not sent: %s", chat_id[-4:], exc)
            return
        if reply.message is not None and reply.message.pk is not None and sid:
            inbox.message_sent(message_id=reply.message.pk, external_id=sid)
