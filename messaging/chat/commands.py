"""The chat's commands: ONE table, name -> what it does in a private chat and in a group.

`/month` and `month` (WhatsApp's plain words) are one command: the router reads the
name, the dialogue looks it up here. A command a group does not understand (a person's
own settings: /lang, /unlink, /link) has no group handler.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import User
from botapi.caller import Caller
from botapi.results import CategoriesResult, SummaryResult, TransactionResult
from core.errors import ActionError
from ledgers import access
from ledgers import selectors as ledger_selectors
from ledgers import services as ledger_services
from ledgers.models import Membership
from messaging import inbox
from messaging.chat import bank, households, phrases, recurring, router
from messaging.chat.exchange import Inbound, Reply
from messaging.linking import contacts
from messaging.models import Conversation, UserContact
from messaging.transports import Button

R = TypeVar("R")


class Dialogue(Protocol):
    """What a command may use of the dialogue it is said in (`dialogue.Dialogue`)."""

    inbound: Inbound
    contact: UserContact
    user: User
    caller: Caller
    conversation: Conversation
    notice: str

    def perform(
        self,
        kind: type[R],
        action: str,
        payload: dict[str, Any],
        *,
        key: str = "",
        dry_run: bool = False,
    ) -> R: ...

    @property
    def key(self) -> str: ...

    def undo(self, transaction_id: int) -> Reply: ...

    def refusal(self, exc: ActionError) -> Reply: ...

    def confirmation(self, template: str, tx: TransactionResult, action: str) -> Reply: ...

    def correct(self, transaction_id: int, changes: dict[str, Any]) -> Reply: ...


# (the dialogue, the command's argument) -> the reply.
Handler = Callable[[Dialogue, str], Reply]


@dataclass(frozen=True)
class Command:
    private: Handler
    group: Handler | None = None


def help_(d: Dialogue, argument: str) -> Reply:
    return Reply(phrases.help_text(d.inbound.channel))


def group_help(d: Dialogue, argument: str) -> Reply:
    return Reply(phrases.group_help_text())


def month(d: Dialogue, argument: str) -> Reply:
    summary = d.perform(SummaryResult, "get_summary", {}).summary
    return Reply(phrases.month(summary), action="get_summary")


def budget(d: Dialogue, argument: str) -> Reply:
    summary = d.perform(SummaryResult, "get_summary", {}).summary
    return Reply(phrases.budget(summary), action="get_summary")


def categories(d: Dialogue, argument: str) -> Reply:
    text = phrases.categories(d.perform(CategoriesResult, "list_categories", {}))
    return Reply(text, action="list_categories")


def undo_last(d: Dialogue, argument: str) -> Reply:
    last = inbox.last_recorded(conversation=d.conversation)
    if last is None:
        return Reply(_("Nothing recorded from this chat to undo."))
    return d.undo(last)


def recategorize(d: Dialogue, name: str) -> Reply:
    """`category <name>` right after a record moves that record (and teaches the parser)."""
    last = inbox.last_reply(conversation=d.conversation)
    if (
        last is None
        or last[1] is None
        or last[0] not in {*inbox.CREATE_ACTIONS, "update_transaction"}
    ):
        return Reply(
            _("Send “category” and a name right after a record, such as “category такси”.")
        )
    return d.correct(last[1], {"category": " ".join(name.split())[:100]})


def lang(d: Dialogue, argument: str) -> Reply:
    language = argument.strip().lower()
    if language not in {"ru", "en"}:
        return Reply(_("Write /lang ru or /lang en."))
    contacts.contact_set_language(contact=d.contact, language=language)
    with translation.override(language):
        return Reply(_("From now on I answer in English."))


def unlink(d: Dialogue, argument: str) -> Reply:
    contacts.contact_unlink(contact=d.contact, source=d.caller.source)
    return Reply(_("This chat is unlinked. Link it again from the cabinet at any time."))


def link(d: Dialogue, argument: str) -> Reply:
    """`/link` without its code (with one, the chat links before the dialogue begins)."""
    if d.inbound.channel in phrases.PLAIN_CHANNELS:
        return Reply(_("Send link and the code from the cabinet, such as link ABCD2345."))
    return Reply(_("Send /link and the code from the cabinet, such as /link ABCD2345."))


# Which ledger the chat records into


def ledgers(d: Dialogue, argument: str) -> Reply:
    """`/ledger`: the person's ledgers, the active one marked; `/ledger <n or name>`
    switches, as the cabinet's switch does."""
    rows = list(ledger_selectors.memberships(user=d.user))
    active = access.member_of(user=d.user)
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
        return _switch(d, chosen)
    lines = [_("Your ledgers (✓ is where I record):")]
    buttons = []
    for n, row in enumerate(rows, start=1):
        mark = "✓" if row.ledger_id == active.ledger_id else "  "
        lines.append(f"{mark} {n}. {row.ledger.name} · {row.get_role_display()}")
        if row.ledger_id != active.ledger_id:
            buttons.append([Button(row.ledger.name, router.ledger_button_data(row.ledger_id))])
    lines.append(_("Send /ledger and a number or a name to switch."))
    return Reply("\n".join(lines), buttons, action="ledger")


def group_ledger(d: Dialogue, argument: str) -> Reply:
    member = d.caller.ledger
    assert isinstance(member, Membership)  # a group's dialogue acts as a member of its ledger
    return Reply(_("This group keeps the books of “%(ledger)s”.") % {"ledger": member.ledger.name})


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


def _switch(d: Dialogue, member: Membership) -> Reply:
    ledger = ledger_services.ledger_activate(user=d.user, ledger=member, source=d.caller.source)
    text = _("From now on I record into “%(name)s”.") % {"name": ledger.name}
    if not member.can_write:
        text += " " + _("You may only read it: records there will be refused.")
    return Reply(text, action="ledger")


def switch_pressed(d: Dialogue, ledger_id: int) -> list[Reply]:
    """A `/ledger` button: switch to its ledger, if the person is still its member."""
    try:
        member = access.member_of(user=d.user, ledger=ledger_id)
    except access.LedgerNotFound:
        d.notice = _("This button no longer works.")
        return []
    reply = _switch(d, member)
    d.notice = reply.text[:200]
    return [reply]


COMMANDS: dict[str, Command] = {
    "start": Command(help_, group=group_help),
    "help": Command(help_, group=group_help),
    "month": Command(month, group=month),
    "budget": Command(budget, group=budget),
    "categories": Command(categories, group=categories),
    "undo": Command(undo_last, group=undo_last),
    "category": Command(recategorize, group=recategorize),
    "ledger": Command(ledgers, group=group_ledger),
    "recurring": Command(recurring.listed),
    "today": Command(recurring.today, group=recurring.today),
    "balance": Command(households.balance, group=households.balance),
    "settle": Command(households.settle, group=households.settle),
    "lang": Command(lang),
    "unlink": Command(unlink),
    "link": Command(link),
    # After an answer to bank notifications, where there are no buttons (WhatsApp).
    "separately": Command(bank.separately_command, group=bank.separately_command),
    "transfer": Command(bank.transfer_command, group=bank.transfer_command),
}
