"""A household in the chat: who shares a recorded expense (its "Split" button), who owes
whom (/balance), and settling up (/settle, with the suggested transfers as buttons).

Everything goes through the dispatcher as the person who writes or presses: the split
is `update_transaction`'s, the balances `get_balances`', a payment `record_settlement`'s.
"""

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from accounts.models import User
from botapi.results import BalancesResult, SettlementResult, TransactionResult
from core.errors import ActionError
from finance.readers.payment_words import mentions_payment, read_payment
from finance.selectors.balances import SettleTransfer, settlement_get
from ledgers import access
from ledgers import selectors as ledger_selectors
from messaging.chat import phrases
from messaging.chat.exchange import Reply
from messaging.transports import Button

if TYPE_CHECKING:
    from messaging.chat.commands import Dialogue

# Callback data (Telegram allows 64 bytes): "sp:<tx>" shows who may share it; "sa:<tx>"
# everyone, "sm:<tx>" the writer alone, "sw:<tx>:<user>" the writer and one other;
# "st:<from>:<to>:<amount>:<currency>" records a suggested transfer; "su:<id>" undoes one.
SPLIT_CODES = {"sp", "sa", "sm", "sw"}


def split_button(transaction_id: int) -> Button:
    return Button(_("Split"), f"sp:{transaction_id}")


def split_line(result: TransactionResult) -> str:
    """A confirmation's line saying who shares the expense ("" when nobody does)."""
    split = result.split
    if split is None or not split.shares:
        return ""
    parts = [f"{s.name} {phrases.money(s.amount, result.currency)}" for s in split.shares]
    return _("Split: %(parts)s") % {"parts": " · ".join(parts)}


def _ints(parts: list[str]) -> list[int] | None:
    if not all(p.isascii() and p.isdigit() and len(p) <= 19 for p in parts):
        return None
    return [int(p) for p in parts]


def pressed(d: "Dialogue", data: str) -> list[Reply] | None:
    """What a household button does; None for any other button."""
    code, *rest = data.split(":")
    if code in SPLIT_CODES:
        numbers = _ints(rest)
        if not numbers:
            return None
        return _split_pressed(d, code, numbers)
    if code == "st" and len(rest) == 4:
        return [_settle_pressed(d, rest)]
    if code == "su" and (numbers := _ints(rest)) and len(numbers) == 1:
        return [undo_settlement(d, numbers[0])]
    return None


def _split_pressed(d: "Dialogue", code: str, numbers: list[int]) -> list[Reply]:
    transaction_id = numbers[0]
    me = {"user": d.user.pk}
    if code == "sp":
        return [_split_menu(d, transaction_id)]
    if code == "sa":
        split: dict[str, Any] = {"mode": "equal"}
    elif code == "sm":
        split = {"mode": "equal", "members": [me]}
    elif len(numbers) == 2:
        split = {"mode": "equal", "members": [me, {"user": numbers[1]}]}
    else:
        return []
    reply = d.correct(transaction_id, {"split": split})
    d.notice = reply.text.split("\n")[0][:200]
    return [reply]


def _split_menu(d: "Dialogue", transaction_id: int) -> Reply:
    member = access.member_of(user=d.user, ledger=d.caller.ledger)
    others = [m for m in ledger_selectors.members(member=member) if m.user_id != d.user.pk]
    buttons = [
        [
            Button(_("Everyone"), f"sa:{transaction_id}"),
            Button(_("Only me"), f"sm:{transaction_id}"),
        ]
    ]
    row: list[Button] = []
    for m in others:
        row.append(
            Button(
                _("With %(name)s") % {"name": m.user.get_username()},
                f"sw:{transaction_id}:{m.user_id}",
            )
        )
        if len(row) == 2:
            buttons.append(row)
            row = []
    if row:
        buttons.append(row)
    text = _("Who shares it? Equally among those you choose.")
    return Reply(text, buttons, transaction_id=transaction_id, action="update_transaction")


# Who owes whom


def _balances(d: "Dialogue") -> BalancesResult:
    return d.perform(BalancesResult, "get_balances", {})


def balance(d: "Dialogue", argument: str) -> Reply:
    """/balance: each person's balance and the transfers that settle them."""
    result = _balances(d)
    return Reply(phrases.balances(result.balances, _ledger_name(d)), action="get_balances")


def _ledger_name(d: "Dialogue") -> str:
    return access.member_of(user=d.user, ledger=d.caller.ledger).ledger.name


def _transfer_data(t: SettleTransfer) -> str:
    return f"st:{t.from_id}:{t.to_id}:{t.amount}:{t.currency}"


