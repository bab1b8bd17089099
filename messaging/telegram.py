"""Telegram's side of the chat: Bot API updates in, replies out.

Updates are read from the documented `Update` object with small typed accessors
rather than a framework: the Bot API adds fields all the time and anything this
module does not know is ignored.

An update is answered in two steps: inside its claim's transaction the chat composes
the replies (`Delivery`, plain data, the stored messages' ids included) and `enqueue`
defers them; the webhook is answered at once, and a queue worker sends them (`deliver`),
one job per message, in order per chat, within Telegram's limits (the shared limiter:
one message a second per chat, TELEGRAM_RATE_PER_SECOND in all).
"""

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.db import InterfaceError, OperationalError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from audit.models import Source
from core import jobs
from messaging import inbox, voice
from messaging.chat import exchange, groups, private
from messaging.linking import contacts
from messaging.linking import groups as group_links
from messaging.models import Channel
from messaging.transports import Button, Telegram, TransportError
from notifications import limiter

logger = logging.getLogger(__name__)

CHANNEL = Channel.TELEGRAM
# The queue and task (messaging/tasks.py) that send a Delivery.
QUEUE = "messaging"
DELIVER = "messaging.telegram_deliver"
# my_chat_member: the bot added to a group, or removed from it (which ends the group's link).
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]
GROUP_TYPES = frozenset({"group", "supergroup"})
# Telegram's stand-in sender of an anonymous admin's messages (@GroupAnonymousBot).
ANONYMOUS_ADMIN_ID = 1087968824


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def _account(sender: dict[str, Any], chat_id: str) -> contacts.Account:
    name = sender.get("username") or " ".join(
        str(sender.get(k) or "") for k in ("first_name", "last_name")
    )
    telegram_id = sender.get("id")
    return contacts.Account(
        channel=CHANNEL,
        chat_id=chat_id,
        telegram_id=telegram_id if isinstance(telegram_id, int) else None,
        display_name=str(name).strip()[:200],
    )


def _anonymous(message: dict[str, Any], sender: dict[str, Any]) -> bool:
    # An admin writing as the group (or as a channel) has `sender_chat`; `from` is then
    # a placeholder, and nobody can be told from another.
    return bool(_dict(message.get("sender_chat"))) or sender.get("id") == ANONYMOUS_ADMIN_ID


def _voice(message: dict[str, Any]) -> exchange.Voice | None:
    """A `voice` note (OGG/Opus) or an `audio` file, screened; None for anything else."""
    kind = "voice" if "voice" in message else "audio"
    media = _dict(message.get(kind))
    file_id = media.get("file_id")
    if not isinstance(file_id, str) or not file_id:
        return None
    duration, size = media.get("duration"), media.get("file_size")
    name, mime = media.get("file_name"), media.get("mime_type")
    found = exchange.Voice(
        file_id=file_id,
        content_type=mime if isinstance(mime, str) else "audio/ogg" if kind == "voice" else "",
        filename=name[:100] if kind == "audio" and isinstance(name, str) else "",
        duration=duration if isinstance(duration, int) else None,
        size=size if isinstance(size, int) else None,
    )
    return voice.screen(found)


def _title(chat_data: dict[str, Any]) -> str:
    title = chat_data.get("title")
    return title[:255] if isinstance(title, str) else ""


@dataclass(frozen=True)
class GroupEvent:
    """Something about a group itself: it became a supergroup (a new id), was renamed,
    or the bot is no longer in it."""

    update_id: str
    kind: str  # "migrate", "retitle" or "removed"
    chat_id: int
    new_chat_id: int = 0
    title: str = ""


def group_event(update: Any) -> GroupEvent | None:
    update = _dict(update)
    update_id = _id(update.get("update_id"))
    if not update_id:
        return None
    member = _dict(update.get("my_chat_member"))
    if member:
        chat_data = _dict(member.get("chat"))
        chat_id = chat_data.get("id")
        status = _dict(member.get("new_chat_member")).get("status")
        # (In a private chat "kicked" means blocked: a failed send says that already.)
        group = chat_data.get("type") in GROUP_TYPES
        if group and isinstance(chat_id, int) and status in {"left", "kicked"}:
            return GroupEvent(update_id, "removed", chat_id)
        return None
    message = _dict(update.get("message"))
    chat_data = _dict(message.get("chat"))
    chat_id = chat_data.get("id")
    if not isinstance(chat_id, int) or chat_data.get("type") not in GROUP_TYPES:
        return None
    # The old group says where it went, and the new supergroup where it came from.
    migrate_to = message.get("migrate_to_chat_id")
    if isinstance(migrate_to, int):
        return GroupEvent(update_id, "migrate", chat_id, new_chat_id=migrate_to)
    migrate_from = message.get("migrate_from_chat_id")
    if isinstance(migrate_from, int):
        return GroupEvent(update_id, "migrate", migrate_from, new_chat_id=chat_id)
    if isinstance(message.get("new_chat_title"), str):
        return GroupEvent(update_id, "retitle", chat_id, title=message["new_chat_title"])
    return None


