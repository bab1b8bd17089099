"""A group chat linked to a ledger: its members keep the ledger's books together.

A message in the group acts as the person who wrote it, found by their own messenger
account (Telegram's `from.id`, linked in the cabinet), in the group's ledger: the
dispatcher's `Caller` carries their user and scopes, the group's ledger and the group as
`channel_ref`, so a record is theirs (`created_by`, `paid_by`) and their role decides
(a read-only member is refused). Each person has their own conversation in the group,
so `/undo`, the buttons and replies to a confirmation reach only their own records.

In a group the bot speaks only when spoken to: commands, buttons, replies to its
messages, mentions of it, and lines that read as a record (a number, and a category of
their own). Anything else (people talking, with privacy mode off) gets no answer.
"""

import dataclasses
import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from core.errors import ActionError
from finance.defaults import FALLBACK_SLUGS
from finance.models import Kind
from finance.selectors.transactions import transaction_get
from finance.services.text import record_from_text
from ledgers import access
from ledgers.models import Ledger, Membership
from messaging import inbox
from messaging.chat import bank, commands, exchange, households, phrases, router
from messaging.chat.dialogue import Dialogue
from messaging.chat.exchange import Handled, Inbound, Reply
from messaging.linking import codes, contacts, groups
from messaging.models import Message, UserContact

DIGIT_RE = re.compile(r"\d")
# How often someone unknown whose line with a number may have been talk is told privately.
HINT_INTERVAL = 6 * 60 * 60


def respond(inbound: Inbound) -> Handled:
    contact = _sender(inbound)
    language = (contact.language or contact.user.language) if contact else ""
    with translation.override(language or exchange.language_of(inbound.language)):
        mentioned = _mentions_the_bot(inbound.text)
        inbound = _without_mention(inbound)
        if inbound.unsupported:
            # Stickers, people joining: nothing to say in a group. A voice message that
            # was to be heard and could not be: its sender is told (only someone known:
            # in the talk of strangers the bot keeps quiet).
            failed = inbound.voice is not None and inbound.voice.problem == "failed"
            if failed and contact is not None:
                return Handled([Reply(exchange.unsupported_text(inbound))])
            return Handled([])
        cmd = router.command(inbound.text) if inbound.text and not inbound.edited else None
        if cmd is not None and cmd.bot and cmd.bot.lower() != _bot().lower():
            return Handled([])  # a command for another bot in the group
        if not _addressed(inbound, cmd):
            return Handled([])
        # Spoken to for sure (not just a line with a number in the talk).
        explicit = (
            cmd is not None
            or mentioned
            or bool(inbound.callback_data)
            or _owner(inbound, inbound.reply_to) is not None
        )
        # A photo nobody addressed to the bot may be any photo: it is read as a receipt
        # for a linked member of a linked group, and otherwise passed over in silence.
        unasked_photo = inbound.image is not None and not explicit
        if inbound.anonymous:
            return Handled([]) if unasked_photo else _refused(inbound, _anonymous())
        if cmd is not None and cmd.name in {"start", "link"} and cmd.argument:
            return _link(inbound, cmd.argument)
        ledger = groups.group_ledger(chat_id=int(inbound.chat_id))
        if ledger is None:
            quiet = inbound.edited or unasked_photo
            return Handled([]) if quiet else _refused(inbound, _not_linked())
        if contact is None:
            if unasked_photo:
                return Handled([])
            return _hint(inbound, _unlinked_hint(inbound), _unlinked_fallback(), explicit)
        try:
            member = access.member_of(user=contact.user, ledger=ledger)
        except access.LedgerNotFound:
            if unasked_photo:
                return Handled([])
            hint = _stranger_hint(inbound, ledger)
            return _hint(inbound, hint, _stranger_fallback(), explicit)
        return GroupDialogue(inbound, contact, ledger=member, explicit=explicit).respond(cmd)


def _bot() -> str:
    return str(settings.TELEGRAM_BOT_USERNAME)


def _sender(inbound: Inbound) -> UserContact | None:
    """The writer's own link (not the group's: a group is nobody's contact)."""
    telegram_id = inbound.account.telegram_id
    if telegram_id is None:
        return None
    return contacts.contact_for_telegram_id(telegram_id=telegram_id)


def _mentions_the_bot(text: str) -> bool:
    bot = _bot()
    return bool(bot) and re.search(rf"@{re.escape(bot)}\b", text, flags=re.I) is not None


