"""What Kopilka starts itself on WhatsApp (reminders, alerts, reports), and what became
of it.

Outside Meta's 24-hour customer-service window (the person's last message to this
number) only an approved Content Template may be sent: `notify` sends the text inside
the window and the template outside it, or when Twilio says the window has closed
(63016). Twilio's delivery receipts (`handle_status`) send a text that failed so as its
template, and end the link of a number that cannot get WhatsApp messages.
"""

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import Source
from core import jobs
from messaging import inbox
from messaging.linking import contacts
from messaging.models import Channel, Message, UserContact
from messaging.transports import TWILIO_SETUP_ERRORS, TransportError, WhatsApp

logger = logging.getLogger(__name__)

CHANNEL = Channel.WHATSAPP
SOURCE = Source.WHATSAPP
# Meta's customer-service window: free-form messages only this long after the person's last.
WINDOW = timedelta(hours=24)
# "Message failed to send because more than 24 hours have passed since the customer last
# replied to this number": the template has to be used instead.
OUTSIDE_WINDOW = "63016"
PURPOSES = ("reminder", "alert", "report", "token", "test")
# The queue and task (messaging/tasks.py) that send a message again as its template.
QUEUE = "messaging"
RESEND = "messaging.whatsapp_resend"


def public_url(path: str) -> str:
    """The address Twilio calls (and signs), not the one gunicorn sees behind nginx."""
    return f"{settings.PUBLIC_URL}{path}"


def _language(contact: UserContact | None) -> str:
    if contact is None:
        return ""
    return contact.language or contact.user.language


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
    *,
    contact: UserContact,
    text: str,
    template: Template,
    transport: WhatsApp | None = None,
    recorded: int | None = None,
) -> Message:
    """Send a message Kopilka starts to a linked WhatsApp contact and record it: `text`
    inside the window, the template outside it or when Twilio says the window has closed
    (63016). A permanent failure that is about the person (a number that is not on
    WhatsApp, a block) ends the link; every failure raises TransportError.

    `recorded`: the transaction the message tells of (a recurring rule's), which the
    chat's "undo" then takes back as it does the chat's own records."""
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
    conversation = inbox.conversation_touch(
        user=contact.user, channel=CHANNEL, chat_id=contact.chat_id
    )
    message = Message(
        conversation=conversation,
        direction=Message.Direction.OUT,
        text=text,
        external_id=sid,
        action=inbox.RECORDED_NOTICE if recorded is not None else f"notify_{template.purpose}",
        transaction_id=recorded,
        result={"sent_as": sent_as, "purpose": template.purpose, "variables": template.variables},
    )
    inbox.messages_save(messages=[message])
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
        contacts.contact_unlink(
            contact=contact, source=SOURCE, reason=UserContact.InactiveReason.BLOCKED
        )


def handle_status(params: Mapping[str, str]) -> bool:
    """A status callback: a free-form message that failed with 63016 (Twilio usually tells
    so here, after accepting it) is sent again as its template, from the queue
    (`resend_as_template`); a failure about the person ends the link. True when it did
    something."""
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
        if not inbox.update_claim(channel=CHANNEL, update_id=f"{sid}:{status}"):
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
                contacts.contact_unlink(
                    contact=contact, source=SOURCE, reason=UserContact.InactiveReason.BLOCKED
                )
                return True
            return False
        if message.result.get("purpose") not in PURPOSES:
            return False
        jobs.defer(
            RESEND,
            queue=QUEUE,
            lock=f"whatsapp:{contact.chat_id}",
            message_id=message.pk,
            contact_id=contact.pk,
        )
    return True


def resend_as_template(
    *, message_id: int, contact_id: int, transport: WhatsApp | None = None
) -> bool:
    """Send a free-form message that came too late for the window again as its template
    (the queue's job). A failure that may pass is raised for the queue to try again; one
    about the person ends the link. True when it was sent."""
    message = Message.objects.filter(pk=message_id, direction=Message.Direction.OUT).first()
    contact = (
        UserContact.objects.select_related("user")
        .filter(pk=contact_id, channel=CHANNEL, is_active=True)
        .first()
    )
    if message is None or contact is None or message.result.get("sent_as") != "text":
        return False  # gone, unlinked, or sent as its template already
    template = Template(
        purpose=str(message.result.get("purpose", "")),
        variables=dict(message.result.get("variables") or {}),
    )
    try:
        new_sid = _send_template(contact, template, transport or WhatsApp(), "")
    except TransportError as exc:
        _after_failure(contact, exc)
        if not exc.permanent:
            raise
        return False
    Message.objects.filter(pk=message.pk).update(
        external_id=new_sid,
        result={**message.result, "sent_as": "template", "failed": message.external_id},
    )
    return True
