"""The conversation, for any messenger: an inbound message in, the replies out.

A transport adapter (messaging/telegram.py, messaging/whatsapp.py) turns its provider's
update into an `Inbound`, calls `respond` inside the update's claim, and sends the
`Reply`s it gets.
Every write goes through `botapi.dispatch.perform`, so validation, scopes,
idempotency and audit are the bot endpoint's own.
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Source
from botapi import dispatch
from botapi.caller import Caller
from core.errors import ActionError
from finance.defaults import FALLBACK_SLUGS
from finance.models import Kind
from ledgers import access
from ledgers import selectors as ledger_selectors
from ledgers import services as ledger_services
from ledgers.access import LedgerRef
from ledgers.models import Membership
from messaging import phrases, router, selectors, services
from messaging.models import Conversation, Message, UserContact
from messaging.router import Press
from messaging.selectors import CREATE_ACTIONS
from messaging.transports import Button

SOURCES = {"telegram": Source.TELEGRAM, "whatsapp": Source.WHATSAPP}
# Channels without a command menu or buttons: commands are plain words, in either language,
# and buttons become what to answer instead.
PLAIN_CHANNELS = phrases.PLAIN_CHANNELS


@dataclass(frozen=True)
class Inbound:
    """One update from a messenger, in the shape every channel shares."""

    channel: str
    update_id: str
    chat_id: str
    account: services.Account
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


def respond(inbound: Inbound) -> Handled:
    contact = services.contact_for_chat(channel=inbound.channel, chat_id=inbound.chat_id)
    language = (contact.language or contact.user.language) if contact else ""
    with translation.override(language or language_of(inbound.language)):
        if not inbound.private:
            return Handled([Reply(_("I work in private chats only: write to me directly."))])
        plain = inbound.channel in PLAIN_CHANNELS
        cmd = (
            router.command(inbound.text, plain=plain)
            if inbound.text and not inbound.edited
            else None
        )
        if cmd is not None and cmd.name in {"start", "link"} and cmd.argument:
            return _link(inbound, cmd.argument)
        if contact is None:
            return Handled([Reply(_how_to_link(inbound.channel))])
        return Dialogue(inbound, contact).respond(cmd)


def _choose(rows: list[Membership], argument: str) -> Membership | None:
    """The ledger `/ledger <argument>` means: its number in the list, or its name (or the
    one name it begins)."""
    wanted = " ".join(argument.split()).casefold()
    if wanted.isascii() and wanted.isdigit():  # not "²": int() refuses it
        n = int(wanted)
        return rows[n - 1] if 1 <= n <= len(rows) else None
    exact = [r for r in rows if r.ledger.name.casefold() == wanted]
    prefixed = [r for r in rows if r.ledger.name.casefold().startswith(wanted)]
    found = exact or prefixed
    return found[0] if len(found) == 1 else None


def _how_to_link(channel: str = "telegram") -> str:
    if channel in PLAIN_CHANNELS:
        return _(
            "This chat is not linked to Kopilka yet. Open the cabinet, go to Messengers, "
            "press “Link WhatsApp” and send the message it prepares, or send me link and "
            "the code, such as “link ABCD2345”."
        )
    return _(
        "This chat is not linked to Kopilka yet. Open the cabinet, go to Messengers, "
        "press “Link Telegram” and follow the link, or send me /link and the code."
    )


def _link(inbound: Inbound, code: str) -> Handled:
    try:
        contact = services.link_code_redeem(
            account=inbound.account, code=code, source=SOURCES[inbound.channel]
        )
    except ValidationError as exc:
        return Handled([Reply(" ".join(exc.messages))])
    with translation.override(contact.language or contact.user.language):
        text = _("Linked to %(user)s. Write what you spent, such as “кофе 250”.") % {
            "user": contact.user.get_username()
        }
        conversation = services.conversation_touch(
            user=contact.user, channel=inbound.channel, chat_id=inbound.chat_id
        )
        incoming = _incoming(conversation, inbound)
        incoming.action = "link"
        reply = Reply(f"{text}\n\n{phrases.help_text(inbound.channel)}", action="link")
        return Handled(_save(conversation, incoming, [reply]), contact=contact)


def _incoming(conversation: Conversation, inbound: Inbound) -> Message:
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


def _save(conversation: Conversation, incoming: Message, replies: list[Reply]) -> list[Reply]:
    """Store the inbound message and the replies, in one INSERT."""
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
    services.messages_save(messages=[incoming, *(r.message for r in replies if r.message)])
    return replies


class Dialogue:
    """The dialogue with one linked contact, for one update."""

    def __init__(self, inbound: Inbound, contact: UserContact, *, ledger: LedgerRef = None) -> None:
        """`ledger`: the books this chat keeps (a group's); None: the person's active ones."""
        self.inbound = inbound
        self.contact = contact
        self.user: User = contact.user
        self.caller = Caller(
            user=self.user,
            scopes=frozenset(contact.scopes),
            source=SOURCES[inbound.channel],
            # A private chat's: the active ledger's membership, read with the contact
            # (None: look it up).
            ledger=ledger if ledger is not None else contact.membership,
            channel_ref=inbound.chat_id,
            language=translation.get_language() or self.user.language,
        )
        self.conversation = services.conversation_touch(
            user=self.user,
            channel=inbound.channel,
            chat_id=inbound.chat_id,
            known=contact.conversation,
        )
        self.notice = ""

    @property
    def key(self) -> str:
        return f"{self.inbound.channel}:{self.inbound.update_id}"

    def respond(self, cmd: router.Command | None) -> Handled:
        inbound = self.inbound
        incoming = _incoming(self.conversation, inbound)
        if inbound.unsupported:
            replies = [Reply(_("I understand text only: write an amount, such as “кофе 250”."))]
        elif inbound.callback_data:
            replies = self.press(inbound.callback_data)
        elif inbound.edited:
            replies = self.edited(incoming)
        elif cmd is not None:
            replies = self.command(cmd)
        elif inbound.reply_to and (target := self._replied_transaction()) is not None:
            replies = [self.correct(target, router.correction(inbound.text))]
        else:
            replies = self.record(incoming)
        if len(replies) == 1 and replies[0].transaction_id and incoming.transaction_id is None:
            incoming.transaction_id = replies[0].transaction_id
            incoming.action = replies[0].action
        return Handled(_save(self.conversation, incoming, replies), self.contact, self.notice)

    def perform(self, action: str, payload: dict[str, Any], *, key: str = "") -> dict[str, Any]:
        performed = dispatch.perform(
            caller=self.caller, action=action, payload=payload, key=key or self.key
        )
        return performed.result

    def refusal(self, exc: ActionError) -> Reply:
        if exc.status == 403:
            return Reply(_("This chat is not allowed to do that."))
        problems = [str(d["message"]) for d in exc.details or []] or [str(exc.message)]
        return Reply(_("I did not understand: %(problems)s") % {"problems": " ".join(problems)})

    # Recording and correcting

    def record(self, incoming: Message) -> list[Reply]:
        steps = router.records(self.inbound.text)
        if not steps:
            return [Reply(phrases.help_text(self.inbound.channel))]
        replies = []
        ids = []
        for n, step in enumerate(steps, start=1):
            key = self.key if len(steps) == 1 else f"{self.key}:{n}"
            try:
                result = self.perform(step.action, step.payload, key=key)
            except ActionError as exc:
                reply = self.refusal(exc)
                if len(steps) > 1:
                    reply.text = f"{step.payload['text']}: {reply.text}"
                replies.append(reply)
                continue
            ids.append(result["id"])
            replies.append(self.confirmation(_("Recorded: %(what)s"), result, step.action))
        if len(steps) > 1:
            incoming.result = {"transactions": ids}
        return replies

    def confirmation(self, template: str, tx: dict[str, Any], action: str) -> Reply:
        what = " · ".join(
            [
                phrases.money(tx["amount"], tx["currency"]),
                tx["category"]["name"],
                phrases.day(tx["date"], self.user.today()),
            ]
        )
        text = template % {"what": what}
        buttons = [
            [
                Button(_("Undo"), router.button_data(Press("undo", tx["id"]))),
                Button(_("Category"), router.button_data(Press("choose", tx["id"]))),
            ]
        ]
        if tx["category"]["slug"] == FALLBACK_SLUGS.get(Kind(tx["kind"])):
            try:
                keyboard = self.category_keyboard(tx)
            except ActionError:  # a link without summaries:read cannot list them
                keyboard = []
            if keyboard:
                text += "\n" + _("Which category is it?")
                buttons = keyboard + buttons[:1]
        return Reply(text, buttons, transaction_id=tx["id"], action=action, result=tx)

    def category_keyboard(self, tx: dict[str, Any]) -> list[list[Button]]:
        result = self.perform("list_categories", {"kind": tx["kind"]})
        buttons = [
            Button(c["name"], router.button_data(Press("category", tx["id"], c["id"])))
            for c in result["categories"]
            if c["id"] != tx["category"]["id"]
        ]
        return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]

    def correct(self, transaction_id: int, changes: dict[str, Any]) -> Reply:
        payload = {"transaction_id": transaction_id, **changes}
        try:
            tx = self.perform("update_transaction", payload)
        except ActionError as exc:
            return self.refusal(exc)
        return self.confirmation(_("Corrected: %(what)s"), tx, "update_transaction")

    def _replied_transaction(self) -> int | None:
        return selectors.confirmed_transaction(
            conversation=self.conversation, external_id=self.inbound.reply_to
        )

    def edited(self, incoming: Message) -> list[Reply]:
        original = selectors.recording_message(
            conversation=self.conversation, external_id=self.inbound.message_id
        )
        if original is None or original.transaction_id is None:
            if original is not None:
                return [Reply(_("Reply to the confirmation of the line you want to correct."))]
            return [Reply(_("Edits change only messages that recorded something."))]
        steps = router.records(self.inbound.text)
        if len(steps) != 1:
            return [Reply(_("Reply to the confirmation of the line you want to correct."))]
        try:
            # The new text read as a new record would be, without saving it.
            parsed = dispatch.perform(
                caller=self.caller,
                action=steps[0].action,
                payload=steps[0].payload,
                key=f"{self.key}:check",
                dry_run=True,
            ).result
        except ActionError as exc:
            return [self.refusal(exc)]
        changes: dict[str, Any] = {"amount": parsed["amount"], "date": parsed["date"]}
        shown = selectors.last_confirmation(
            conversation=self.conversation, transaction_id=original.transaction_id
        )
        # A text that now reads as the other kind keeps the transaction's category.
        if shown is None or parsed["kind"] == shown["kind"]:
            changes["category_id"] = parsed["category"]["id"]
        reply = self.correct(original.transaction_id, changes)
        incoming.transaction_id = reply.transaction_id
        return [reply]

    # Buttons

    def press(self, data: str) -> list[Reply]:
        ledger_id = router.ledger_button(data)
        if ledger_id is not None:
            return self.switch_pressed(ledger_id)
        return self.pressed(router.button(data))

    def pressed(self, press: Press | None) -> list[Reply]:
        if press is None:
            self.notice = _("This button no longer works.")
            return []
        if press.what == "undo":
            return [self.undo(press.transaction_id)]
        if press.what == "category" and press.category_id is not None:
            reply = self.correct(press.transaction_id, {"category_id": press.category_id})
            self.notice = reply.text.split("\n")[0][:200]
            return [reply]
        confirmed = selectors.last_confirmation(
            conversation=self.conversation, transaction_id=press.transaction_id
        )
        if confirmed is None:
            self.notice = _("This transaction is gone.")
            return []
        try:
            keyboard = self.category_keyboard(confirmed)
        except ActionError as exc:
            return [self.refusal(exc)]
        return [
            Reply(
                _("Choose the category:"),
                keyboard,
                transaction_id=press.transaction_id,
                action="list_categories",
            )
        ]

    def undo(self, transaction_id: int) -> Reply:
        try:
            result = self.perform("delete_transaction", {"transaction_id": transaction_id})
        except ActionError as exc:
            if any(d.get("code") == "transaction_not_found" for d in exc.details or []):
                self.notice = _("Already removed.")
                return Reply(_("That transaction was already removed."))
            return self.refusal(exc)
        tx = result["transaction"]
        what = f"{phrases.money(tx['amount'], tx['currency'])} · {tx['category']['name']}"
        self.notice = _("Removed.")
        return Reply(_("Removed: %(what)s") % {"what": what}, action="delete_transaction")

    # Commands

    def command(self, cmd: router.Command) -> list[Reply]:
        handler = {
            "start": lambda: Reply(phrases.help_text(self.inbound.channel)),
            "help": lambda: Reply(phrases.help_text(self.inbound.channel)),
            "month": self.month,
            "budget": self.budget,
            "categories": self.categories,
            "undo": self.undo_last,
            "unlink": self.unlink,
        }.get(cmd.name)
        if cmd.name == "lang":
            return [self.lang(cmd.argument)]
        if cmd.name == "link":
            if self.inbound.channel in PLAIN_CHANNELS:
                return [Reply(_("Send link and the code from the cabinet, such as link ABCD2345."))]
            return [Reply(_("Send /link and the code from the cabinet, such as /link ABCD2345."))]
        if cmd.name == "category":
            return [self.recategorize(cmd.argument)]
        if cmd.name == "ledger":
            return [self.ledgers(cmd.argument)]
        if handler is None:
            help_text = phrases.help_text(self.inbound.channel)
            return [Reply(_("I do not know that command.") + "\n\n" + help_text)]
        try:
            return [handler()]
        except ActionError as exc:
            return [self.refusal(exc)]

    def month(self) -> Reply:
        return Reply(phrases.month(self.perform("get_summary", {})), action="get_summary")

    def budget(self) -> Reply:
        return Reply(phrases.budget(self.perform("get_summary", {})), action="get_summary")

    def categories(self) -> Reply:
        text = phrases.categories(self.perform("list_categories", {}))
        return Reply(text, action="list_categories")

    def undo_last(self) -> Reply:
        last = selectors.last_recorded(conversation=self.conversation)
        if last is None:
            return Reply(_("Nothing recorded from this chat to undo."))
        return self.undo(last)

    def recategorize(self, name: str) -> Reply:
        """`category <name>` right after a record moves that record (and teaches the parser)."""
        last = selectors.last_reply(conversation=self.conversation)
        if (
            last is None
            or last[1] is None
            or last[0] not in {*CREATE_ACTIONS, "update_transaction"}
        ):
            return Reply(
                _("Send “category” and a name right after a record, such as “category такси”.")
            )
        return self.correct(last[1], {"category": " ".join(name.split())[:100]})

    # Which ledger the chat records into

    def ledgers(self, argument: str) -> Reply:
        """`/ledger`: the person's ledgers, the active one marked; `/ledger <n or name>`
        switches, as the cabinet's switch does."""
        rows = list(ledger_selectors.memberships(user=self.user))
        active = access.member_of(user=self.user)
        if len(rows) <= 1:
            return Reply(
                _("I record into “%(name)s”, your only ledger.") % {"name": active.ledger.name}
            )
        if argument:
            chosen = _choose(rows, argument)
            if chosen is None:
                return Reply(
                    _("You have no ledger “%(name)s”. Send /ledger to see yours.")
                    % {"name": argument[:100]}
                )
            return self.switch(chosen)
        lines = [_("Your ledgers (✓ is where I record):")]
        buttons = []
        for n, row in enumerate(rows, start=1):
            mark = "✓" if row.ledger_id == active.ledger_id else "  "
            lines.append(f"{mark} {n}. {row.ledger.name} · {row.get_role_display()}")
            if row.ledger_id != active.ledger_id:
                buttons.append([Button(row.ledger.name, router.ledger_button_data(row.ledger_id))])
        lines.append(_("Send /ledger and a number or a name to switch."))
        return Reply("\n".join(lines), buttons, action="ledger")

    def switch(self, member: Membership) -> Reply:
        ledger = ledger_services.ledger_activate(
            user=self.user, ledger=member, source=self.caller.source
        )
        text = _("From now on I record into “%(name)s”.") % {"name": ledger.name}
        if not member.can_write:
            text += " " + _("You may only read it: records there will be refused.")
        return Reply(text, action="ledger")

    def switch_pressed(self, ledger_id: int) -> list[Reply]:
        try:
            member = access.member_of(user=self.user, ledger=ledger_id)
        except access.LedgerNotFound:
            self.notice = _("This button no longer works.")
            return []
        reply = self.switch(member)
        self.notice = reply.text[:200]
        return [reply]

    def lang(self, argument: str) -> Reply:
        language = argument.strip().lower()
        if language not in {"ru", "en"}:
            return Reply(_("Write /lang ru or /lang en."))
        services.contact_set_language(contact=self.contact, language=language)
        with translation.override(language):
            return Reply(_("From now on I answer in English."))

    def unlink(self) -> Reply:
        services.contact_unlink(contact=self.contact, source=self.caller.source)
        return Reply(_("This chat is unlinked. Link it again from the cabinet at any time."))
