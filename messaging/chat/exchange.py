"""One exchange of a chat: the message in, the replies out, and both kept in the inbox.

Replies are composed here, with everything sending needs, and stored with the message
they answer in one INSERT; the adapter sends them after the update's transaction
commits and keeps each one's messenger id (`inbox.message_sent`).
"""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from audit.models import Source
from messaging import inbox
from messaging.chat import router
from messaging.chat.phrases import PLAIN_CHANNELS
from messaging.linking.contacts import Account
from messaging.models import Conversation, Message, UserContact
from messaging.transports import Button

SOURCES = {"telegram": Source.TELEGRAM, "whatsapp": Source.WHATSAPP}
# What no text column takes: NUL (PostgreSQL refuses it) and a lone surrogate (no UTF-8
# has it; JSON's "\ud800" makes one).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` as it can be kept and answered: NUL dropped, a lone surrogate made U+FFFD."""
    return _UNSTORABLE.sub(lambda m: "" if m[0] == "\x00" else "\ufffd", text)


@dataclass(frozen=True)
class Inbound:
    """One update from a messenger, in the shape every channel shares."""

    channel: str
    update_id: str
    chat_id: str
    account: Account
    text: str = ""
    message_id: str = ""
    # The message this one replies to (a confirmation, to correct it).
    reply_to: str = ""
    edited: bool = False
    # A pressed button: its data and the message it was under.
    callback_id: str = ""
    callback_data: str = ""
    private: bool = True
    # The messenger's idea of the person's language (Telegram's language_code).
    language: str = ""
    # Something other than text (a sticker, a photo, a voice note).
    unsupported: bool = False
    # A group's name, and whether the sender hides behind it (an anonymous admin).
    chat_title: str = ""
    anonymous: bool = False


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    reply_to: str = ""
    # Sent to this chat rather than the one written in (a private hint to someone who
    # wrote in a group); `fallback` is said where they wrote when that chat is closed.
    chat_id: str = ""
    fallback: str = ""
    transaction_id: int | None = None
    action: str = ""
    # The action's result as stored with the reply (its JSON).
    result: dict[str, Any] = field(default_factory=dict)
    message: Message | None = None


@dataclass
class Handled:
    replies: list[Reply]
    contact: UserContact | None = None
    # What the pressed button's spinner says (Telegram's answerCallbackQuery).
    notice: str = ""


def language_of(code: str) -> str:
    return "ru" if code.lower().startswith("ru") else "en"


def incoming(conversation: Conversation, inbound: Inbound) -> Message:
    """The person's message, as the inbox keeps it."""
    text = inbound.text or (f"[{inbound.callback_data}]" if inbound.callback_data else "")
    return Message(
        conversation=conversation,
        direction=Message.Direction.IN,
        text=text or _("(not text)"),
        external_id=inbound.message_id if not inbound.callback_data else "",
    )


def _in_plain_words(reply: Reply) -> None:
    """Turn the buttons into what to answer instead, for a channel without buttons."""
    presses = [(b, router.button(b.data)) for row in reply.buttons for b in row]
    names = [b.text for b, press in presses if press is not None and press.what == "category"]
    lines = [reply.text]
    if names:
        lines.append(_("Reply “category” and one of: %(names)s") % {"names": ", ".join(names)})
    elif any(press is not None and press.what == "choose" for _b, press in presses):
        lines.append(_("Reply “category” and a name to move it"))
    if any(press is not None and press.what == "undo" for _b, press in presses):
        lines.append(_('Reply "undo" to delete'))
    reply.text = "\n".join(lines)
    reply.buttons = []


def save(conversation: Conversation, message: Message, replies: list[Reply]) -> list[Reply]:
    """Store the person's message and the replies to it, in one INSERT."""
    for reply in replies:
        if conversation.channel in PLAIN_CHANNELS:
            _in_plain_words(reply)
        reply.message = Message(
            conversation=conversation,
            direction=Message.Direction.OUT,
            text=reply.text,
            transaction_id=reply.transaction_id,
            action=reply.action,
            result=reply.result,
        )
    inbox.messages_save(messages=[message, *(r.message for r in replies if r.message)])
    return replies
