"""WhatsApp's side of the chat, through Twilio: webhooks in, TwiML and REST messages out.

Twilio posts each inbound message as a form (`MessageSid`, `From`, `WaId`, `Body`,
`NumMedia`, ...). Replies to it go back in the webhook's answer as TwiML: the person has
just written, so the 24-hour customer-service window is open. What Kopilka starts itself
(reminders, alerts, reports) goes through `notify`, which picks free-form text or an
approved Content Template from the conversation's last inbound message.
"""

import hmac
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator, get_signature_algorithm
from twilio.twiml.messaging_response import MessagingResponse

from messaging import chat, router, services
from messaging.models import Channel, Message, UserContact
from messaging.transports import (
    TWILIO_SETUP_ERRORS,
    WHATSAPP_TEXT_LIMIT,
    TransportError,
    WhatsApp,
    _chunks,
)

logger = logging.getLogger(__name__)

CHANNEL = Channel.WHATSAPP
# Meta's customer-service window: free-form messages only this long after the person's last.
WINDOW = timedelta(hours=24)
# "Message failed to send because more than 24 hours have passed since the customer last
# replied to this number": the template has to be used instead.
OUTSIDE_WINDOW = "63016"
SIGNATURE_HEADER = "HTTP_X_TWILIO_SIGNATURE"
SIGNATURE_SETTINGS_HEADER = "HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS"
PURPOSES = ("reminder", "alert", "report", "token", "test")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
LATIN = re.compile(r"[A-Za-z]")


def enabled() -> bool:
    return bool(
        settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN and settings.TWILIO_WHATSAPP_FROM
    )


def number() -> str:
    """The sender's number as wa.me wants it: digits only."""
    return re.sub(r"\D", "", settings.TWILIO_WHATSAPP_FROM)


def public_url(path: str) -> str:
    """The address Twilio calls (and signs), not the one gunicorn sees behind nginx."""
    return f"{settings.PUBLIC_URL}{path}"


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


def text_language(text: str) -> str:
    """Russian unless the text is in Latin letters only; `link <code>` (what the wa.me
    link prepares, whoever sends it) says nothing about the language."""
    cmd = router.command(text, plain=True)
    if cmd is not None and cmd.name in {"link", "start"}:
        return "ru"
    return "en" if LATIN.search(text) and not CYRILLIC.search(text) else "ru"


def inbound(params: Mapping[str, str]) -> chat.Inbound | None:
    """The webhook's form as the chat sees it, or None when there is nothing to answer."""
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
    return chat.Inbound(
        channel=CHANNEL,
        update_id=sid,
        chat_id=sender[:64],
        account=services.Account(
            channel=CHANNEL,
            chat_id=sender[:64],
            whatsapp_id=wa_id[:64],
            phone=f"+{wa_id}"[:32],
            display_name=params.get("ProfileName", "")[:200],
        ),
        text=text if not media else "",
        message_id=sid,
        language=text_language(text),
        unsupported=bool(media) or not text.strip(),
    )


def handle_message(params: Mapping[str, str]) -> list[str]:
    """Answer one inbound message once, however often Twilio delivers it: the texts of
    the replies (none for a repeat or for something that is not a message)."""
    item = inbound(params)
    if item is None:
        return []
    with transaction.atomic():
        if not services.update_claim(channel=CHANNEL, update_id=item.update_id):
            return []
        handled = chat.respond(item)
    return [reply.text for reply in handled.replies]


def _language(contact: UserContact | None) -> str:
    if contact is None:
        return ""
    return contact.language or contact.user.language


def twiml(texts: list[str]) -> str:
    response = MessagingResponse()
    for text in texts:
        for piece in _chunks(text, WHATSAPP_TEXT_LIMIT):
            response.message(piece)
    return str(response)


# What Kopilka starts: reminders, alerts, reports


@dataclass(frozen=True)
class Template:
    """Which approved template stands in for the text outside the window, and its
    variables ({"1": "...", ...}: one line each, as WhatsApp requires)."""

    purpose: str
    variables: dict[str, str] = field(default_factory=dict)


def template_sid(purpose: str, language: str) -> str:
    other = "en" if language == "ru" else "ru"
    templates = settings.TWILIO_TEMPLATES
    return str(templates.get((purpose, language)) or templates.get((purpose, other)) or "")


def window_open(*, contact: UserContact, now: datetime | None = None) -> bool:
    """Whether the person wrote to this number in the last 24 hours."""
    now = now or timezone.now()
    return Message.objects.filter(
        conversation__user=contact.user,
        conversation__channel=CHANNEL,
        conversation__chat_id=contact.chat_id,
        direction=Message.Direction.IN,
        created_at__gt=now - WINDOW,
    ).exists()


