"""Recording pasted or forwarded bank notifications (SMS and pushes), whatever the door.

The reader (`finance.readers.bank_messages`) finds each notification and its operation;
here each becomes one item: recorded, a duplicate of one recorded before (the same
notification twice: its fingerprint is kept per ledger), matched to the same purchase
already recorded another way (`finance.services.captures`), skipped, or not understood.

A purchase and a fee are expenses, a refund is a refund, a salary, cashback and
interest are incomes of their categories. A transfer between one's own accounts, a
declined operation and a cash withdrawal record nothing; nor does a transfer to or from
a person, unless asked (`record_transfers`: it may be a loan or a split, so the person
decides).
"""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from finance.models import Capture, Kind, Transaction
from finance.readers import bank_messages
from finance.readers.bank_messages import Kind as Op
from finance.readers.bank_messages import Operation
from finance.rules import normalize_amount
from finance.services.books import ledger_for_write
from finance.services.captures import (
    Captured,
    capture_attach,
    capture_lock,
    capture_match,
    capture_seen,
)
from finance.services.merchants import Categoriser
from finance.services.transactions import transaction_insert
from ledgers import access
from ledgers.models import Ledger

if TYPE_CHECKING:
    from accounts.models import User

MAX_NOTIFICATIONS = 50
TOO_MANY = _("At most %(limit)s notifications at once; send the rest separately.")
NONE_FOUND = _("There is no bank notification in this text.")

RECORDED, DUPLICATE, MATCHED, SKIPPED, NOT_UNDERSTOOD = (
    "recorded",
    "duplicate",
    "matched",
    "skipped",
    "not_understood",
)
# What an operation records, if anything: the transaction's kind.
KINDS = {
    Op.PURCHASE: Kind.EXPENSE,
    Op.FEE: Kind.EXPENSE,
    Op.REFUND: Kind.REFUND,
    Op.SALARY: Kind.INCOME,
    Op.CASHBACK: Kind.INCOME,
    Op.INTEREST: Kind.INCOME,
}
TRANSFER_KINDS = {Op.TRANSFER_OUT: Kind.EXPENSE, Op.TRANSFER_IN: Kind.INCOME}
# The category an income of these is filed under, where the ledger has it.
SLUGS = {Op.SALARY: "salary", Op.CASHBACK: "interest", Op.INTEREST: "interest"}
SKIPPED_BECAUSE = {
    Op.OWN_TRANSFER: "own_transfer",
    Op.DECLINED: "declined",
    Op.CASH_WITHDRAWAL: "cash_withdrawal",
    Op.TRANSFER_OUT: "transfer",
    Op.TRANSFER_IN: "transfer",
}
NOT_ALLOWED = "insufficient_scope"


@dataclass(frozen=True)
class Item:
    """What became of one notification."""

    outcome: str  # RECORDED, DUPLICATE, MATCHED, SKIPPED or NOT_UNDERSTOOD
    operation: Operation
    transaction: Transaction | None = None
    reason: str = ""  # why it was skipped
    match_id: int | None = None  # the match "record separately" undoes
    date: dt.date | None = None  # the day it was placed on


def read(text: str, *, today: dt.date) -> list[Operation]:
    return bank_messages.read(text, today=today)


def is_notification(op: Operation) -> bool:
    """Whether an operation reads as a bank's, not as a line a person typed: the reader
    knew the bank, or it names a card, a balance or a time, or the operation is one no
    typed line makes (`mortgage payment 1820$` reads as a purchase, and is typed)."""
    if op.kind is Op.NOT_UNDERSTOOD:
        return False
    signs = op.bank or op.card or op.balance is not None or op.time is not None
    return bool(signs) or op.kind is not Op.PURCHASE


def looks_like_notifications(text: str, *, today: dt.date) -> bool:
    """Whether a message holds bank notifications (to be recorded as such) rather than
    what a person typed."""
    return any(is_notification(op) for op in read(text, today=today))


def _placed(op: Operation, now: dt.datetime) -> dt.date:
    """The day of an operation: the one stated, else today, else (a time later than now)
    yesterday's."""
    if op.date is not None:
        return op.date
    if op.time is not None and op.time > now.time():
        return now.date() - dt.timedelta(days=1)
    return now.date()


