"""Bank notifications pasted or forwarded into a chat: all recorded by one
`record_bank_messages` and answered in one message, with a tap under each match to
record it separately after all, and under each transfer to or from a person to record
it (where a chat has no buttons, the words "separately" and "transfer" do the same for
the last such answer).

A message is taken for notifications before the typed-text path when the reader finds
a bank's operation in it (`finance.services.bank_messages.looks_like_notifications`).
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from botapi.results import BankItemResult, BankMessagesResult, TransactionResult
from core.errors import ActionError
from finance.models import Kind
from finance.services.bank_messages import looks_like_notifications
from messaging import inbox
from messaging.chat import phrases
from messaging.chat.exchange import Reply
from messaging.transports import Button

if TYPE_CHECKING:
    from messaging.chat.commands import Dialogue
    from messaging.models import Message

ACTION = "record_bank_messages"
TEXT_MAX = 20_000
# Callback data: "bs:<match_id>" (record separately), "bt:<n>" (record the n-th item of
# the answer the button is under, a transfer).
SEPARATELY = "bs"
TRANSFER = "bt"


def recognised(d: "Dialogue") -> bool:
    text = d.inbound.text
    return bool(text) and looks_like_notifications(text[:TEXT_MAX], today=d.user.today())


def record(d: "Dialogue", message: "Message") -> list[Reply]:
    try:
        result = d.perform(BankMessagesResult, ACTION, {"text": d.inbound.text[:TEXT_MAX]})
    except ActionError as exc:
        return [d.refusal(exc)]
    recorded = [i.transaction for i in result.items if i.outcome == "recorded" and i.transaction]
    if len(result.items) == 1 and recorded:
        return [d.confirmation(_("Recorded: %(what)s"), recorded[0], ACTION)]
    if len(recorded) > 1:
        message.result = {"transactions": [tx.id for tx in recorded]}
    return [answer(d, result, last=recorded[-1] if recorded else None)]


def what(d: "Dialogue", tx: TransactionResult) -> str:
    parts = [
        phrases.money(tx.amount, tx.currency),
        tx.category.name,
        phrases.day(tx.date, d.user.today()),
    ]
    if tx.kind == Kind.REFUND:
        parts.insert(0, _("refund"))
    return " · ".join(parts)


def line(d: "Dialogue", item: BankItemResult) -> str:
    tx, op = item.transaction, item.operation
    if item.outcome == "recorded" and tx is not None:
        return _("Recorded: %(what)s") % {"what": what(d, tx)}
    if item.outcome == "duplicate" and tx is not None:
        return _("Already recorded from this notification: %(what)s") % {"what": what(d, tx)}
    if item.outcome == "matched" and tx is not None:
        return _("Already recorded as %(what)s, matched") % {"what": what(d, tx)}
    if item.outcome == "skipped" and op is not None:
        amount = phrases.money(op.amount, op.currency)
        if item.reason == "transfer" and op.kind == "transfer_in":
            text = _("Not recorded, a transfer from %(who)s: %(amount)s")
        elif item.reason == "transfer":
            text = _("Not recorded, a transfer to %(who)s: %(amount)s")
        elif item.reason == "own_transfer":
            text = _("Not recorded, a transfer between your own accounts: %(amount)s")
        elif item.reason == "declined":
            text = _("Not recorded, the bank declined it: %(amount)s")
        elif item.reason == "cash_withdrawal":
            text = _("Not recorded, cash taken out: %(amount)s")
        else:
            text = _("Not recorded, this chat may not record it: %(amount)s")
        return text % {"who": op.counterpart or _("a person"), "amount": amount}
    snippet = " ".join(item.text.split())
    snippet = snippet if len(snippet) <= 60 else snippet[:59] + "…"
    return _("Not understood: “%(text)s”") % {"text": snippet}


def answer(d: "Dialogue", result: BankMessagesResult, *, last: TransactionResult | None) -> Reply:
    lines: list[str] = []
    buttons: list[list[Button]] = []
    for n, item in enumerate(result.items):
        lines.append(line(d, item))
        op = item.operation
        if item.outcome == "matched" and item.match_id is not None and op is not None:
            label = _("Record separately: %(amount)s")
            amount = phrases.money(op.amount, op.currency)
            buttons.append([Button(label % {"amount": amount}, f"{SEPARATELY}:{item.match_id}")])
        if item.outcome == "skipped" and item.reason == "transfer" and op is not None:
            if op.kind == "transfer_in":
                label = _("Record as an income: %(amount)s")
            else:
                label = _("Record as an expense: %(amount)s")
            amount = phrases.money(op.amount, op.currency)
            buttons.append([Button(label % {"amount": amount}, f"{TRANSFER}:{n}")])
    if buttons and d.inbound.channel in phrases.PLAIN_CHANNELS:
        # No buttons there: the words that do what they would.
        if any(b.data.startswith(f"{SEPARATELY}:") for row in buttons for b in row):
            lines.append(_("Reply “separately” to record the matched ones on their own."))
        if any(b.data.startswith(f"{TRANSFER}:") for row in buttons for b in row):
            lines.append(_("Reply “transfer” to record the transfers."))
        buttons = []
    return Reply(
        "\n".join(lines),
        buttons,
        # /undo and a reply with a correction reach the last one recorded, as after
        # several typed lines.
        transaction_id=last.id if last is not None else None,
        action=ACTION,
        result=result.data(),
    )


def pressed(d: "Dialogue", data: str) -> list[Reply] | None:
    """A tap on one of this module's buttons (None: not one of them)."""
    code, _sep, tail = data.partition(":")
    if code not in (SEPARATELY, TRANSFER) or not (tail.isascii() and tail.isdigit()):
        return None
    if code == SEPARATELY:
        return [separately(d, int(tail))]
    stored = inbox.reply_result(conversation=d.conversation, external_id=d.inbound.message_id)
    items = (stored or {}).get("items") or []
    n = int(tail)
    if n >= len(items) or items[n].get("reason") != "transfer":
        d.notice = _("This button no longer works.")
        return []
    return [transfer(d, items[n]["text"])]


