"""What one bank notification says: the operation, as plain frozen data."""

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from finance.readers.bank_messages import merchants


class Kind(StrEnum):
    PURCHASE = "purchase"
    REFUND = "refund"
    SALARY = "salary"
    CASHBACK = "cashback"
    INTEREST = "interest"
    TRANSFER_IN = "transfer_in"  # money from someone else
    TRANSFER_OUT = "transfer_out"  # money to another person
    OWN_TRANSFER = "own_transfer"  # between one's own accounts, cash deposits, exchanges
    CASH_WITHDRAWAL = "cash_withdrawal"
    FEE = "fee"
    DECLINED = "declined"
    NOT_UNDERSTOOD = "not_understood"

    @property
    def direction(self) -> str:
        """`in` or `out` for money that came or went, `` for what moved nothing."""
        if self in _INCOMING:
            return "in"
        if self in _OUTGOING:
            return "out"
        return ""


_INCOMING = frozenset({Kind.REFUND, Kind.SALARY, Kind.CASHBACK, Kind.INTEREST, Kind.TRANSFER_IN})
_OUTGOING = frozenset({Kind.PURCHASE, Kind.TRANSFER_OUT, Kind.CASH_WITHDRAWAL, Kind.FEE})


@dataclass(frozen=True)
class Operation:
    """One notification's operation. Amounts are the operation's, never a balance or a limit.

    `date` and `time` are what the text states, naive and local to the bank's client;
    a time without a date is left for the caller to place. `span` is where the
    notification sits in the text read, `text` is that part.
    """

    kind: Kind
    amount: Decimal | None  # None only when not understood
    currency: str | None  # ISO 4217
    counterpart: str  # the merchant, or the person or employer of a transfer, as printed
    date: dt.date | None
    time: dt.time | None
    card: str  # the card's or account's last digits as printed ("1234"), "" if none
    bank: str  # a code from `BANKS` ("sber"), "" when no bank's format was recognised
    span: tuple[int, int]
    text: str
    balance: Decimal | None = None  # the balance or available amount after it (may be < 0)
    balance_currency: str | None = None
    fee: Decimal | None = None  # a fee stated beside the operation (in `currency`)
    fingerprint: str = ""

    @property
    def merchant_text(self) -> str:
        """The counterpart in words a category parser knows: `YANDEX*TAXI 4` -> `YANDEX TAXI`."""
        return merchants.clean(self.counterpart)


# A notification arrives as an SMS and again as a push, worded differently: the merchant is
# `PYATEROCHKA 1234` in one and `Пятёрочка` in the other, the time or the card may be left
# out. What both keep is the bank, which way the money went, the amount and the balance after
# it, and the balance alone tells two purchases of the same amount apart. Without a balance
# the stated date, time, card and merchant words must agree. The hash keeps the balance out
# of the caller's table.
FINGERPRINT_VERSION = "1"


def fingerprint(
    *,
    kind: Kind,
    bank: str,
    amount: Decimal | None,
    currency: str | None,
    balance: Decimal | None,
    balance_currency: str | None,
    stated_date: str,
    time: dt.time | None,
    card: str,
    counterpart: str,
    text: str,
) -> str:
    direction = kind.direction or kind.value
    parts: list[str] = [FINGERPRINT_VERSION, bank, direction]
    if kind is Kind.NOT_UNDERSTOOD:
        parts.append(" ".join(text.split()).casefold())
    else:
        parts += [f"{amount:.2f}" if amount is not None else "", currency or ""]
        if balance is not None:
            parts += ["balance", f"{balance:.2f}", balance_currency or ""]
        else:
            when = time.strftime("%H:%M") if time else ""
            words = merchants.clean(counterpart).casefold()
            parts += [stated_date, when, card, words]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
