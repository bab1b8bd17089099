"""The dialogue with one linked person, for one update: recording what they write,
correcting it, the buttons under a confirmation, and their commands (`commands`).

Every action goes through `botapi.dispatch.perform` as the person's `Caller`, keyed by
the update (`telegram:<update_id>`, `whatsapp:<MessageSid>`), and comes back typed.
"""

from typing import Any, TypeVar

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from botapi import dispatch
from botapi.caller import Caller
from botapi.results import CategoriesResult, DeletedResult, RecurringResult, TransactionResult
from core.errors import ActionError
from finance.defaults import fallback_slug
from finance.models import Kind
from ledgers.access import LedgerRef
from messaging import inbox
from messaging.chat import (
    bank,
    commands,
    exchange,
    households,
    phrases,
    receipts,
    recurring,
    router,
)
from messaging.chat.exchange import Handled, Inbound, Reply
from messaging.chat.router import Press
from messaging.models import Message, UserContact
from messaging.transports import Button

R = TypeVar("R")


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
            source=exchange.SOURCES[inbound.channel],
            # A private chat's: the active ledger's membership, read with the contact
            # (None: look it up).
            ledger=ledger if ledger is not None else contact.membership,
            channel_ref=inbound.chat_id,
            language=translation.get_language() or self.user.language,
        )
        self.conversation = inbox.conversation_touch(
            user=self.user,
            channel=inbound.channel,
            chat_id=inbound.chat_id,
            known=contact.conversation,
        )
        self.notice = ""
        # Whether a message that records nothing is answered (a group's talk is not).
        self.talks_back = True

    @property
    def key(self) -> str:
        return f"{self.inbound.channel}:{self.inbound.update_id}"

    def respond(self, cmd: router.Command | None) -> Handled:
        inbound = self.inbound
        message = exchange.incoming(self.conversation, inbound)
        if inbound.image is not None:
            replies = receipts.photo(self)
        elif inbound.unsupported:
            replies = [Reply(exchange.unsupported_text(inbound))]
        elif inbound.callback_data:
            replies = self.press(inbound.callback_data)
        elif inbound.edited:
            replies = self.edited(message)
        elif cmd is not None:
            replies = self.command(cmd)
        elif inbound.reply_to and (target := self._replied_transaction()) is not None:
            replies = [self.correct(target, router.correction(inbound.text))]
        else:
            replies = self.record(message)
        replies = exchange.with_heard(inbound, replies)
        if len(replies) == 1 and replies[0].transaction_id and message.transaction_id is None:
            message.transaction_id = replies[0].transaction_id
            message.action = replies[0].action
        # A photo's job answers an update whose message was stored when it came.
        answered_later = inbound.image is not None and inbound.image.fetched
        replies = exchange.save(self.conversation, None if answered_later else message, replies)
        return Handled(replies, self.contact, self.notice)

    def perform(
        self,
        kind: type[R],
        action: str,
        payload: dict[str, Any],
        *,
        key: str = "",
        dry_run: bool = False,
    ) -> R:
        """`action`'s result, of the type the action gives back."""
        value = dispatch.perform(
            caller=self.caller, action=action, payload=payload, key=key or self.key, dry_run=dry_run
        ).value
        if not isinstance(value, kind):
            raise TypeError(f"{action} gave {type(value).__name__}, not {kind.__name__}")
        return value

    def refusal(self, exc: ActionError) -> Reply:
        if exc.status == 403:
            return Reply(_("This chat is not allowed to do that."))
        problems = [str(d["message"]) for d in exc.details or []] or [str(exc.message)]
        return Reply(_("I did not understand: %(problems)s") % {"problems": " ".join(problems)})

    # Commands: one table for private chats and groups

    def command(self, cmd: router.Command) -> list[Reply]:
        handler = self.handler(commands.COMMANDS.get(cmd.name))
        if handler is None:
            return [self.unknown_command()]
        try:
            return [handler(self, cmd.argument)]
        except ActionError as exc:
            return [self.refusal(exc)]

    def handler(self, command: commands.Command | None) -> commands.Handler | None:
        return command.private if command is not None else None

    def unknown_command(self) -> Reply:
        help_text = phrases.help_text(self.inbound.channel)
        return Reply(_("I do not know that command.") + "\n\n" + help_text)

    # Recording and correcting

    def record(self, message: Message) -> list[Reply]:
        # "Маша вернула Пете 3000": a payment back between members, not an expense.
        if (payment := households.payment_said(self, self.inbound.text)) is not None:
            return [households.record_payment(self, payment)]
        if bank.recognised(self):  # pasted or forwarded bank notifications
            return bank.record(self, message)
        steps = router.records(self.inbound.text)
        if not steps:
            return [Reply(phrases.help_text(self.inbound.channel))]
        replies = []
        ids = []
        for n, step in enumerate(steps, start=1):
            key = self.key if len(steps) == 1 else f"{self.key}:{n}"
            try:
                if step.action == recurring.CREATE:  # "каждый месяц 1-го аренда 45000"
                    rule = self.perform(RecurringResult, step.action, step.payload, key=key)
                    replies.append(recurring.created(rule))
                    continue
                tx = self.perform(TransactionResult, step.action, step.payload, key=key)
            except ActionError as exc:
                reply = self.refusal(exc)
                if len(steps) > 1:
                    reply.text = f"{step.payload['text']}: {reply.text}"
                replies.append(reply)
                continue
            ids.append(tx.id)
            replies.append(self.confirmation(_("Recorded: %(what)s"), tx, step.action))
        if len(steps) > 1:
            message.result = {"transactions": ids}
        return replies

    def confirmation(self, template: str, tx: TransactionResult, action: str) -> Reply:
        assert tx.id is not None  # a saved one
        parts = [
            phrases.money(tx.amount, tx.currency),
            tx.category.name,
            phrases.day(tx.date, self.user.today()),
        ]
        if tx.kind == Kind.REFUND:
            parts.insert(0, _("refund"))
        what = " · ".join(parts)
        text = template % {"what": what}
        buttons = [
            [
                Button(_("Undo"), router.button_data(Press("undo", tx.id))),
                Button(_("Category"), router.button_data(Press("choose", tx.id))),
            ]
        ]
        if tx.split is not None:  # an expense of a shared ledger
            text += "\n" + households.split_line(tx)
            buttons[0].append(households.split_button(tx.id))
        if tx.category.slug == fallback_slug(tx.kind):
            try:
                keyboard = self.category_keyboard(tx)
            except ActionError:  # a link without summaries:read cannot list them
                keyboard = []
            if keyboard:
                text += "\n" + _("Which category is it?")
                buttons = keyboard + buttons[:1]
        return Reply(text, buttons, transaction_id=tx.id, action=action, result=tx.data())

    def category_keyboard(self, tx: TransactionResult) -> list[list[Button]]:
        assert tx.id is not None
        kind = Kind(tx.kind).category_kind.value  # a refund's are the expense categories
        listed = self.perform(CategoriesResult, "list_categories", {"kind": kind})
        buttons = [
            Button(c.name, router.button_data(Press("category", tx.id, c.id)))
            for c in listed.categories
            if c.id != tx.category.id
        ]
        return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]

    def correct(self, transaction_id: int, changes: dict[str, Any]) -> Reply:
        payload = {"transaction_id": transaction_id, **changes}
        try:
            tx = self.perform(TransactionResult, "update_transaction", payload)
        except ActionError as exc:
            return self.refusal(exc)
        return self.confirmation(_("Corrected: %(what)s"), tx, "update_transaction")

    def _replied_transaction(self) -> int | None:
        return inbox.confirmed_transaction(
            conversation=self.conversation, external_id=self.inbound.reply_to
        )

    def shown(self, transaction_id: int) -> TransactionResult | None:
        """The transaction as this chat last showed it."""
        stored = inbox.last_confirmation(
            conversation=self.conversation, transaction_id=transaction_id
        )
        return TransactionResult.from_data(stored) if stored is not None else None

    def edited(self, message: Message) -> list[Reply]:
        original = inbox.recording_message(
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
            parsed = self.perform(
                TransactionResult,
                steps[0].action,
                steps[0].payload,
                key=f"{self.key}:check",
                dry_run=True,
            )
        except ActionError as exc:
            return [self.refusal(exc)]
        changes: dict[str, Any] = {"amount": str(parsed.amount), "date": parsed.date.isoformat()}
        shown = self.shown(original.transaction_id)
        # A text that now reads as the other kind keeps the transaction's category.
        if shown is None or parsed.kind == shown.kind:
            changes["category_id"] = parsed.category.id
        reply = self.correct(original.transaction_id, changes)
        message.transaction_id = reply.transaction_id
        return [reply]

    # Buttons

    def press(self, data: str) -> list[Reply]:
        ledger_id = router.ledger_button(data)
        if ledger_id is not None:
            return commands.switch_pressed(self, ledger_id)
        if recurring.is_button(data):
            return recurring.pressed(self, data)
        shared = households.pressed(self, data)
        if shared is not None:
            return shared
        replies = bank.pressed(self, data)
        if replies is not None:
            return replies
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
        confirmed = self.shown(press.transaction_id)
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
            deleted = self.perform(
                DeletedResult, "delete_transaction", {"transaction_id": transaction_id}
            )
        except ActionError as exc:
            if any(d.get("code") == "transaction_not_found" for d in exc.details or []):
                self.notice = _("Already removed.")
                return Reply(_("That transaction was already removed."))
            return self.refusal(exc)
        tx = deleted.transaction
        what = f"{phrases.money(tx.amount, tx.currency)} · {tx.category.name}"
        self.notice = _("Removed.")
        return Reply(_("Removed: %(what)s") % {"what": what}, action="delete_transaction")