def _without_mention(inbound: Inbound) -> Inbound:
    """`@kopilka_bot кофе 250` is `кофе 250`: the mention only made the message reach us."""
    bot = _bot()
    if not bot or f"@{bot}".lower() not in inbound.text.lower() or inbound.text.startswith("/"):
        return inbound
    text = re.sub(rf"@{re.escape(bot)}\b", " ", inbound.text, flags=re.I)
    return dataclasses.replace(inbound, text=" ".join(text.split(" ")).strip())


def _addressed(inbound: Inbound, cmd: router.Command | None) -> bool:
    """Whether the message is for the bot: commands, buttons, replies to it, and lines
    with a number in them (with privacy mode off the bot sees all the talk)."""
    if cmd is not None or inbound.callback_data or inbound.edited or inbound.image is not None:
        return True
    if inbound.reply_to and _owner(inbound, inbound.reply_to) is not None:
        return True
    return bool(DIGIT_RE.search(inbound.text))


def _owner(inbound: Inbound, external_id: str) -> int | None:
    return inbox.bot_message_owner(
        channel=inbound.channel, chat_id=inbound.chat_id, external_id=external_id
    )


def _refused(inbound: Inbound, text: str) -> Handled:
    if inbound.callback_data:
        return Handled([], notice=text[:200])
    return Handled([Reply(text)])


def _hint(inbound: Inbound, private: str, fallback: str, explicit: bool) -> Handled:
    """Tell the writer privately why nothing was recorded; in the group only when the
    private chat is closed to the bot (they never pressed Start). For a mere line with
    a number (with privacy mode off) once in HINT_INTERVAL: it may have been talk."""
    if inbound.edited:
        return Handled([])
    if inbound.callback_data:
        return Handled([], notice=_not_yours())
    sender = inbound.account.telegram_id
    key = f"messaging:group-hint:{inbound.chat_id}:{sender}"
    if not cache.add(key, 1, timeout=HINT_INTERVAL) and not explicit:
        return Handled([])
    reply = Reply(private, chat_id=str(sender), fallback=fallback)
    return Handled([reply])


def _link(inbound: Inbound, code: str) -> Handled:
    try:
        linked = codes.group_code_redeem(
            account=inbound.account,
            chat_id=int(inbound.chat_id),
            title=inbound.chat_title,
            code=code,
            source=exchange.SOURCES[inbound.channel],
        )
    except ValidationError as exc:
        return Handled([Reply(" ".join(exc.messages))])
    contact = linked.contact
    with translation.override(contact.language or contact.user.language):
        text = _(
            "This group now keeps the books of “%(ledger)s”. The ledger's members whose "
            "Telegram is linked to Kopilka record here by writing, such as “кофе 250”; "
            "each record is the writer's own."
        ) % {"ledger": linked.ledger.name}
        conversation = inbox.conversation_touch(
            user=contact.user, channel=inbound.channel, chat_id=inbound.chat_id
        )
        message = Message(
            conversation=conversation,
            direction=Message.Direction.IN,
            text=inbound.text,
            external_id=inbound.message_id,
            action="link_group",
        )
        reply = Reply(f"{text}\n\n{phrases.group_help_text()}", action="link_group")
        return Handled(exchange.save(conversation, message, [reply]))