@transaction.atomic
def bank_messages_record(
    *,
    user: "User",
    ledger: access.LedgerRef = None,
    text: str,
    source: str,
    record_transfers: bool = False,
    kinds: Collection[str] | None = None,
    actor: "User | None" = None,
) -> list[Item]:
    """Record every notification in `text`, in order, each once per ledger; `kinds`
    limits what may be recorded (a token's scopes), the rest is skipped as not allowed.
    Raises ValidationError (code `no_notifications`, `too_many_notifications`) and
    writes nothing when the text holds none, or too many."""
    books = ledger_for_write(user, ledger)
    now = timezone.now().astimezone(user.tz())
    operations = read(text, today=now.date())
    if not any(op.kind is not Op.NOT_UNDERSTOOD for op in operations):
        raise ValidationError(NONE_FOUND, code="no_notifications")
    if len(operations) > MAX_NOTIFICATIONS:
        raise ValidationError(
            TOO_MANY, code="too_many_notifications", params={"limit": MAX_NOTIFICATIONS}
        )
    capture_lock(books)
    categoriser = Categoriser(user=user, ledger=books)
    earlier = capture_seen(
        ledger=books,
        source=Capture.Source.NOTIFICATION,
        fingerprints=[op.fingerprint for op in operations],
    )
    items = []
    for op in operations:
        item = _one(
            op,
            user=user,
            books=books,
            now=now,
            categoriser=categoriser,
            earlier=earlier,
            record_transfers=record_transfers,
            kinds=kinds,
            source=source,
            actor=actor,
        )
        items.append(item)
    return items


def _one(
    op: Operation,
    *,
    user: "User",
    books: Ledger,
    now: dt.datetime,
    categoriser: Categoriser,
    earlier: dict[str, Capture],
    record_transfers: bool,
    kinds: Collection[str] | None,
    source: str,
    actor: "User | None",
) -> Item:
    if op.kind is Op.NOT_UNDERSTOOD or op.amount is None or op.currency is None:
        return Item(NOT_UNDERSTOOD, op)
    kind = KINDS.get(op.kind) or (TRANSFER_KINDS.get(op.kind) if record_transfers else None)
    day = _placed(op, now)
    if kind is None:
        return Item(SKIPPED, op, reason=SKIPPED_BECAUSE.get(op.kind, op.kind.value), date=day)
    if kinds is not None and kind not in kinds:
        return Item(SKIPPED, op, reason=NOT_ALLOWED, date=day)
    seen = earlier.get(op.fingerprint)
    if seen is not None:
        return Item(DUPLICATE, op, transaction=seen.transaction, date=day)
    amount = normalize_amount(op.amount, op.currency)
    captured = Captured(
        source=Capture.Source.NOTIFICATION,
        kind=kind,
        amount=amount,
        currency=op.currency,
        date=day,
        time=op.time,
        merchant=op.counterpart,
        card=op.card,
        text=op.text.strip(),
        fingerprint=op.fingerprint,
    )
    match = capture_match(ledger=books, user=user, captured=captured, source=source, actor=actor)
    if match is not None:
        earlier[op.fingerprint] = match
        return Item(MATCHED, op, transaction=match.transaction, match_id=match.pk, date=day)
    slug = SLUGS.get(op.kind)
    if slug is not None:
        filed = categoriser.slug_or_words(kind=kind, slug=slug, text=op.counterpart)
    else:
        filed = categoriser.file(kind=kind, text=op.counterpart)
    tx = transaction_insert(
        ledger=books,
        user=user,
        kind=kind,
        amount=amount,
        currency=op.currency,
        category=filed.category,
        date=day,
        note=op.counterpart,
        text=captured.text,
        paid_by=None,
        source=source,
        actor=actor,
        dry_run=False,
    )
    tx.category_guessed = filed.guessed
    earlier[op.fingerprint] = capture_attach(ledger=books, tx=tx, user=user, captured=captured)
    return Item(RECORDED, op, transaction=tx, date=day)