def separately(d: "Dialogue", match_id: int, *, key: str = "") -> Reply:
    try:
        tx = d.perform(TransactionResult, "record_separately", {"match_id": match_id}, key=key)
    except ActionError as exc:
        if any(detail.get("code") == "match_not_found" for detail in exc.details or []):
            d.notice = _("Already done.")
            return Reply(_("That one is already recorded separately, or gone."))
        return d.refusal(exc)
    d.notice = _("Recorded separately.")
    return d.confirmation(_("Recorded separately: %(what)s"), tx, "record_separately")


def transfer(d: "Dialogue", text: str, *, key: str = "") -> Reply:
    payload = {"text": text, "record_transfers": True}
    try:
        result = d.perform(BankMessagesResult, ACTION, payload, key=key)
    except ActionError as exc:
        return d.refusal(exc)
    (item, *_rest) = result.items
    if item.outcome == "recorded" and item.transaction is not None:
        d.notice = _("Recorded.")
        return d.confirmation(_("Recorded: %(what)s"), item.transaction, ACTION)
    return Reply(line(d, item))


def _last_items(d: "Dialogue") -> list[BankItemResult]:
    stored = inbox.last_result(conversation=d.conversation, action=ACTION)
    return list(BankMessagesResult.from_data(stored).items) if stored else []


def separately_command(d: "Dialogue", argument: str) -> Reply:
    """ "separately": every match of the last answer to notifications, recorded on its own."""
    matches = [i.match_id for i in _last_items(d) if i.outcome == "matched" and i.match_id]
    if not matches:
        return Reply(_("There is no match to undo in my last answer to bank notifications."))
    replies = [separately(d, m, key=f"{d.key}:{n}") for n, m in enumerate(matches)]
    return Reply("\n".join(r.text.split("\n")[0] for r in replies), action="record_separately")


def transfer_command(d: "Dialogue", argument: str) -> Reply:
    """ "transfer": every transfer of the last answer to notifications, recorded."""
    texts = [i.text for i in _last_items(d) if i.outcome == "skipped" and i.reason == "transfer"]
    if not texts:
        return Reply(_("There is no transfer to record in my last answer to bank notifications."))
    replies = [transfer(d, text, key=f"{d.key}:{n}") for n, text in enumerate(texts)]
    return Reply("\n".join(r.text.split("\n")[0] for r in replies), action=ACTION)
