"""One exchange of a chat: the message in, the replies out, and both kept in the inbox.

Replies are composed here, with everything sending needs, and stored with the message
they answer in one INSERT; the adapter sends them after the update's transaction
commits and keeps each one's messenger id (`inbox.message_sent`).
"""

import re
from dataclasses import asdict, dataclass, field
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
class Voice:
    """A voice or audio message: where to fetch it and what the messenger told of it."""

    file_id: str = ""  # Telegram's, for getFile
    url: str = ""  # Twilio's MediaUrl0
    content_type: str = ""
    filename: str = ""
    duration: int | None = None  # seconds, when the messenger says
    size: int | None = None  # bytes, when the messenger says
    # Why it was not heard: "off" (no service), "too_long", "failed", "silent"; "": not yet.
    problem: str = ""


# Images read as receipts, as the messengers name them (iPhones send HEIC as a file).
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"})
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")


@dataclass(frozen=True)
class Attachment:
    """An image the person sent (a photo, an image file): where the messenger keeps it.
    Fetched by a queue job (`messaging.photos`), which hands it back with `data`, or with
    the `problem` that kept it from coming."""

    ref: str  # Telegram's file_id; Twilio's media URL
    content_type: str = ""
    size: int = 0  # as the messenger said (0: it did not)
    data: bytes | None = field(default=None, repr=False, compare=False)
    problem: str = ""  # "too_large", "unavailable"

    @property
    def fetched(self) -> bool:
        return self.data is not None or bool(self.problem)


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
    # Something other than text or an image (a sticker, a voice note).
    unsupported: bool = False
    # A group's name, and whether the sender hides behind it (an anonymous admin).
    chat_title: str = ""
    anonymous: bool = False
    # A voice message; once heard, `text` is what was heard, and `heard` says so.
    voice: Voice | None = None
    heard: str = ""
    # A photo or an image file, with its caption as `text`.
    image: Attachment | None = None


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


def inbound_data(inbound: Inbound) -> dict[str, Any]:
    """The update as plain JSON, for a queue job to answer it later (an image's bytes
    are not in it: the job fetches them)."""
    data = asdict(inbound)
    if inbound.image is not None:
        data["image"] = {
            k: v for k, v in data["image"].items() if k in {"ref", "content_type", "size"}
        }
    return data


def inbound_from(data: dict[str, Any]) -> Inbound:
    """`inbound_data`'s update again."""
    image = data.get("image")
    return Inbound(
        **{
            **data,
            "account": Account(**data["account"]),
            "image": Attachment(**image) if image else None,
        }
    )


def language_of(code: str) -> str:
    return "ru" if code.lower().startswith("ru") else "en"


def unsupported_text(inbound: Inbound) -> str:
    """What a message Kopilka cannot read is answered with."""
    problem = inbound.voice.problem if inbound.voice is not None else ""
    if problem == "off":
        return _("I can't listen to voice messages yet: please type it, such as “кофе 250”.")
    if problem == "too_long":
        return _(
            "That voice message is longer than I listen to (2 minutes, 5 MB): "
            "please say it shorter or type it, such as “кофе 250”."
        )
    if problem == "silent":
        return _("I heard no words in that voice message: please say it again or type it.")
    if problem == "failed":
        return _(
            "I could not listen to that voice message, the speech service did not answer: "
            "nothing was recorded. Please type it, such as “кофе 250”."
        )
    return _(
        "I understand text and photos of receipts: write an amount, such as "
        "“кофе 250”, or send a photo of the receipt's QR code."
    )


def with_heard(inbound: Inbound, replies: list[Reply]) -> list[Reply]:
    """Show the words heard in a voice message above the first reply, so that a
    mishearing is seen (and fixed with the same buttons)."""
    if inbound.heard and replies:
        heard = _("Heard: “%(words)s”") % {"words": inbound.heard}
        replies[0].text = f"{heard}\n{replies[0].text}"
    return replies


def incoming(conversation: Conversation, inbound: Inbound) -> Message:
    """The person's message, as the inbox keeps it."""
    text = inbound.text or (f"[{inbound.callback_data}]" if inbound.callback_data else "")
    if inbound.image is not None:
        text = f"[{_('photo')}] {text}".strip()
    return Message(
        conversation=conversation,
        direction=Message.Direction.IN,
        text=text or (_("(a voice message)") if inbound.voice else _("(not text)")),
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


def save(conversation: Conversation, message: Message | None, replies: list[Reply]) -> list[Reply]:
    """Store the person's message and the replies to it, in one INSERT (no message: it
    was stored when it came, and a queue job answers it now)."""
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
    incoming = [message] if message is not None else []
    inbox.messages_save(messages=[*incoming, *(r.message for r in replies if r.message)])
    return replies