def settle(d: "Dialogue", argument: str) -> Reply:
    """/settle: the suggested transfers, each a button recording it; `/settle 2` records
    the second (where there are no buttons)."""
    balances = _balances(d).balances
    transfers = [t for t in balances.settle if t.from_id is not None and t.to_id is not None]
    if argument:
        wanted = argument.strip()
        if not (wanted.isascii() and wanted.isdigit() and 1 <= int(wanted) <= len(transfers)):
            return Reply(
                _("There is no transfer %(n)s: send /settle to see them.") % {"n": wanted[:10]}
            )
        t = transfers[int(wanted) - 1]
        payload = {
            "from": t.from_id,
            "to": t.to_id,
            "amount": str(t.amount),
            "currency": t.currency,
        }
        return _record(d, payload)
    if not transfers:
        return Reply(_("Everyone is settled up: nobody owes anybody."), action="get_balances")
    lines = [_("To settle up:")]
    buttons = []
    for n, t in enumerate(transfers, start=1):
        what = phrases.transfer(t)
        lines.append(f"{n}. {what}")
        buttons.append([Button(what[:60], _transfer_data(t))])
    lines.append(_("Press one once it is paid, or send /settle and its number."))
    return Reply("\n".join(lines), buttons, action="get_balances")


def payment_said(d: "Dialogue", text: str) -> dict[str, Any] | None:
    """`record_settlement`'s payload for a payment back said in words ("Маша вернула
    Пете 3000", "вернул Маше 500", "Anna paid me back 30") in a shared ledger; None
    when the text says no such thing. Members are named as the ledger shows them
    (username) or by their first name, in any of its forms."""
    if not mentions_payment(text):
        return None
    member = access.member_of(user=d.user, ledger=d.caller.ledger)
    if member.ledger.personal_for_id is not None:
        return None
    by_name: dict[str, int] = {}
    for m in ledger_selectors.members(member=member):
        for name in (m.user.get_username(), m.user.first_name):
            if name:
                by_name.setdefault(name, m.user_id)
    words = read_payment(text, list(by_name))
    if words is None:
        return None
    payload: dict[str, Any] = {
        "from": by_name[words.payer] if words.payer is not None else d.user.pk,
        "to": by_name[words.payee] if words.payee is not None else d.user.pk,
        "amount": str(words.amount),
    }
    if payload["from"] == payload["to"]:
        return None
    if words.currency is not None:
        payload["currency"] = words.currency
    return payload


def record_payment(d: "Dialogue", payload: dict[str, Any]) -> Reply:
    """Record a payment said in words, with its Undo button."""
    return _record(d, payload)


def _settle_pressed(d: "Dialogue", parts: list[str]) -> Reply:
    people = _ints(parts[:2])
    try:
        amount = Decimal(parts[2])
    except InvalidOperation:
        people = None
    if people is None or not parts[3].isalpha():
        d.notice = _("This button no longer works.")
        return Reply(d.notice)
    payload = {"from": people[0], "to": people[1], "amount": str(amount), "currency": parts[3]}
    # Keyed by the button and the message it is under: pressing it twice records once.
    key = f"{d.inbound.channel}:settle:{d.inbound.chat_id}:{d.inbound.message_id}:{':'.join(parts)}"
    reply = _record(d, payload, key=key[:255])
    if (
        reply.result
        and settlement_get(user=d.user, ledger=d.caller.ledger, pk=reply.result["id"]) is None
    ):
        # The press was answered before (the key's stored answer), and what it recorded
        # was undone since: this button is spent.
        reply = Reply(_("This button was used and its payment removed: send /settle again."))
    d.notice = reply.text.split("\n")[0][:200]
    return reply


def _record(d: "Dialogue", payload: dict[str, Any], key: str = "") -> Reply:
    try:
        result = d.perform(SettlementResult, "record_settlement", payload, key=key)
    except ActionError as exc:
        if exc.error == "settlement_not_party":
            return Reply(
                _("Only the two of them, or a manager of the ledger, may record that payment.")
            )
        return d.refusal(exc)
    people = User.objects.filter(pk__in=[result.from_id, result.to_id])
    names: dict[int | None, str] = {u.pk: u.get_username() for u in people}
    text = _("Recorded: %(what)s") % {"what": phrases.payment(result, names)}
    buttons = [[Button(_("Undo"), f"su:{result.id}")]]
    return Reply(text, buttons, action="record_settlement", result=result.data())


def undo_settlement(d: "Dialogue", settlement_id: int) -> Reply:
    try:
        d.perform(SettlementResult, "delete_settlement", {"settlement_id": settlement_id})
    except ActionError as exc:
        if any(x.get("code") == "settlement_not_found" for x in exc.details or []):
            d.notice = _("Already removed.")
            return Reply(_("That payment was already removed."))
        return d.refusal(exc)
    d.notice = _("Removed.")
    return Reply(_("The payment is removed."), action="delete_settlement")
