"""A pasted text of bank notifications to one Operation per notification."""

import datetime as dt
from decimal import Decimal

from core.money import MAX_AMOUNT
from finance.readers.bank_messages import banks, fields, figures, kinds, party, segments
from finance.readers.bank_messages.figures import Figure, Role
from finance.readers.bank_messages.operation import Kind, Operation, fingerprint

_CENTS = Decimal("0.01")
_SIDE_ROLES = (Role.FEE, Role.CASHBACK)
_AFTER_ROLES = (Role.BALANCE, Role.LIMIT)  # what ends the words about the operation
_EDGE_PUNCTUATION = " \t.,:;!-—|"


def read(text: str, *, today: dt.date) -> list[Operation]:
    """Every notification in `text`, in order; `today` places a day and month without a year."""
    cleaned = text.translate(figures.CLEAN)  # one character for one: spans stay the same
    return [
        _read_one(cleaned[start:end], text[start:end], (start, end), today)
        for start, end in segments.split(cleaned)
    ]


def _read_one(text: str, original: str, span: tuple[int, int], today: dt.date) -> Operation:
    bank = banks.detect(text)
    found = figures.find(text)
    amount = _amount(found)
    balance = next((f for f in found if f.role is Role.BALANCE), None)
    fee = next((f for f in found if f.role is Role.FEE and f is not amount), None)
    cards = fields.cards(text)
    # Dates, times and the merchant are looked for where no money is written.
    no_money = _blot(text, [(f.label, f.end) for f in found])
    stated = fields.dates(no_money, today, month_first=bank.month_first)
    times = fields.times(no_money)

    kind, value, currency, counterpart = Kind.NOT_UNDERSTOOD, None, None, ""
    if amount is not None and 0 < amount.value <= MAX_AMOUNT:
        # The other figures' clauses (`Комиссия 15р`, `Кэшбэк 27 ₽`) do not name the kind.
        others = [(f.label, f.end) for f in found if f is not amount]
        kind = kinds.find(_blot(text, others), amount.sign)
    if amount is not None and kind is not Kind.NOT_UNDERSTOOD:
        value, currency = amount.value.quantize(_CENTS), amount.currency
        bare = _blot(
            no_money,
            [(start, end) for _, start, end in cards]
            + [(d.start, d.end) for d in stated]
            + [(start, end) for _, start, end in times]
            + _bank_names(text),
        )
        balance_start = next(
            (f.label for f in found if f.role in _AFTER_ROLES and f.start > amount.end), len(text)
        )
        counterpart = party.find(bare, amount.end, balance_start, bank.party_res)

    date = stated[0] if stated else None
    time = times[0][0] if times else None
    card = cards[0][0] if cards else ""
    if balance is not None and balance.value > MAX_AMOUNT:
        balance = None
    balance_value = None
    if balance is not None:  # an overdrawn account's balance is printed below zero
        balance_value = balance.value.quantize(_CENTS) * (-1 if balance.sign == "-" else 1)
    balance_currency = balance.currency if balance is not None else None
    return Operation(
        kind=kind,
        amount=value,
        currency=currency,
        counterpart=counterpart,
        date=date.value if date else None,
        time=time,
        card=card,
        bank=bank.code,
        span=span,
        text=original,
        balance=balance_value,
        balance_currency=balance_currency,
        fee=fee.value.quantize(_CENTS) if fee is not None and fee.value <= MAX_AMOUNT else None,
        fingerprint=fingerprint(
            kind=kind,
            bank=bank.code,
            amount=value,
            currency=currency,
            balance=balance_value,
            balance_currency=balance_currency,
            stated_date=date.key if date else "",
            time=time,
            card=card,
            counterpart=counterpart,
            text=original,
        ),
    )


def _amount(found: list[Figure]) -> Figure | None:
    """The operation's figure; a fee or cashback figure only when it stands alone."""
    operation = next((f for f in found if f.role is Role.OPERATION), None)
    if operation is not None:
        return operation
    return next((f for f in found if f.role in _SIDE_ROLES), None)


def _blot(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        chars[start:end] = party.BLOT * (end - start)
    return "".join(chars)


def _bank_names(text: str) -> list[tuple[int, int]]:
    """Where a bank signs at the start or the end of a line (`Ozon Банк:`, `... VTB`)."""
    spans = []
    for m in banks.any_name_re().finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        before = text[line_start : m.start()].strip(_EDGE_PUNCTUATION)
        after = text[m.end() : line_end].strip(_EDGE_PUNCTUATION)
        if not before or not after:
            spans.append((m.start(), m.end()))
    return spans