class GroupDialogue(Dialogue):
    """The dialogue with one member in the group, in the group's ledger."""

    def __init__(
        self, inbound: Inbound, contact: UserContact, *, ledger: Membership, explicit: bool
    ) -> None:
        super().__init__(inbound, contact, ledger=ledger)
        self.explicit = explicit
        self.talks_back = explicit

    @property
    def ledger(self) -> Ledger:
        member = self.caller.ledger
        assert not isinstance(member, Ledger | int) and member is not None
        return member.ledger

    def respond(self, cmd: router.Command | None) -> Handled:
        inbound = self.inbound
        if inbound.edited and not self._recorded_here(inbound.message_id):
            return Handled([])  # an edit of a message that recorded nothing: not ours
        if inbound.callback_data and not self._mine(inbound.message_id):
            return Handled([], notice=_not_yours())
        if (
            not self.explicit
            and not inbound.edited
            and inbound.image is None
            and not self._reads_as_a_record()
        ):
            return Handled([])  # "встречаемся в 7": talk, not a record
        return super().respond(cmd)

    def _reads_as_a_record(self) -> bool:
        """Whether a line of the message would land in a category of its own (not the
        fallback): said in passing, "встречаемся в 7" is talk. The parser's answer
        alone: a dry run of the service writes nothing (not even an audit row, which
        the dispatcher would write for people who only talked); a refusal of the
        person (read-only) is for the record to say. A bank's notification is one, and so is
        a payment back between members ("Маша вернула Пете 3000")."""
        if bank.recognised(self) or households.payment_said(self, self.inbound.text) is not None:
            return True
        for step in router.records(self.inbound.text):
            kind = Kind.INCOME if step.action == "create_income" else Kind.EXPENSE
            try:
                parsed = record_from_text(
                    user=self.user,
                    ledger=self.caller.ledger,
                    kind=kind,
                    text=step.payload["text"],
                    source=self.caller.source,
                    dry_run=True,
                )
            except access.LedgerForbidden:
                return True
            except ValidationError as exc:
                if "split_who" in _codes(exc):
                    return True  # "кофе 300 пополам": a record that asks with whom
                continue
            if parsed.category.slug != FALLBACK_SLUGS.get(kind):
                return True
        return False

    def pressed(self, press: router.Press | None) -> list[Reply]:
        # The button's data is the client's to forge: the rule holds for the transaction
        # it names, whichever message it was pressed on. One that is gone (or another
        # ledger's) is left to the press to say so.
        if press is not None:
            tx = transaction_get(user=self.user, ledger=self.caller.ledger, pk=press.transaction_id)
            if tx is not None and tx.created_by_id != self.user.pk:
                self.notice = _not_yours()
                return []
        return super().pressed(press)

    def _mine(self, external_id: str) -> bool:
        return _owner(self.inbound, external_id) == self.user.pk

    def _recorded_here(self, external_id: str) -> bool:
        found = inbox.recording_message(conversation=self.conversation, external_id=external_id)
        return found is not None

    def record(self, message: Message) -> list[Reply]:
        owner = _owner(self.inbound, self.inbound.reply_to)
        if owner is not None and owner != self.user.pk:
            return [Reply(_not_yours())]
        return super().record(message)

    def refusal(self, exc: ActionError) -> Reply:
        if exc.error == "ledger_read_only":
            return Reply(
                _("You may read “%(ledger)s” but not record in it: nothing was recorded.")
                % {"ledger": self.ledger.name}
            )
        return super().refusal(exc)

    def handler(self, command: commands.Command | None) -> commands.Handler | None:
        return command.group if command is not None else None

    def unknown_command(self) -> Reply:
        return Reply(
            _(
                "In a group I understand /month, /budget, /categories, /undo, /balance, "
                "/settle, /ledger and /help. Your own settings are in a private chat with me."
            )
        )


def _codes(exc: ValidationError) -> set[str]:
    if hasattr(exc, "error_dict"):
        return {e.code for errors in exc.error_dict.values() for e in errors if e.code}
    return {e.code for e in exc.error_list if e.code}


def _not_yours() -> str:
    return _("This is not yours: only the person who recorded it may change it.")


def _anonymous() -> str:
    return _(
        "You are writing as the group (an anonymous admin), so I cannot tell who you are "
        "and nothing was recorded. Write from your own account: turn off “Remain "
        "anonymous” in your admin rights."
    )


def _not_linked() -> str:
    return _(
        "This group is not linked to a Kopilka ledger. A manager of the ledger opens its "
        "page in the cabinet, presses “Link a Telegram group” and follows the link."
    )


def _unlinked_hint(inbound: Inbound) -> str:
    return _(
        "You wrote in “%(group)s”, where I keep the books of a Kopilka ledger for its "
        "members. I do not know your Telegram yet, so nothing was recorded: link it in the "
        "cabinet (Messengers → Link Telegram), ask a manager of the ledger to invite you, "
        "then write in the group again."
    ) % {"group": inbound.chat_title or _("the group")}


def _unlinked_fallback() -> str:
    return _(
        "I do not know you yet, so nothing was recorded: press Start in a private chat "
        "with @%(bot)s to see how to link your Telegram."
    ) % {"bot": _bot()}


def _stranger_hint(inbound: Inbound, ledger: Ledger) -> str:
    return _(
        "You wrote in “%(group)s”, which keeps the books of the ledger “%(ledger)s”. You "
        "are not its member, so nothing was recorded: ask one of its managers for an "
        "invitation."
    ) % {"group": inbound.chat_title or _("the group"), "ledger": ledger.name}


def _stranger_fallback() -> str:
    return _(
        "You are not a member of this group's ledger, so nothing was recorded: ask one of "
        "its managers for an invitation."
    )
