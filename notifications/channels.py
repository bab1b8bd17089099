"""Where a notification goes: SENDERS, one sender per channel, raising SendError.

A TemporaryError is retried later (with the provider's `retry_after` when it gave one);
a PermanentError (bot blocked, chat or address gone) turns the channel off for the user.
Telegram and WhatsApp go through the messaging app (its transports are the one module
for outbound calls): Telegram inside the shared limiter's slots, WhatsApp through
`outbound.notify`, which sends the approved template outside the 24-hour window.
Everything else here only knows `Contact` and `send`.
"""

import smtplib
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from messaging import outbound, transports
from messaging.models import Channel as MessagingChannel
from messaging.models import UserContact
from notifications import limiter
from notifications.models import Channel


class SendError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason[:300]


class TemporaryError(SendError):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class PermanentError(SendError):
    pass


@dataclass(frozen=True)
class Contact:
    channel: str  # Channel
    address: str  # a Telegram chat id, a WhatsApp chat ("whatsapp:+7..."), an e-mail address
    contact_id: int | None = None  # the messaging app's UserContact, for WhatsApp


TEST_TEMPLATE = outbound.Template("test")


@dataclass(frozen=True)
class Undo:
    """How a message about something just recorded offers to take it back, each channel
    its own way (in the reader's language): Telegram a button, WhatsApp the word to
    reply, e-mail a link."""

    transaction_id: int
    button: str
    reply_hint: str
    link_hint: str

    @property
    def button_data(self) -> str:
        # The chat's undo button (messaging.chat.router's `u:<id>`): pressed, the chat
        # deletes the transaction as that person, through the dispatcher.
        return f"u:{self.transaction_id}"


@dataclass(frozen=True)
class Outgoing:
    text: str
    # An e-mail's subject; WhatsApp's template outside its 24-hour window.
    subject: str = "Kopilka"
    template: outbound.Template = TEST_TEMPLATE
    undo: Undo | None = None


def send(
    contact: Contact,
    text: str,
    *,
    subject: str = "Kopilka",
    template: outbound.Template = TEST_TEMPLATE,
    undo: Undo | None = None,
) -> None:
    """Send `text` through the contact's channel's sender."""
    sender = SENDERS.get(contact.channel)
    if sender is None:
        raise PermanentError(f"unknown channel {contact.channel}")
    sender(contact, Outgoing(text, subject, template, undo))


def send_whatsapp(contact: Contact, message: Outgoing) -> None:
    linked = (
        UserContact.objects.select_related("user")
        .filter(pk=contact.contact_id or 0, channel=MessagingChannel.WHATSAPP, is_active=True)
        .first()
    )
    if linked is None:
        # Unlinked since it was chosen: the retry goes wherever the person is now.
        raise TemporaryError("WhatsApp: the number is no longer linked")
    text, recorded = message.text, None
    if message.undo is not None:
        text, recorded = f"{text}\n{message.undo.reply_hint}", message.undo.transaction_id
    try:
        outbound.notify(contact=linked, text=text, template=message.template, recorded=recorded)
    except transports.TransportError as e:
        reason = f"WhatsApp: {str(e).removeprefix('twilio: ')}"
        # Only what is about the person (not on WhatsApp, blocked, STOP) turns it off;
        # this server's setup (credentials, sender, a missing template) is retried.
        if e.permanent and outbound.about_contact(e.code):
            raise PermanentError(reason) from None
        raise TemporaryError(reason) from None


def send_email(contact: Contact, message: Outgoing) -> None:
    text = message.text
    if message.undo is not None:
        text = f"{text}\n\n{message.undo.link_hint}"
    try:
        send_mail(message.subject, text, None, [contact.address])
    except smtplib.SMTPRecipientsRefused as e:
        raise PermanentError(f"the mail server refused {contact.address}") from e
    except (smtplib.SMTPException, OSError) as e:
        raise TemporaryError(f"mail server: {type(e).__name__}") from e


# What Telegram says when a chat will never take our messages again. Other 400s and
# 403s (and 401, our token) are ours to fix, not the person's: they do not turn it off.
_PERMANENT_DESCRIPTIONS = (
    "bot was blocked",
    "user is deactivated",
    "chat not found",
    "bot was kicked",
    "have no rights to send",
)


def send_telegram(contact: Contact, message: Outgoing) -> None:
    """sendMessage through messaging's transport, each request within the shared rate
    limits. Retries are the queue's (with backoff, or after Telegram's `retry_after`),
    not the transport's: a worker thread does not sleep on them."""
    if not settings.TELEGRAM_BOT_TOKEN:
        raise TemporaryError("TELEGRAM_BOT_TOKEN is not set")
    chat_id = contact.address
    telegram = transports.Telegram(
        attempts=1, max_retry_after=0, gate=lambda: limiter.slot(chat_id)
    )
    buttons = []
    if message.undo is not None:
        buttons = [[transports.Button(message.undo.button, message.undo.button_data)]]
    try:
        telegram.send(chat_id=chat_id, text=message.text, buttons=buttons)
    except transports.TransportError as e:
        raise telegram_error(e) from None


def telegram_error(e: transports.TransportError) -> SendError:
    if not e.status:
        return TemporaryError(f"Telegram unreachable: {e.description}")
    description = e.description[:200]
    reason = f"Telegram {e.status}: {description}".strip()
    if e.status == 429:
        return TemporaryError(reason, retry_after=e.retry_after)
    if e.status in (400, 403) and any(d in description.lower() for d in _PERMANENT_DESCRIPTIONS):
        return PermanentError(reason)
    # 401 (our token), 5xx, anything unexpected: ours or theirs to fix, not the user's.
    return TemporaryError(reason)


Sender = Callable[[Contact, Outgoing], None]

SENDERS: dict[str, Sender] = {
    Channel.TELEGRAM: send_telegram,
    Channel.WHATSAPP: send_whatsapp,
    Channel.EMAIL: send_email,
}
