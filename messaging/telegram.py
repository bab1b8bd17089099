"""Telegram's side of the chat: Bot API updates in, replies out.

Updates are read from the documented `Update` object with small typed accessors
rather than a framework: the Bot API adds fields all the time and anything this
module does not know is ignored.
"""

import logging
from typing import Any

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from messaging import chat, services
from messaging.models import Channel, UserContact
from messaging.transports import Telegram, TransportError

logger = logging.getLogger(__name__)

CHANNEL = Channel.TELEGRAM
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def _account(sender: dict[str, Any], chat_id: str) -> services.Account:
    name = sender.get("username") or " ".join(
        str(sender.get(k) or "") for k in ("first_name", "last_name")
    )
    telegram_id = sender.get("id")
    return services.Account(
        channel=CHANNEL,
        chat_id=chat_id,
        telegram_id=telegram_id if isinstance(telegram_id, int) else None,
        display_name=str(name).strip()[:200],
    )


def inbound(update: Any) -> chat.Inbound | None:
    """The update as the chat sees it, or None when there is nothing to answer."""
    update = _dict(update)
    update_id = _id(update.get("update_id"))
    if not update_id:
        return None
    callback = _dict(update.get("callback_query"))
    if callback:
        message = _dict(callback.get("message"))
        chat_data = _dict(message.get("chat"))
        chat_id = _id(chat_data.get("id"))
        sender = _dict(callback.get("from"))
        if not chat_id or not isinstance(callback.get("id"), str):
            return None
        return chat.Inbound(
            channel=CHANNEL,
            update_id=update_id,
            chat_id=chat_id,
            account=_account(sender, chat_id),
            message_id=_id(message.get("message_id")),
            callback_id=callback["id"],
            callback_data=str(callback.get("data") or "")[:64] or "?",
            private=chat_data.get("type") == "private",
            language=str(sender.get("language_code") or ""),
        )
    edited = "edited_message" in update and "message" not in update
    message = _dict(update.get("edited_message") if edited else update.get("message"))
    chat_data = _dict(message.get("chat"))
    chat_id = _id(chat_data.get("id"))
    if not chat_id:
        return None  # my_chat_member, channel posts, polls...: nothing to say
    sender = _dict(message.get("from"))
    text = message.get("text")
    text = text[:4096] if isinstance(text, str) else ""
    return chat.Inbound(
        channel=CHANNEL,
        update_id=update_id,
        chat_id=chat_id,
        account=_account(sender, chat_id),
        text=text,
        message_id=_id(message.get("message_id")),
        reply_to=_id(_dict(message.get("reply_to_message")).get("message_id")),
        edited=edited,
        private=chat_data.get("type") == "private",
        language=str(sender.get("language_code") or ""),
        unsupported=not text,
    )


def handle_update(update: Any, *, transport: Telegram | None = None) -> bool:
    """Handle one update once, however often it is delivered; False when it was
    a repeat or carried nothing to answer. Replies are sent after the commit."""
    item = inbound(update)
    if item is None:
        return False
    with transaction.atomic():
        if not services.update_claim(channel=CHANNEL, update_id=item.update_id):
            return False
        handled = chat.respond(item)
    _send(item, handled, transport or Telegram())
    return True


def _send(item: chat.Inbound, handled: chat.Handled, transport: Telegram) -> None:
    try:
        if item.callback_id:
            transport.answer_callback(callback_id=item.callback_id, text=handled.notice)
        for reply in handled.replies:
            message_id = transport.send(
                chat_id=item.chat_id,
                text=reply.text,
                buttons=reply.buttons,
                reply_to=reply.reply_to or (item.message_id if not item.callback_id else ""),
            )
            if reply.message is not None and message_id:
                services.message_sent(message=reply.message, external_id=message_id)
    except TransportError as exc:
        logger.warning("telegram: reply to update %s not sent: %s", item.update_id, exc)
        if exc.code == "blocked" and handled.contact is not None:
            services.contact_unlink(
                contact=handled.contact,
                source=chat.SOURCES[CHANNEL],
                reason=UserContact.InactiveReason.BLOCKED,
            )


def set_commands(transport: Telegram) -> None:
    """Register the command menu in Russian and in English (the default)."""
    for language in ("ru", "en"):
        with translation.override(language):
            commands = [
                {"command": "month", "description": _("This month: income, expenses, balance")},
                {"command": "budget", "description": _("The month's plan against spending")},
                {"command": "categories", "description": _("Your categories")},
                {"command": "undo", "description": _("Remove the last transaction")},
                {"command": "lang", "description": _("Reply language: /lang ru or /lang en")},
                {"command": "help", "description": _("What I understand")},
                {"command": "unlink", "description": _("Unlink this chat")},
            ]
        payload: dict[str, Any] = {"commands": commands}
        if language == "ru":
            payload["language_code"] = "ru"
        transport.call("setMyCommands", payload)
