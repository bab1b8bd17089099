"""The one row every statement reader yields, and how its fingerprint is made."""

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from enum import StrEnum

from finance.readers import mcc as mcc_table
from finance.readers.statements import text


class Format(StrEnum):
    TBANK_CSV = "tbank_csv"
    SBER_CSV = "sber_csv"
    OFX1 = "ofx1"
    OFX2 = "ofx2"
    QIF = "qif"
    CAMT053 = "camt053"
    CSV = "csv"


class Kind(StrEnum):
    EXPENSE = "expense"
    INCOME = "income"
    REFUND = "refund"


class Status(StrEnum):
    COMPLETED = "completed"
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class StatementRow:
    index: int  # the operation's place in the file, from 1, left-out operations counted
    date: date  # as the bank wrote it: its own (local) day, never shifted to UTC
    time: time | None  # None where the bank gave none (or wrote exactly 00:00:00)
    amount: Decimal  # never negative; `kind` says which way it went
    kind: Kind
    currency: str  # ISO 4217, of the operation
    description: str  # as the bank wrote it (spaces collapsed)
    mcc: str | None  # four digits, ISO 18245
    bank_category: str | None  # the bank's own category, or the generic CSV's column
    counterpart: str | None  # the merchant or the person on the other side
    status: Status
    fingerprint: str  # equal for the same operation read again, whatever the file's encoding
    account_amount: Decimal | None = None  # in the account's currency, where it differs
    account_currency: str | None = None
    card: str | None = None  # the card's last digits
    bank_id: str | None = None  # the bank's own id (OFX FITID, camt AcctSvcrRef, auth code)

    @property
    def signed(self) -> Decimal:
        return -self.amount if self.kind == Kind.EXPENSE else self.amount


@dataclass(frozen=True)
class Statement:
    format: Format
    rows: tuple[StatementRow, ...]  # completed operations: the ones to import
    left_out: tuple[StatementRow, ...]  # pending or failed: shown, never imported


_MIDNIGHT = time(0, 0)
# Words of a reversal in what the banks write; a positive amount with one is a refund.
_REFUND_WORDS = ("возврат", "отмена", "refund", "reversal", "chargeback", "return")


def kind_of(signed: Decimal, *, mcc: str | None, description: str) -> Kind:
    """Money out is an expense; money in is a refund when the bank calls it one or it came
    from a shop (an MCC of spending), else an income."""
    if signed < 0:
        return Kind.EXPENSE
    words = description.lower()
    if any(word in words for word in _REFUND_WORDS):
        return Kind.REFUND
    if mcc_table.category_for(mcc) is not None:
        return Kind.REFUND
    return Kind.INCOME


class RowMaker:
    """Builds one file's rows: numbers them and fingerprints each with how many identical
    operations came before it in the file (two coffees at one price, one minute apart)."""

    def __init__(self) -> None:
        self.index = 0
        self._seen: Counter[str] = Counter()
        # A statement names the same shops and currencies again and again: each is cleaned
        # or checked once per file (a third of the time of a 100,000-row file).
        self._texts: dict[str, str] = {}
        self._currencies: dict[str, str] = {}

    def clean(self, value: str | None) -> str:
        if not value:
            return ""
        cleaned = self._texts.get(value)
        if cleaned is None:
            cleaned = self._texts[value] = text.clean(value)
        return cleaned

    def currency(self, raw: str, *, row: int) -> str:
        code = self._currencies.get(raw)
        if code is None:
            code = self._currencies[raw] = text.currency(raw, row=row)
        return code

    def next_index(self) -> int:
        self.index += 1
        return self.index

    def make(
        self,
        *,
        index: int,
        day: date,
        at: time | None,
        signed: Decimal,
        currency: str,
        description: str,
        status: Status = Status.COMPLETED,
        mcc: str | None = None,
        bank_category: str | None = None,
        counterpart: str | None = None,
        kind: Kind | None = None,
        account_signed: Decimal | None = None,
        account_currency: str | None = None,
        card: str | None = None,
        bank_id: str | None = None,
    ) -> StatementRow:
        if at == _MIDNIGHT:  # exporters write a day without its time as midnight
            at = None
        description = self.clean(description)
        counterpart = self.clean(counterpart) or None
        bank_category = self.clean(bank_category) or None
        key = "\x1f".join(
            (
                day.isoformat(),
                at.isoformat() if at else "",
                str(signed),
                currency,
                description,
                mcc or "",
                counterpart or "",
                card or "",
                bank_id or "",
            )
        )
        self._seen[key] += 1
        fingerprint = hashlib.blake2b(
            f"{key}\x1e{self._seen[key]}".encode(), digest_size=16
        ).hexdigest()
        if account_currency == currency:
            account_signed = account_currency = None
        return StatementRow(
            index=index,
            date=day,
            time=at,
            amount=abs(signed),
            kind=kind or kind_of(signed, mcc=mcc, description=description),
            currency=currency,
            description=description,
            mcc=mcc,
            bank_category=bank_category,
            counterpart=counterpart,
            status=status,
            fingerprint=fingerprint,
            account_amount=None if account_signed is None else abs(account_signed),
            account_currency=account_currency if account_signed is not None else None,
            card=card,
            bank_id=bank_id,
        )