def _group_event_handle(event: GroupEvent) -> None:
    if event.kind == "migrate":
        group_links.group_migrated(
            chat_id=event.chat_id, new_chat_id=event.new_chat_id, source=Source.TELEGRAM
        )
    elif event.kind == "removed":
        group_links.group_removed(chat_id=event.chat_id, source=Source.TELEGRAM)
    else:
        group_links.group_retitled(chat_id=event.chat_id, title=event.title)


def _size(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _image(message: dict[str, Any]) -> exchange.Attachment | None:
    """A photo (its largest size: Telegram lists several) or an image sent as a file."""
    sizes = message.get("photo")
    photos = [
        p
        for p in (sizes if isinstance(sizes, list) else [])
        if isinstance(p, dict) and isinstance(p.get("file_id"), str)
    ]
    if photos:
        largest = max(
            photos,
            key=lambda p: (
                _size(p.get("width")) * _size(p.get("height")),
                _size(p.get("file_size")),
            ),
        )
        return exchange.Attachment(
            ref=largest["file_id"], content_type="image/jpeg", size=_size(largest.get("file_size"))
        )
    document = _dict(message.get("document"))
    mime = str(document.get("mime_type") or "").lower()
    name = str(document.get("file_name") or "").lower()
    if isinstance(document.get("file_id"), str) and (
        mime in exchange.IMAGE_TYPES or name.endswith(exchange.IMAGE_EXTENSIONS)
    ):
        return exchange.Attachment(
            ref=document["file_id"], content_type=mime, size=_size(document.get("file_size"))
        )
    return None


def inbound(update: Any) -> exchange.Inbound | None:
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
        return exchange.Inbound(
            channel=CHANNEL,
            update_id=update_id,
            chat_id=chat_id,
            account=_account(sender, chat_id),
            message_id=_id(message.get("message_id")),
            callback_id=callback["id"],
            callback_data=str(callback.get("data") or "")[:64] or "?",
            private=chat_data.get("type") == "private",
            language=str(sender.get("language_code") or ""),
            chat_title=_title(chat_data),
        )
    edited = "edited_message" in update and "message" not in update
    message = _dict(update.get("edited_message") if edited else update.get("message"))
    chat_data = _dict(message.get("chat"))
    chat_id = _id(chat_data.get("id"))
    if not chat_id:
        return None  # my_chat_member, channel posts, polls...: nothing to say
    if message.get("is_automatic_forward"):
        return None  # a linked channel's post copied into its discussion group
    sender = _dict(message.get("from"))
    text = message.get("text")
    text = text[:4096] if isinstance(text, str) else ""
    # A new photo is a receipt to read; its caption is its text. (An edited one is not.)
    image = None if edited else _image(message)
    if image is not None:
        caption = message.get("caption")
        text = caption[:1024] if isinstance(caption, str) else ""
    return exchange.Inbound(
        voice=_voice(message) if not text and not edited else None,
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
        unsupported=not text and image is None,
        chat_title=_title(chat_data),
        anonymous=_anonymous(message, sender),
        image=image,
    )


def handle_update_or_log(update: Any) -> bool:
    """`handle_update`, for the webhook and the poller: a bug met in one update is
    logged, not raised, so that Telegram is answered 200 and the updates after it keep
    coming (a raised error would have it redeliver the same update for a day, and stop
    the poller at it). A lost database is raised: that update is worth another try."""
    try:
        return handle_update(update)
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        update_id = update.get("update_id") if isinstance(update, dict) else None
        logger.exception("telegram: update %s could not be handled", update_id)
        return False


def _storable(value: Any) -> Any:
    """The update with every string in it as it can be kept (`exchange.storable`)."""
    if isinstance(value, str):
        return exchange.storable(value)
    if isinstance(value, dict):
        return {_storable(k): _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def handle_update(update: Any) -> bool:
    """Handle one update once, however often it is delivered; False when it was
    a repeat or carried nothing to answer. The replies go out from the queue after the
    commit (`enqueue`): nothing here waits on Telegram."""
    # A NUL or a lone surrogate in a message is answered like any other text, not
    # dropped by the database refusing it.
    update = _storable(update)
    event = group_event(update)
    if event is not None:
        with transaction.atomic():
            if not inbox.update_claim(channel=CHANNEL, update_id=event.update_id):
                return False
            _group_event_handle(event)
        return True
    item = inbound(update)
    if item is None:
        return False
    with transaction.atomic():
        if not inbox.update_claim(channel=CHANNEL, update_id=item.update_id):
            return False
        if item.voice is not None and not item.voice.problem and _to_hear(item):
            voice.defer(channel=CHANNEL, update=update)  # the queue hears it and answers
            return True
        handled = private.respond(item) if item.private else groups.respond(item)
        enqueue(compose(item, handled))
    return True


def _to_hear(item: exchange.Inbound) -> bool:
    """Whether a voice message is someone's to record: only a linked person's audio
    goes to the speech service (a stranger is told how to link, as for text), and in a
    group only in a linked group."""
    if item.private:
        return contacts.contact_for_chat(channel=CHANNEL, chat_id=item.chat_id) is not None
    telegram_id = item.account.telegram_id
    return (
        telegram_id is not None
        and not item.anonymous
        and contacts.contact_for_telegram_id(telegram_id=telegram_id) is not None
        and group_links.group_ledger(chat_id=int(item.chat_id)) is not None
    )


def hear(update: Any, *, last_try: bool) -> bool:
    """The queue's half of a voice message `handle_update` claimed: hear it, then answer
    the words as a typed message is answered, the replies going out from the queue as
    every reply does. False when it was answered already."""
    item = inbound(update)
    if item is None or item.voice is None:
        return False
    item = voice.hear(item, last_try=last_try)
    with transaction.atomic():
        # A job run twice (a worker lost after the answer) answers once.
        if not inbox.update_claim(channel=CHANNEL, update_id=f"heard:{item.update_id}"):
            return False
        handled = private.respond(item) if item.private else groups.respond(item)
        enqueue(compose(item, handled))
    return True


@dataclass(frozen=True)
class Outgoing:
    """One reply to send: where, what, and the stored message it is (to keep its id)."""

    chat_id: str
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    reply_to: str = ""
    message_id: int | None = None
    # Said briefly where the person wrote (`fallback_chat_id`) when `chat_id`, their
    # private chat, is closed to the bot (they never pressed Start).
    fallback: str = ""
    fallback_chat_id: str = ""
    fallback_reply_to: str = ""


@dataclass(frozen=True)
class Delivery:
    """What an update's answer sends, as plain data: the button's notice, the replies in
    order, and the person's own link, which ends if they have blocked the bot. A job
    (a receipt read later, say) may compose one and `enqueue` it, or `deliver` it."""

    update_id: str
    replies: tuple[Outgoing, ...]
    callback_id: str = ""
    notice: str = ""
    # The private chat's contact (a group says nothing about a person's link).
    contact_id: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Delivery":
        replies = tuple(
            Outgoing(
                **{
                    **reply,
                    "buttons": tuple(
                        tuple(Button(**button) for button in row) for row in reply["buttons"]
                    ),
                }
            )
            for reply in data["replies"]
        )
        return cls(**{**data, "replies": replies})


def compose(item: exchange.Inbound, handled: exchange.Handled) -> Delivery:
    # A reply answers the message it is about, except a pressed button's.
    answered = item.message_id if not item.callback_id else ""
    replies = []
    for reply in handled.replies:
        message_id = reply.message.pk if reply.message is not None else None
        buttons = tuple(tuple(row) for row in reply.buttons)
        if reply.chat_id:
            outgoing = Outgoing(
                reply.chat_id,
                reply.text,
                buttons,
                message_id=message_id,
                fallback=reply.fallback,
                fallback_chat_id=item.chat_id,
                fallback_reply_to=reply.reply_to or answered,
            )
        else:
            outgoing = Outgoing(
                item.chat_id, reply.text, buttons, reply.reply_to or answered, message_id
            )
        replies.append(outgoing)
    contact = handled.contact if item.private else None
    return Delivery(
        update_id=item.update_id,
        replies=tuple(replies),
        callback_id=item.callback_id,
        notice=handled.notice,
        contact_id=contact.pk if contact is not None else None,
    )


def enqueue(delivery: Delivery) -> list[int]:
    """Send `delivery` from the queue once the current transaction commits (or never):
    one job per message, so that a retry sends only what failed. A chat's jobs share a
    lock, which the queue runs one at a time, oldest first: a chat's replies arrive in
    the order they were composed, a failed one's retries included."""
    jobs_ids = []
    if delivery.callback_id:
        # (Not a message: the spinner's answer needs no chat order nor chat slot.)
        answer = replace(delivery, replies=())
        jobs_ids.append(jobs.defer(DELIVER, queue=QUEUE, delivery=answer.to_json()))
    for reply in delivery.replies:
        one = replace(delivery, replies=(reply,), callback_id="", notice="")
        jobs_ids.append(
            jobs.defer(
                DELIVER, queue=QUEUE, lock=f"telegram:{reply.chat_id}", delivery=one.to_json()
            )
        )
    return jobs_ids


def deliver(delivery: Delivery, transport: Telegram | None = None) -> None:
    """Send an update's answer now (the queue's job does, see `enqueue`), each message
    within the shared limiter's slots. A chat that has blocked the bot ends its link;
    a failure that may pass (the network, a 429, a 5xx) is raised for the queue to try
    again later, without sleeping here; a reply already sent is not sent again."""
    try:
        if delivery.callback_id:
            _transport(transport).answer_callback(
                callback_id=delivery.callback_id, text=delivery.notice
            )
        for reply in delivery.replies:
            if reply.message_id is not None and inbox.message_is_sent(message_id=reply.message_id):
                continue  # by an attempt that failed after it
            sent_id = _send(reply, transport)
            if reply.message_id is not None and sent_id:
                inbox.message_sent(message_id=reply.message_id, external_id=sent_id)
    except TransportError as exc:
        logger.warning("telegram: reply to update %s not sent: %s", delivery.update_id, exc)
        if not exc.permanent:
            raise
        if exc.code == "blocked" and delivery.contact_id is not None:
            contacts.contact_blocked(contact_id=delivery.contact_id, source=Source.TELEGRAM)


def _transport(given: Telegram | None, chat: str = "") -> Telegram:
    """`given`, or the Bot API for one request at a time: no retries or sleeps of its own
    (the queue retries), each message to `chat` within a slot of the shared limiter."""
    if given is not None:
        return given
    gate: Callable[[], AbstractContextManager[object]] = (
        (lambda: limiter.slot(chat)) if chat else nullcontext
    )
    return Telegram(attempts=1, max_retry_after=0, gate=gate)


def _send(reply: Outgoing, given: Telegram | None) -> str:
    buttons = reply.buttons
    transport = _transport(given, reply.chat_id)
    if not reply.fallback_chat_id:
        return transport.send(
            chat_id=reply.chat_id, text=reply.text, buttons=buttons, reply_to=reply.reply_to
        )
    try:
        return transport.send(chat_id=reply.chat_id, text=reply.text, buttons=buttons)
    except TransportError as exc:
        # A person who never pressed Start in a private chat cannot be written to there
        # ("bot can't initiate conversation with a user"): say it briefly where they wrote.
        if not exc.permanent or not reply.fallback:
            raise
        _transport(given, reply.fallback_chat_id).send(
            chat_id=reply.fallback_chat_id, text=reply.fallback, reply_to=reply.fallback_reply_to
        )
        return ""


def set_commands(transport: Telegram) -> None:
    """Register the command menus, private chats' and groups', in Russian and in
    English (the default)."""
    for language in ("ru", "en"):
        with translation.override(language):
            private = [
                {"command": "month", "description": _("This month: income, expenses, balance")},
                {"command": "budget", "description": _("The month's plan against spending")},
                {"command": "categories", "description": _("Your categories")},
                {"command": "undo", "description": _("Remove the last transaction")},
                {"command": "today", "description": _("How much I can spend today")},
                {"command": "recurring", "description": _("Regular payments")},
                {"command": "ledger", "description": _("Which ledger I record into; switch it")},
                {"command": "balance", "description": _("Who owes whom in a shared ledger")},
                {"command": "settle", "description": _("Settle up: the transfers to make")},
                {"command": "lang", "description": _("Reply language: /lang ru or /lang en")},
                {"command": "help", "description": _("What I understand")},
                {"command": "unlink", "description": _("Unlink this chat")},
            ]
            group = [
                {"command": "month", "description": _("This month of the group's ledger")},
                {"command": "budget", "description": _("The month's plan against spending")},
                {"command": "categories", "description": _("The ledger's categories")},
                {"command": "undo", "description": _("Remove your last transaction here")},
                {"command": "today", "description": _("How much the ledger can spend today")},
                {"command": "balance", "description": _("Who owes whom")},
                {"command": "settle", "description": _("Settle up: the transfers to make")},
                {"command": "ledger", "description": _("Which ledger this group keeps")},
                {"command": "help", "description": _("What I understand")},
            ]
        for commands, scope in ((private, "default"), (group, "all_group_chats")):
            payload: dict[str, Any] = {"commands": commands, "scope": {"type": scope}}
            if language == "ru":
                payload["language_code"] = "ru"
            transport.call("setMyCommands", payload)