def notify(
    *, contact: UserContact, text: str, template: Template, transport: WhatsApp | None = None
) -> Message:
    """Send a message Kopilka starts to a linked WhatsApp contact and record it: `text`
    inside the window, the template outside it or when Twilio says the window has closed
    (63016). A permanent failure that is about the person (a number that is not on
    WhatsApp, a block) ends the link; every failure raises TransportError."""
    if template.purpose not in PURPOSES:
        raise ValueError(f"unknown template purpose {template.purpose!r}")
    transport = transport or WhatsApp()
    callback = public_url(reverse("messaging:whatsapp_status")) if settings.PUBLIC_URL else ""
    sent_as = "text"
    try:
        if window_open(contact=contact):
            try:
                sid = transport.send(chat_id=contact.chat_id, text=text, status_callback=callback)
            except TransportError as exc:
                if exc.code != OUTSIDE_WINDOW:
                    raise
                sid, sent_as = _send_template(contact, template, transport, callback), "template"
        else:
            sid, sent_as = _send_template(contact, template, transport, callback), "template"
    except TransportError as exc:
        _after_failure(contact, exc)
        raise
    conversation = services.conversation_touch(
        user=contact.user, channel=CHANNEL, chat_id=contact.chat_id
    )
    message = Message(
        conversation=conversation,
        direction=Message.Direction.OUT,
        text=text,
        external_id=sid,
        action=f"notify_{template.purpose}",
        result={"sent_as": sent_as, "purpose": template.purpose, "variables": template.variables},
    )
    services.messages_save(messages=[message])
    return message


def _send_template(
    contact: UserContact, template: Template, transport: WhatsApp, callback: str
) -> str:
    sid = template_sid(template.purpose, _language(contact) or "ru")
    if not sid:
        raise TransportError(
            f"outside the 24-hour window and TWILIO_TEMPLATE_{template.purpose.upper()}_* is not set",
            code="no_template",
        )
    return transport.send(
        chat_id=contact.chat_id,
        content_sid=sid,
        content_variables=template.variables,
        status_callback=callback,
    )


# A failed delivery status can be passing (30008 "unknown error", 63012): only these,
# which say the number cannot get WhatsApp messages, end a link from a status callback.
# 21211 invalid To, 21610 the person sent STOP, 63003 no such WhatsApp user, 63024
# invalid recipient.
UNREACHABLE = frozenset({"21211", "21610", "63003", "63024"})


def about_contact(code: str) -> bool:
    """Whether a permanent Twilio error is about the person rather than this server."""
    return code.isdigit() and code != OUTSIDE_WINDOW and int(code) not in TWILIO_SETUP_ERRORS


def _after_failure(contact: UserContact, exc: TransportError) -> None:
    logger.warning("whatsapp: message to contact %s not sent: %s", contact.pk, exc)
    if exc.permanent and about_contact(exc.code):
        services.contact_unlink(
            contact=contact, source=chat.SOURCES[CHANNEL], reason=UserContact.InactiveReason.BLOCKED
        )


def handle_status(params: Mapping[str, str], *, transport: WhatsApp | None = None) -> bool:
    """A status callback: a free-form message that failed with 63016 (Twilio usually tells
    so here, after accepting it) is sent again as its template; a failure about the
    person ends the link. True when it did something."""
    sid = params.get("MessageSid", "")
    status = params.get("MessageStatus", "")
    code = params.get("ErrorCode", "")
    if status not in {"failed", "undelivered"} or not code:
        return False
    message = (
        Message.objects.select_related("conversation")
        .filter(conversation__channel=CHANNEL, direction=Message.Direction.OUT, external_id=sid)
        .first()
    )
    if message is None:
        return False
    with transaction.atomic():
        if not services.update_claim(channel=CHANNEL, update_id=f"{sid}:{status}"):
            return False
        contact = (
            UserContact.objects.select_related("user")
            .filter(
                user_id=message.conversation.user_id,
                channel=CHANNEL,
                chat_id=message.conversation.chat_id,
                is_active=True,
            )
            .first()
        )
        if contact is None:
            return False
        if code != OUTSIDE_WINDOW or message.result.get("sent_as") != "text":
            if code in UNREACHABLE:
                services.contact_unlink(
                    contact=contact,
                    source=chat.SOURCES[CHANNEL],
                    reason=UserContact.InactiveReason.BLOCKED,
                )
                return True
            return False
    template = Template(
        purpose=str(message.result.get("purpose", "")),
        variables=dict(message.result.get("variables") or {}),
    )
    if template.purpose not in PURPOSES:
        return False
    try:
        new_sid = _send_template(contact, template, transport or WhatsApp(), "")
    except TransportError as exc:
        _after_failure(contact, exc)
        return False
    Message.objects.filter(pk=message.pk).update(
        external_id=new_sid, result={**message.result, "sent_as": "template", "failed": sid}
    )
    return True
